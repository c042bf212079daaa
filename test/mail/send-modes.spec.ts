import type { Client } from 'pg';
import { TestDepartment } from '../support/factories';
import type { TestServer } from '../support/test-server';
import { recipientsOf, send, sendOk, sorted, useServerAndDatabase } from './mail-support';

describe('sending a department message: who receives it', () => {
  let server: TestServer;
  let db: Client;
  useServerAndDatabase((s, d) => ([server, db] = [s, d]));

  /** Five members in two overlapping groups and two overlapping roles, and the sender in all of them. */
  async function world() {
    const dept = await TestDepartment.create(server);
    const [sender, a, b, c, d, e] = await dept.newMembers(6);
    const station1 = await dept.newGroup('Station 1', [sender, a, b, c]);
    const station2 = await dept.newGroup('Station 2', [sender, c, d]);
    const emt = await dept.newRole('EMT', [sender, a, c, d]);
    const engineer = await dept.newRole('Engineer', [b, c, e]);
    return { dept, sender, a, b, c, d, e, station1, station2, emt, engineer };
  }

  it('sends "all" to every active member of the department except the sender', async () => {
    const { dept, sender, a, b, c, d, e } = await world();
    const res = await send(dept, sender, { sendMode: 'all' }).expect(201);
    // The admin who made the department is a member too.
    expect(res.body.recipientCount).toBe(6);
    expect(await recipientsOf(db, res.body.id)).toEqual(sorted([dept.admin, a, b, c, d, e]));
  });

  it('sends "match" to members in one of the groups who hold one of the roles, each once', async () => {
    const { dept, sender, a, c, d, station1, station2, emt } = await world();
    const id = await sendOk(dept, sender, { sendMode: 'match', groupIds: [station1, station2], roleIds: [emt] });
    expect(await recipientsOf(db, id)).toEqual(sorted([a, c, d]));
  });

  it('sends "match" with several roles as group AND (any role)', async () => {
    const { dept, sender, a, b, c, station1, emt, engineer } = await world();
    const id = await sendOk(dept, sender, { sendMode: 'match', groupIds: [station1], roleIds: [emt, engineer] });
    expect(await recipientsOf(db, id)).toEqual(sorted([a, b, c]));
  });

  it('refuses "match" without both groupIds and roleIds', async () => {
    const { dept, sender, station1, emt } = await world();
    const noRoles = await send(dept, sender, { sendMode: 'match', groupIds: [station1] }).expect(400);
    expect(noRoles.body.message).toMatch(/match.*needs both groupIds and roleIds/);
    await send(dept, sender, { sendMode: 'match', roleIds: [emt], groupIds: [] }).expect(400);
  });

  it('sends "specific" to the union of named users, group members and role holders, each once and never to the sender', async () => {
    const { dept, sender, a, b, c, d, e, station2, engineer } = await world();
    const id = await sendOk(dept, sender, { sendMode: 'specific', userIds: [a.id, c.id, sender.id], groupIds: [station2], roleIds: [engineer] });
    expect(await recipientsOf(db, id)).toEqual(sorted([a, b, c, d, e]));
  });

  it('refuses "specific" with no list at all', async () => {
    const { dept, sender } = await world();
    const res = await send(dept, sender, { sendMode: 'specific', userIds: [], groupIds: [] }).expect(400);
    expect(res.body.message).toMatch(/specific.*at least one of userIds, groupIds or roleIds/);
  });

  it('excludes members of an excluded shift from a group send but keeps users named explicitly', async () => {
    const { dept, sender, a, b, c, station1 } = await world();
    const aShift = await dept.newShift('A-shift', [a, b]);
    const id = await sendOk(dept, sender, { sendMode: 'specific', groupIds: [station1], userIds: [b.id], excludeShiftIds: [aShift] });
    expect(await recipientsOf(db, id)).toEqual(sorted([b, c]));
  });

  it('excludes shift members from "all" and "match" sends', async () => {
    const { dept, sender, a, b, c, d, e, station1, emt } = await world();
    const bShift = await dept.newShift('B-shift', [c, e]);
    const all = await sendOk(dept, sender, { sendMode: 'all', excludeShiftIds: [bShift] });
    expect(await recipientsOf(db, all)).toEqual(sorted([dept.admin, a, b, d]));
    const match = await sendOk(dept, sender, { sendMode: 'match', groupIds: [station1], roleIds: [emt], excludeShiftIds: [bShift] });
    expect(await recipientsOf(db, match)).toEqual(sorted([a]));
  });

  it('leaves inactive members out, even when named', async () => {
    const { dept, sender, a, b } = await world();
    await dept.asAdmin().patch(`/api/department/members/${b.id}`).send({ active: false }).expect(200);
    const id = await sendOk(dept, sender, { sendMode: 'specific', userIds: [a.id, b.id] });
    expect(await recipientsOf(db, id)).toEqual([a.id]);
  });

  it('answers 400 naming ids of another department, in every list, and sends nothing', async () => {
    const { dept, sender, a, station1 } = await world();
    const other = await TestDepartment.create(server);
    const [stranger] = await other.newMembers(1);
    const theirGroup = await other.newGroup('Their station', [stranger]);
    const theirShift = await other.newShift('Their shift', [stranger]);
    const res = await send(dept, sender, {
      subject: 'cross-department attempt',
      sendMode: 'specific',
      userIds: [a.id, stranger.id],
      groupIds: [station1, theirGroup],
      excludeShiftIds: [theirShift],
    }).expect(400);
    expect(res.body.message).toContain(`userIds ${stranger.id}`);
    expect(res.body.message).toContain(`groupIds ${theirGroup}`);
    expect(res.body.message).toContain(`excludeShiftIds ${theirShift}`);
    const { rowCount } = await db.query(`select 1 from mail_messages where subject = 'cross-department attempt'`);
    expect(rowCount).toBe(0);
  });

  it('answers 400 for an id of the wrong kind (a role id given as a group)', async () => {
    const { dept, sender, emt } = await world();
    const res = await send(dept, sender, { sendMode: 'specific', groupIds: [emt] }).expect(400);
    expect(res.body.message).toContain(`groupIds ${emt}`);
  });

  it('answers 422 when nobody but the sender is left, and stores nothing', async () => {
    const { dept, sender, a } = await world();
    const onlySender = await send(dept, sender, { subject: 'to nobody', sendMode: 'specific', userIds: [sender.id] }).expect(422);
    expect(onlySender.body.message).toMatch(/No recipients/);
    const emptyGroup = await dept.newGroup('Empty station');
    await send(dept, sender, { subject: 'to nobody', sendMode: 'specific', groupIds: [emptyGroup] }).expect(422);
    const lonely = await dept.newGroup('Lonely station', [a]);
    const aShift = await dept.newShift('A-shift', [a]);
    await send(dept, sender, { subject: 'to nobody', sendMode: 'specific', groupIds: [lonely], excludeShiftIds: [aShift] }).expect(422);
    const { rowCount } = await db.query(`select 1 from mail_messages where subject = 'to nobody' and department_id = $1`, [dept.id]);
    expect(rowCount).toBe(0);
  });
});
