import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MemberSet } from './member-set.entity';
import { MemberSetsService } from './member-sets.service';

/**
 * What groups, roles, shifts and zones share: one table of named member sets and the service
 * over it. Each kind is a module of its own (`GroupsModule`, `RolesModule`, ...) with its routes.
 */
@Module({
  imports: [MikroOrmModule.forFeature([MemberSet])],
  providers: [MemberSetsService],
  exports: [MemberSetsService],
})
export class MemberSetsModule {}
