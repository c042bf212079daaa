/**
 * SQL that is true when the schedule row `schedule` (an alias of `shift_schedules`) has its shift
 * on duty at the instant `at` (a placeholder or expression of type timestamptz). Each tour starts
 * on an on-day and lasts at most 24 hours, so only a tour that began that day or the day before
 * can cover the instant. Tours are wall-clock times in the schedule's time zone, so a 07:00 start
 * stays 07:00 across daylight saving time. The one place this rule is written: the shifts
 * list and the directory both use it.
 */
export const onDutyAt = (schedule: string, at: string): string => {
  const cycle = `(${schedule}.on_days + ${schedule}.off_days)`;
  return `exists (
    select 1
      from (select (${at})::timestamptz at time zone ${schedule}.time_zone as moment) t,
           lateral (select t.moment::date - back.days as day from (values (0), (1)) as back(days)) tour
     where mod(mod(tour.day - ${schedule}.anchor_date, ${cycle}) + ${cycle}, ${cycle}) < ${schedule}.on_days
       and t.moment >= tour.day + ${schedule}.start_time
       and t.moment < tour.day + ${schedule}.start_time + make_interval(hours => ${schedule}.length_hours)
  )`;
};
