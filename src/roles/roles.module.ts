import { Module } from '@nestjs/common';
import { MemberSetsModule } from '../member-sets/member-sets.module';
import { RolesController } from './roles.controller';

/** Roles: what members are qualified as (EMT, Engineer, Captain). */
@Module({
  imports: [MemberSetsModule],
  controllers: [RolesController],
  providers: [RolesController.pathResource],
})
export class RolesModule {}
