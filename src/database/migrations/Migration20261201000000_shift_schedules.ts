import { Migration } from '@mikro-orm/migrations';

/**
 * A shift's duty schedule: a tour of `length_hours` starting at `start_time` on each on-day of a
 * rotation of `on_days` on then `off_days` off, counted from `anchor_date` (the first on-day of a
 * cycle), in the wall-clock time of `time_zone` (an IANA name).
 */
export class Migration20261201000000_shift_schedules extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table shift_schedules (
        shift_id int primary key references member_sets (id) on delete cascade,
        department_id int not null references departments (id) on delete cascade,
        start_time time not null,
        length_hours int not null check (length_hours between 1 and 24),
        on_days int not null check (on_days between 1 and 365),
        off_days int not null check (off_days between 0 and 365),
        anchor_date date not null,
        time_zone text not null default 'UTC'
      );
      create index shift_schedules_department_idx on shift_schedules (department_id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table shift_schedules;');
  }
}
