import { Module } from '@nestjs/common';
import { MemberSetsModule } from '../member-sets/member-sets.module';
import { ShiftsController } from './shifts.controller';

/** Shifts: the platoons that share a duty rotation (A-shift, B-shift, C-shift). */
@Module({
  imports: [MemberSetsModule],
  controllers: [ShiftsController],
})
export class ShiftsModule {}
