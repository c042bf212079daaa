import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, ResolvesPathId, type Principal } from '../common/access';
import { ParseIdPipe } from '../common/validation/ids';
import { MemberSetsService } from '../member-sets/member-sets.service';
import { memberSetController } from '../member-sets/member-set.controller';
import { CreateShiftDto, ShiftDto, ShiftScheduleDto } from './dto/shift.dto';
import { ShiftsService } from './shifts.service';

/**
 * The member-set routes (`PUT /api/shifts/:id/members` as it is), with the schedule added to
 * creating and listing, and `PUT /api/shifts/:id/schedule`.
 */
const ShiftSetRoutes = memberSetController('shift', 'shifts');

@ApiTags('shifts')
@Controller('shifts')
export class ShiftsController extends ShiftSetRoutes {
  constructor(
    sets: MemberSetsService,
    private readonly shifts: ShiftsService,
  ) {
    super(sets);
  }

  @Post()
  @ApiCreatedResponse({ type: ShiftDto })
  override create(@Caller() caller: Principal, @Body() body: CreateShiftDto): Promise<ShiftDto> {
    return this.shifts.create(caller.departmentId, body.name, body.schedule);
  }

  @Get()
  @ApiOkResponse({ type: [ShiftDto] })
  override list(@Caller() caller: Principal): Promise<ShiftDto[]> {
    return this.shifts.list(caller.departmentId);
  }

  @Put(':id/schedule')
  @ResolvesPathId(ShiftSetRoutes.pathResource)
  @ApiOkResponse({ type: ShiftDto })
  setSchedule(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: ShiftScheduleDto): Promise<ShiftDto> {
    return this.shifts.setSchedule(caller.departmentId, id, body);
  }
}
