import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { MemberSetsService } from '../member-sets/member-sets.service';
import type { ShiftDto, ShiftScheduleDto } from './dto/shift.dto';
import { onDutyAt } from './on-duty.sql';

/** Shifts with their duty schedules; the members of a shift are kept by the member-set base. */
@Injectable()
export class ShiftsService {
  constructor(
    private readonly em: EntityManager,
    private readonly sets: MemberSetsService,
    private readonly clock: Clock,
  ) {}

  /** A shift, with its schedule when one is given, in one transaction. */
  async create(departmentId: number, name: string, schedule?: ShiftScheduleDto): Promise<ShiftDto> {
    const id = await this.em.transactional(async (em) => {
      const shift = await this.sets.create(departmentId, 'shift', name);
      if (schedule) await this.saveSchedule(em, departmentId, shift.id, schedule);
      return shift.id;
    });
    const [view] = await this.views(departmentId, id);
    return view;
  }

  /** Replaces the shift's schedule; another department's shift is 404. */
  async setSchedule(departmentId: number, shiftId: number, schedule: ShiftScheduleDto): Promise<ShiftDto> {
    const saved = await this.saveSchedule(this.em, departmentId, shiftId, schedule);
    if (!saved) throw DomainError.notFound(`Shift ${shiftId} not found`);
    const [view] = await this.views(departmentId, shiftId);
    return view;
  }

  list(departmentId: number): Promise<ShiftDto[]> {
    return this.views(departmentId);
  }

  private async saveSchedule(em: EntityManager, departmentId: number, shiftId: number, s: ShiftScheduleDto): Promise<boolean> {
    const rows = await em.getConnection().execute<{ shift_id: number }[]>(
      `insert into shift_schedules (shift_id, department_id, start_time, length_hours, on_days, off_days, anchor_date, time_zone)
       select id, department_id, ?::time, ?, ?, ?, ?::date, ? from member_sets where id = ? and department_id = ? and kind = 'shift'
       on conflict (shift_id) do update
         set start_time = excluded.start_time, length_hours = excluded.length_hours, on_days = excluded.on_days,
             off_days = excluded.off_days, anchor_date = excluded.anchor_date, time_zone = excluded.time_zone
       returning shift_id`,
      [s.startTime, s.lengthHours, s.onDays, s.offDays, s.anchorDate, s.timeZone ?? 'UTC', shiftId, departmentId],
      'all',
      em.getTransactionContext(),
    );
    return rows.length > 0;
  }

  private async views(departmentId: number, shiftId?: number): Promise<ShiftDto[]> {
    const rows = await this.em.getConnection().execute<(Omit<ShiftDto, 'schedule'> & Partial<ShiftScheduleDto> & { scheduled: boolean })[]>(
      `select s.id, s.name,
              coalesce((select array_agg(m.user_id order by m.user_id) from member_set_members m where m.set_id = s.id), '{}') as "memberIds",
              sch.shift_id is not null as scheduled,
              to_char(sch.start_time, 'HH24:MI') as "startTime", sch.length_hours as "lengthHours",
              sch.on_days as "onDays", sch.off_days as "offDays", to_char(sch.anchor_date, 'YYYY-MM-DD') as "anchorDate",
              sch.time_zone as "timeZone",
              ${onDutyAt('sch', '?')} as "onDutyNow"
         from member_sets s left join shift_schedules sch on sch.shift_id = s.id
        where s.department_id = ? and s.kind = 'shift' and (?::int is null or s.id = ?)
        order by s.id`,
      [this.clock.now(), departmentId, shiftId ?? null, shiftId ?? null],
    );
    return rows.map(({ scheduled, startTime, lengthHours, onDays, offDays, anchorDate, timeZone, ...shift }) => ({
      ...shift,
      schedule: scheduled ? { startTime: startTime!, lengthHours: lengthHours!, onDays: onDays!, offDays: offDays!, anchorDate: anchorDate!, timeZone: timeZone! } : null,
    }));
  }
}
