import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { memberSetController } from './member-set.controller';
import { MemberSet } from './member-set.entity';
import { MemberSetsService } from './member-sets.service';

/** The host's groups, roles, shifts and operational zones. */
@Module({
  imports: [MikroOrmModule.forFeature([MemberSet])],
  controllers: [
    memberSetController('group', 'groups'),
    memberSetController('role', 'roles'),
    memberSetController('shift', 'shifts'),
    memberSetController('zone', 'zones'),
  ],
  providers: [MemberSetsService],
  exports: [MemberSetsService],
})
export class MemberSetsModule {}
