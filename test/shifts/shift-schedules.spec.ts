import { Clock } from '../../src/common/clock';
import { DepartmentDirectory } from '../../src/messages/directory/department-directory';
import { TestDepartment, type TestMember } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

/** A 24-on/48-off platoon: one 24-hour tour from 07:00 UTC, then two days off. */
const platoon = (anchorDate: string) => ({ startTime: '07:00', lengthHours: 24, onDays: 1, offDays: 2, anchorDate, timeZone: 'UTC' });
/** Weekday office hours: 09:00-17:00 UTC, Monday to Friday (2026-11-30 is a Monday). */
const weekdays = { startTime: '09:00', lengthHours: 8, onDays: 5, offDays: 2, anchorDate: '2026-11-30', timeZone: 'UTC' };

describe('shift schedules and who is on duty', () => {
  let server: TestServer;
  let clock: Clock;
  const at = (iso: string) => jest.spyOn(clock, 'now').mockReturnValue(new Date(iso));

  beforeAll(async () => {
    server = await startTestServer();
    clock = server.app.get(Clock);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => server.close());

  /** A, B and C platoons anchored on consecutive days, two members each, and a weekday office shift. */
  async function world() {
    const dept = await TestDepartment.create(server);
    const [a1, a2, b1, b2, c1, c2, clerk] = await dept.newMembers(7);
    const create = async (name: string, schedule: object, members: TestMember[]) => {
      const res = await dept.asAdmin().post('/api/shifts').send({ name, schedule }).expect(201);
      await dept.asAdmin().put(`/api/shifts/${res.body.id}/members`).send({ userIds: members.map((m) => m.id) }).expect(200);
      return res.body.id as number;
    };
    const shifts = {
      A: await create('A-shift', platoon('2026-01-01'), [a1, a2]),
      B: await create('B-shift', platoon('2026-01-02'), [b1, b2]),
      C: await create('C-shift', platoon('2026-01-03'), [c1, c2]),
      office: await create('Office', weekdays, [clerk]),
    };
    return { dept, shifts, a1, a2, b1, b2, c1, c2, clerk };
  }

  const onDuty = async (dept: TestDepartment) => {
    const res = await dept.asAdmin().get('/api/shifts').expect(200);
    return (res.body as { name: string; onDutyNow: boolean }[]).filter((s) => s.onDutyNow).map((s) => s.name);
  };

  it('creates a shift with its schedule and lists it with onDutyNow by the clock', async () => {
    const { dept, shifts, a1, a2 } = await world();
    // 2026-03-10 is 68 days after A's anchor: C's day (68 = 2 mod 3); B's tour from the day before runs until 07:00.
    at('2026-03-10T06:59:00Z');
    const list = (await dept.asAdmin().get('/api/shifts').expect(200)).body;
    expect(list[0]).toEqual({ id: shifts.A, name: 'A-shift', memberIds: [a1.id, a2.id].sort((x, y) => x - y), schedule: platoon('2026-01-01'), onDutyNow: false });
    expect(await onDuty(dept)).toEqual(['B-shift']);
    at('2026-03-10T07:00:00Z');
    expect(await onDuty(dept)).toEqual(['C-shift']);
    at('2026-03-11T07:00:00Z');
    expect(await onDuty(dept)).toEqual(['A-shift']);
  });

  it('has exactly one platoon of a 24-on/48-off rotation on duty at any moment, before and after the anchor', async () => {
    const { dept } = await world();
    for (const iso of ['2025-12-30T12:00:00Z', '2026-01-01T06:00:00Z', '2026-01-01T07:30:00Z', '2026-07-04T23:59:00Z', '2027-02-28T07:00:00Z']) {
      at(iso);
      const platoons = (await onDuty(dept)).filter((name) => name !== 'Office');
      expect({ iso, platoons: platoons.length }).toEqual({ iso, platoons: 1 });
    }
  });

  it('keeps weekday hours: on Monday 09:00 to 17:00, off on Saturday', async () => {
    const { dept } = await world();
    const office = async (iso: string) => (at(iso), (await onDuty(dept)).includes('Office'));
    expect(await office('2026-12-07T08:59:00Z')).toBe(false); // Monday, before
    expect(await office('2026-12-07T09:00:00Z')).toBe(true);
    expect(await office('2026-12-11T16:59:00Z')).toBe(true); // Friday
    expect(await office('2026-12-07T17:00:00Z')).toBe(false);
    expect(await office('2026-12-12T10:00:00Z')).toBe(false); // Saturday
  });

  it("keeps a tour at the wall-clock time of its time zone across daylight saving time", async () => {
    const dept = await TestDepartment.create(server);
    const [medic] = await dept.newMembers(1);
    const day = { startTime: '07:00', lengthHours: 12, onDays: 1, offDays: 0, anchorDate: '2026-01-01', timeZone: 'America/Chicago' };
    const res = await dept.asAdmin().post('/api/shifts').send({ name: 'Days', schedule: day }).expect(201);
    expect(res.body.schedule).toEqual(day);
    await dept.asAdmin().put(`/api/shifts/${res.body.id}/members`).send({ userIds: [medic.id] }).expect(200);
    const directory = server.app.get(DepartmentDirectory);
    const onDutyAt = (iso: string) => directory.onDutyMemberIds(dept.id, new Date(iso));
    // January: Central Standard Time, UTC-6; July: Central Daylight Time, UTC-5.
    expect(await onDutyAt('2026-01-15T12:59:00Z')).toEqual([]);
    expect(await onDutyAt('2026-01-15T13:00:00Z')).toEqual([medic.id]);
    expect(await onDutyAt('2026-07-15T12:00:00Z')).toEqual([medic.id]);
    expect(await onDutyAt('2026-07-15T23:59:00Z')).toEqual([medic.id]);
    expect(await onDutyAt('2026-07-16T00:00:00Z')).toEqual([]);
  });

  it("answers the directory's question: the active members on duty at a time, of that department only", async () => {
    const { dept, a1, a2, b1, b2, c1, c2, clerk } = await world();
    const other = await world();
    const directory = server.app.get(DepartmentDirectory);
    await dept.asAdmin().patch(`/api/department/members/${a2.id}`).send({ active: false }).expect(200);
    const ids = (...members: TestMember[]) => members.map((m) => m.id).sort((x, y) => x - y);
    expect(await directory.onDutyMemberIds(dept.id, new Date('2026-03-10T06:59:00Z'))).toEqual(ids(b1, b2));
    expect(await directory.onDutyMemberIds(dept.id, new Date('2026-03-11T10:00:00Z'))).toEqual(ids(a1, clerk));
    // Both departments run the same rotation: each gets its own C platoon.
    expect(await directory.onDutyMemberIds(dept.id, new Date('2026-03-10T07:00:00Z'))).toEqual(ids(c1, c2));
    expect(await directory.onDutyMemberIds(other.dept.id, new Date('2026-03-10T07:00:00Z'))).toEqual(ids(other.c1, other.c2));
  });

  it('replaces a schedule, and a shift without one is never on duty', async () => {
    const dept = await TestDepartment.create(server);
    const created = await dept.asAdmin().post('/api/shifts').send({ name: 'Relief' }).expect(201);
    expect(created.body).toMatchObject({ name: 'Relief', memberIds: [], schedule: null, onDutyNow: false });
    at('2026-05-05T12:00:00Z');
    // No timeZone given: UTC.
    const always = { startTime: '00:00', lengthHours: 24, onDays: 1, offDays: 0, anchorDate: '2026-01-01' };
    const res = await dept.asAdmin().put(`/api/shifts/${created.body.id}/schedule`).send(always).expect(200);
    expect(res.body).toMatchObject({ id: created.body.id, schedule: { ...always, timeZone: 'UTC' }, onDutyNow: true });
    await dept.asAdmin().put(`/api/shifts/${created.body.id}/schedule`).send({ ...always, lengthHours: 1 }).expect(200);
    expect(await onDuty(dept)).toEqual([]);
  });

  it('refuses a bad schedule with 400 naming the field, and changes nothing', async () => {
    const { dept, shifts } = await world();
    const before = (await dept.asAdmin().get('/api/shifts').expect(200)).body;
    const good = platoon('2026-01-01');
    const cases: [object, string][] = [
      [{ ...good, startTime: '24:00' }, 'startTime'],
      [{ ...good, startTime: '7:00' }, 'startTime'],
      [{ ...good, lengthHours: 0 }, 'lengthHours'],
      [{ ...good, lengthHours: 25 }, 'lengthHours'],
      [{ ...good, lengthHours: 8.5 }, 'lengthHours'],
      [{ ...good, onDays: 0 }, 'onDays'],
      [{ ...good, offDays: -1 }, 'offDays'],
      [{ ...good, anchorDate: '2026-02-30' }, 'anchorDate'],
      [{ ...good, anchorDate: 'tomorrow' }, 'anchorDate'],
      [{ ...good, anchorDate: undefined }, 'anchorDate'],
      [{ ...good, timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ ...good, timeZone: '+02:00' }, 'timeZone'],
      [{ ...good, shiftChange: '07:00' }, 'shiftChange'],
    ];
    for (const [body, field] of cases) {
      const res = await dept.asAdmin().put(`/api/shifts/${shifts.A}/schedule`).send(body).expect(400);
      expect(res.body.message).toContain(field);
    }
    const create = await dept.asAdmin().post('/api/shifts').send({ name: 'D-shift', schedule: { ...good, onDays: 'one' } }).expect(400);
    expect(create.body.message).toContain('schedule.onDays');
    expect((await dept.asAdmin().get('/api/shifts').expect(200)).body).toEqual(before);
  });

  it('lets only admins set a schedule, and only on their own department’s shifts', async () => {
    const { dept, shifts } = await world();
    const other = await TestDepartment.create(server);
    const member = await dept.newMember();
    await dept.as(member).put(`/api/shifts/${shifts.A}/schedule`).send(platoon('2026-06-01')).expect(403);
    const res = await other.asAdmin().put(`/api/shifts/${shifts.A}/schedule`).send(platoon('2026-06-01')).expect(404);
    expect(res.body.message).toContain(`Shift ${shifts.A}`);
    const groups = await dept.asAdmin().post('/api/groups').send({ name: 'Station 9' }).expect(201);
    await dept.asAdmin().put(`/api/shifts/${groups.body.id}/schedule`).send(platoon('2026-06-01')).expect(404);
    const list = (await dept.asAdmin().get('/api/shifts').expect(200)).body as { id: number; schedule: object }[];
    expect(list.find((s) => s.id === shifts.A)!.schedule).toEqual(platoon('2026-01-01'));
  });
});
