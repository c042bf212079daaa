import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, Matches, Max, Min, ValidateBy, ValidateNested } from 'class-validator';
import { MemberSetDto, NameDto } from '../../member-sets/dto';

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^(19|2\d)\d{2}-\d{2}-\d{2}$/;

/** A date written YYYY-MM-DD that exists on the calendar (no February 30th), from 1900 on. */
const isCalendarDate = (value: unknown) =>
  typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString().startsWith(value);

/** IANA time zone names, as both this runtime and PostgreSQL know them. */
const TIME_ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone')];

const IsCalendarDate = (message: string) => ValidateBy({ name: 'isCalendarDate', validator: { validate: isCalendarDate } }, { message });

const wholeNumber = (field: string, min: number, max: number) => {
  const message = `${field} must be a whole number from ${min} to ${max}`;
  return applyDecorators(IsInt({ message }), Min(min, { message }), Max(max, { message }));
};

/**
 * A duty rotation: a tour of `lengthHours` starting at `startTime` on each on-day of a cycle of
 * `onDays` on then `offDays` off, counted from `anchorDate`, the first on-day of a cycle. A
 * 24-on/48-off A/B/C platoon system is three shifts with `{ startTime: '07:00', lengthHours: 24,
 * onDays: 1, offDays: 2 }` and anchors a day apart; weekday office hours are
 * `{ startTime: '09:00', lengthHours: 8, onDays: 5, offDays: 2 }` anchored on a Monday. Times are
 * the wall clock of `timeZone` (default UTC).
 */
export class ShiftScheduleDto {
  @ApiProperty({ example: '07:00', description: 'when each tour starts, HH:MM in the time zone' })
  @Matches(TIME_OF_DAY, { message: 'startTime must be a time of day written HH:MM, from 00:00 to 23:59' })
  startTime!: string;

  @ApiProperty({ example: 24, minimum: 1, maximum: 24 })
  @wholeNumber('lengthHours', 1, 24)
  lengthHours!: number;

  @ApiProperty({ example: 1, minimum: 1, maximum: 365 })
  @wholeNumber('onDays', 1, 365)
  onDays!: number;

  @ApiProperty({ example: 2, minimum: 0, maximum: 365 })
  @wholeNumber('offDays', 0, 365)
  offDays!: number;

  @ApiProperty({ example: '2026-01-01', description: 'the first on-day of a cycle, YYYY-MM-DD' })
  @IsCalendarDate('anchorDate must be a date written YYYY-MM-DD')
  anchorDate!: string;

  @ApiPropertyOptional({ example: 'America/Chicago', default: 'UTC', description: 'IANA time zone of startTime and anchorDate' })
  @IsOptional()
  @IsIn(TIME_ZONES, { message: 'timeZone must be an IANA time zone name such as America/Chicago, or UTC' })
  timeZone?: string;
}

export class CreateShiftDto extends NameDto {
  @ApiPropertyOptional({ type: ShiftScheduleDto })
  @IsOptional()
  @IsObject({ message: 'schedule must be an object' })
  @ValidateNested()
  @Type(() => ShiftScheduleDto)
  schedule?: ShiftScheduleDto;
}

export class ShiftDto extends MemberSetDto {
  @ApiProperty({ type: ShiftScheduleDto, nullable: true }) schedule!: ShiftScheduleDto | null;
  @ApiProperty({ description: 'whether a tour of this shift covers the present moment' }) onDutyNow!: boolean;
}
