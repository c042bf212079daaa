import { Module } from '@nestjs/common';
import { MemberSetsModule } from '../member-sets/member-sets.module';
import { ZonesController } from './zones.controller';

/** Operational zones: where members are authorized to work; a dispatch happens in one. */
@Module({
  imports: [MemberSetsModule],
  controllers: [ZonesController],
  providers: [ZonesController.pathResource],
})
export class ZonesModule {}
