import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { MemberSetsModule } from '../member-sets/member-sets.module';
import { ShiftsController } from './shifts.controller';
import { ShiftsService } from './shifts.service';

/** Shifts: the platoons that share a duty rotation (A-shift, B-shift, C-shift), and their schedules. */
@Module({
  imports: [MemberSetsModule],
  controllers: [ShiftsController],
  providers: [ShiftsController.pathResource, ShiftsService, Clock],
})
export class ShiftsModule {}
