import { Module } from '@nestjs/common';
import { MemberSetsModule } from '../member-sets/member-sets.module';
import { GroupsController } from './groups.controller';

/** Groups: the stations or crews members belong to. */
@Module({
  imports: [MemberSetsModule],
  controllers: [GroupsController],
  providers: [GroupsController.pathResource],
})
export class GroupsModule {}
