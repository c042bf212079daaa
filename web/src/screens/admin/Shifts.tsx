import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { api, type MemberSet } from '../../api';
import { ErrorNote, Spinner, useAction } from '../../components/common';
import { NewSet, SetMembersEditor } from './MemberSets';

/** A duty rotation as `PUT /shifts/:id/schedule` takes it and `GET /shifts` gives it. */
export interface ShiftSchedule {
  startTime: string;
  lengthHours: number;
  onDays: number;
  offDays: number;
  anchorDate: string;
  timeZone?: string;
}

export interface Shift extends MemberSet {
  schedule: ShiftSchedule | null;
  onDutyNow: boolean;
}

const TIME_ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone')];
const today = () => new Date().toISOString().slice(0, 10);
const BLANK: ShiftSchedule = { startTime: '07:00', lengthHours: 24, onDays: 1, offDays: 2, anchorDate: today(), timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' };

export function describeSchedule(s: ShiftSchedule): string {
  const h = (n: number) => `${n} hour${n === 1 ? '' : 's'}`;
  const d = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  return `${h(s.lengthHours)} from ${s.startTime} (${s.timeZone ?? 'UTC'}), ${d(s.onDays)} on, ${d(s.offDays)} off, from ${s.anchorDate}`;
}

/** The shifts with their schedules and who is on duty now; create one, edit its schedule and members. */
export function ShiftsScreen() {
  const [shifts, setShifts] = useState<Shift[] | null>(null);
  const [open, setOpen] = useState<{ id: number; part: 'schedule' | 'members' } | null>(null);
  const [withSchedule, setWithSchedule] = useState(true);
  const [schedule, setSchedule] = useState<ShiftSchedule>(BLANK);
  const { error, run } = useAction();
  const load = useCallback(() => run(async () => setShifts((await api.get<Shift[]>('/shifts')).sort((a, b) => a.name.localeCompare(b.name)))), []);
  useEffect(() => void load(), [load]);
  return (
    <section aria-labelledby="shifts-title">
      <h1 id="shifts-title">Shifts</h1>
      <p className="muted">Platoons and their duty rotations. Members of a shift can be left out of a send while they are off duty.</p>
      <NewSet
        path="/shifts"
        one="shift"
        body={() => (withSchedule ? { schedule } : {})}
        onCreated={() => {
          setSchedule(BLANK);
          void load();
        }}
      >
        <label className="check">
          <input type="checkbox" checked={withSchedule} onChange={(e) => setWithSchedule(e.target.checked)} />
          <span>With a duty schedule</span>
        </label>
        {withSchedule && <ScheduleFields value={schedule} onChange={setSchedule} />}
      </NewSet>
      <ErrorNote error={error} />
      {!shifts && !error && <Spinner />}
      {shifts?.length === 0 && <p className="empty">No shifts yet.</p>}
      <ul className="plain-list" aria-label="Shifts">
        {shifts?.map((s) => (
          <li key={s.id} className="list-item" aria-label={s.name}>
            <div className="line">
              <h2 className="grow">{s.name}</h2>
              <span className={`tag ${s.onDutyNow ? 'answer-yes' : ''}`}>{s.schedule ? (s.onDutyNow ? 'On duty now' : 'Off duty now') : 'No schedule'}</span>
            </div>
            <p className="muted small">{s.schedule ? describeSchedule(s.schedule) : 'No duty schedule: never counted as on duty.'}</p>
            <p className="muted small">{s.memberIds.length} {s.memberIds.length === 1 ? 'member' : 'members'}</p>
            <div className="actions">
              {(['schedule', 'members'] as const).map((part) => {
                const on = open?.id === s.id && open.part === part;
                return (
                  <button key={part} type="button" aria-expanded={on} onClick={() => setOpen(on ? null : { id: s.id, part })}>
                    {part === 'schedule' ? 'Edit schedule' : 'Edit members'}
                    <span className="sr-only"> of {s.name}</span>
                  </button>
                );
              })}
            </div>
            {open?.id === s.id && open.part === 'schedule' && <ScheduleEditor shift={s} onSaved={() => void load()} />}
            {open?.id === s.id && open.part === 'members' && <SetMembersEditor path={`/shifts/${s.id}/members`} label={`Members of ${s.name}`} initial={s.memberIds} onSaved={() => void load()} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ScheduleEditor({ shift, onSaved }: { shift: Shift; onSaved: () => void }) {
  const [schedule, setSchedule] = useState<ShiftSchedule>(shift.schedule ?? BLANK);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const res = await run(() => api.put(`/shifts/${shift.id}/schedule`, schedule));
    if (res !== undefined) {
      setDone(`Saved the schedule of ${shift.name}.`);
      onSaved();
    }
  };
  return (
    <form className="card inset" onSubmit={submit} aria-label={`Schedule of ${shift.name}`}>
      <ScheduleFields value={schedule} onChange={setSchedule} />
      <ErrorNote error={error} />
      <p className="muted small" role="status">
        {done}
      </p>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Saving…' : 'Save schedule'}
      </button>
    </form>
  );
}

function ScheduleFields({ value, onChange }: { value: ShiftSchedule; onChange: (s: ShiftSchedule) => void }) {
  const id = useId();
  const set = <K extends keyof ShiftSchedule>(key: K, v: ShiftSchedule[K]) => onChange({ ...value, [key]: v });
  const num = (key: 'lengthHours' | 'onDays' | 'offDays', label: string, min: number, max: number) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input id={`${id}-${key}`} type="number" required min={min} max={max} step={1} value={value[key]} onChange={(e) => set(key, Number(e.target.value))} />
    </div>
  );
  return (
    <fieldset>
      <legend>Duty schedule</legend>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-start`}>Start time</label>
          <input id={`${id}-start`} type="time" required value={value.startTime} onChange={(e) => set('startTime', e.target.value)} />
        </div>
        {num('lengthHours', 'Length (hours)', 1, 24)}
        {num('onDays', 'Days on', 1, 365)}
        {num('offDays', 'Days off', 0, 365)}
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-anchor`}>First on-day (anchor date)</label>
          <input id={`${id}-anchor`} type="date" required value={value.anchorDate} onChange={(e) => set('anchorDate', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-zone`}>Time zone</label>
          <select id={`${id}-zone`} value={value.timeZone ?? 'UTC'} onChange={(e) => set('timeZone', e.target.value)}>
            {TIME_ZONES.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </div>
      </div>
    </fieldset>
  );
}
