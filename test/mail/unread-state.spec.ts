import { LISTENER_PROBE } from '../../src/database/database-notifications';
import request from 'supertest';
import type { Client } from 'pg';
import { SqlPool } from '../../src/messages/database/sql-pool';
import { TestDepartment, type TestMember } from '../support/factories';
import { createDatabase, startTestServer, type TestServer } from '../support/test-server';
import { openDatabase, sendOk } from './mail-support';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The unread count and newest unread id counted from the recipient rows, the slow way. */
async function countedFromRows(db: Client, userId: number): Promise<{ count: number; newest: number | null }> {
  const { rows } = await db.query<{ count: number; newest: number | null }>(
    `select count(*)::int as count, max(message_id) as newest from mail_recipients
      where user_id = $1 and read_at is null and deleted_at is null and (expires_at is null or expires_at > now())`,
    [userId],
  );
  return rows[0];
}

async function stateRow(db: Client, userId: number) {
  const { rows } = await db.query<{ unread_count: number; newest_unread_id: number | null }>(
    'select unread_count, newest_unread_id from mail_unread_state where user_id = $1',
    [userId],
  );
  return rows[0];
}

/** Requests to one server process as a member. */
const on = (server: TestServer, member: TestMember) => ({
  top: (etag?: string) => {
    const req = request(server.baseUrl).get('/api/messages/unread/top').set('Authorization', member.auth);
    return etag ? req.set('If-None-Match', etag) : req;
  },
  put: (url: string) => request(server.baseUrl).put(url).set('Authorization', member.auth),
  get: (url: string) => request(server.baseUrl).get(url).set('Authorization', member.auth),
  /**
   * The next answer that is not 304 to a poll holding `etag`. Another process learns of a change
   * from its notification, which lands a moment after the write's own answer: the poll sees it
   * within that moment, well before the dashboard's next poll.
   */
  changedFrom: async (etag: string, withinMs = 2_000) => {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const res = await on(server, member).top(etag);
      if (res.status !== 304) return res;
      if (Date.now() > deadline) throw new Error(`still 304 ${withinMs} ms after the change`);
      await sleep(20);
    }
  },
});

describe('per-user unread state', () => {
  let a: TestServer;
  let b: TestServer;
  let db: Client;

  beforeAll(async () => {
    a = await startTestServer();
    // A second server process on the same database.
    b = await startTestServer({}, a.databaseUrl);
    db = await openDatabase(a);
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await b?.close();
    await a?.close();
  });

  async function world() {
    const dept = await TestDepartment.create(a);
    const [sender, reader] = await Promise.all([dept.newMember(), dept.newMember()]);
    return { dept, sender, reader };
  }

  /** The count and top ids the API shows, and that the stored state agrees with the rows. */
  async function expectUnread(reader: TestMember, count: number, topIds: number[]) {
    const top = await on(a, reader).top().expect(200);
    expect(top.body.count).toBe(count);
    expect(top.body.items.map((i: { id: number }) => i.id)).toEqual(topIds);
    const fromRows = await countedFromRows(db, reader.id);
    expect(await stateRow(db, reader.id)).toEqual({ unread_count: fromRows.count, newest_unread_id: fromRows.newest });
    expect(fromRows.count).toBe(count);
  }

  it('keeps the count and the newest unread right through sends, views, batch reads, answers and deletes', async () => {
    const { dept, sender, reader } = await world();
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(await sendOk(dept, sender, { type: 'callback', sendMode: 'specific', userIds: [reader.id] }));
    const newestFirst = [...ids].reverse();
    await expectUnread(reader, 7, newestFirst.slice(0, 5));

    // Viewing the newest reads it: the next one becomes the newest unread.
    await dept.as(reader).get(`/api/messages/${ids[6]}`).expect(200);
    await expectUnread(reader, 6, [ids[5], ids[4], ids[3], ids[2], ids[1]]);

    // Batch mark-read, with an id already read and one that is not theirs.
    const res = await dept.as(reader).put(`/api/messages/read?ids=${ids[5]},${ids[6]},999999`).expect(200);
    expect(res.body).toEqual({ affected: 1 });
    await expectUnread(reader, 5, [ids[4], ids[3], ids[2], ids[1], ids[0]]);

    // An answer reads it; a second answer changes nothing more.
    await dept.as(reader).post(`/api/messages/${ids[4]}/response`).send({ response: 'yes' }).expect(200);
    await dept.as(reader).post(`/api/messages/${ids[4]}/response`).send({ response: 'no' }).expect(200);
    await expectUnread(reader, 4, [ids[3], ids[2], ids[1], ids[0]]);

    // Deleting one unread, then a batch of one unread and one already read.
    await dept.as(reader).delete(`/api/messages/inbox/${ids[3]}`).expect(200);
    await expectUnread(reader, 3, [ids[2], ids[1], ids[0]]);
    await dept.as(reader).delete(`/api/messages/inbox?ids=${ids[2]},${ids[6]}`).expect(200);
    await expectUnread(reader, 2, [ids[1], ids[0]]);

    // The sender's own view and an outbox delete touch nobody's unread state.
    await dept.as(sender).get(`/api/messages/${ids[0]}`).expect(200);
    await dept.as(sender).delete(`/api/messages/outbox/${ids[0]}`).expect(200);
    await expectUnread(reader, 2, [ids[1], ids[0]]);

    await dept.as(reader).put(`/api/messages/read?ids=${ids[0]},${ids[1]}`).expect(200);
    await expectUnread(reader, 0, []);
  });

  it('takes an expired message out of the count by the expiry job, and the ETag changes with it', async () => {
    const { dept, sender, reader } = await world();
    const kept = await sendOk(dept, sender, { sendMode: 'specific', userIds: [reader.id] });
    const expiresAt = new Date(Date.now() + 1_500);
    const expiring = await sendOk(dept, sender, { sendMode: 'specific', userIds: [reader.id], expiresAt: expiresAt.toISOString() });
    await expectUnread(reader, 2, [expiring, kept]);
    const etag = (await on(a, reader).top().expect(200)).headers.etag;
    await on(b, reader).top(etag).expect(304);

    await sleep(expiresAt.getTime() - Date.now() + 2_500);
    // The job wrote the change: the stored state says one, and both processes know the ETag moved.
    expect(await stateRow(db, reader.id)).toEqual({ unread_count: 1, newest_unread_id: kept });
    const fromB = await on(b, reader).top(etag).expect(200);
    expect(fromB.body).toEqual({ count: 1, items: [expect.objectContaining({ id: kept })] });
    await expectUnread(reader, 1, [kept]);
  }, 20_000);

  it('answers 304 in one process without a query, and 200 within moments of a read in the other', async () => {
    const { dept, sender, reader } = await world();
    const first = await sendOk(dept, sender, { sendMode: 'specific', userIds: [reader.id] });
    const second = await sendOk(dept, sender, { sendMode: 'specific', userIds: [reader.id] });
    const etag = (await on(b, reader).top().expect(200)).headers.etag;

    const queries = jest.spyOn(b.app.get(SqlPool), 'query');
    try {
      await on(b, reader).top(etag).expect(304);
      expect(queries).not.toHaveBeenCalled();
    } finally {
      queries.mockRestore();
    }

    await on(a, reader).put(`/api/messages/read?ids=${second}`).expect(200);
    const afterRead = await on(b, reader).changedFrom(etag);
    expect(afterRead.status).toBe(200);
    expect(afterRead.body).toEqual({ count: 1, items: [expect.objectContaining({ id: first })] });
    await on(b, reader).top(afterRead.headers.etag).expect(304);

    // A send through the other process, too.
    const third = await sendOk(dept, sender, { sendMode: 'specific', userIds: [reader.id] });
    const afterSend = await on(b, reader).changedFrom(afterRead.headers.etag);
    expect(afterSend.status).toBe(200);
    expect(afterSend.body.items.map((i: { id: number }) => i.id)).toEqual([third, first]);
  });

  it('sends to 10,000 in one go: every state moves, other processes learn it from one notification, and the sender sees a small first page', async () => {
    const { dept, sender } = await world();
    const { rows } = await db.query<{ id: number }>(
      `insert into members (department_id, name, email, password_hash, permissions)
       select $1::int, 'Member ' || n, 'bulk-' || n || '-' || $1::int || '@test.example', 'scrypt$none$none', array['Messages_View', 'Messages_Create', 'Messages_Delete']
         from generate_series(1, 10000) n returning id`,
      [dept.id],
    );
    const someone: TestMember = { id: rows[0].id, name: 'Member 1', email: '', token: '', auth: `Bearer ${a.tokenFor(rows[0].id, dept.id)}` };
    const before = await on(b, someone).top().expect(200);
    expect(before.body.count).toBe(0);
    await on(b, someone).top(before.headers.etag).expect(304);

    const id = await sendOk(dept, sender, { sendMode: 'all' });
    const after = await on(b, someone).changedFrom(before.headers.etag);
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ count: 1, items: [expect.objectContaining({ id })] });
    const { rows: states } = await db.query<{ n: number }>(
      'select count(*)::int as n from mail_unread_state where department_id = $1 and unread_count = 1 and newest_unread_id = $2',
      [dept.id, id],
    );
    // Every member but the sender: the 10,000, the admin and the reader.
    expect(states[0].n).toBe(10_002);

    const started = Date.now();
    const view = await dept.as(sender).get(`/api/messages/${id}`).expect(200);
    const elapsed = Date.now() - started;
    expect(Buffer.byteLength(view.text)).toBeLessThan(30_000);
    expect(elapsed).toBeLessThan(2_000);
    expect(view.body).toMatchObject({ recipientCount: 10_002, readCount: 0, responses: { yes: 0, no: 0, maybe: 0 } });
    expect(view.body.recipients).toHaveLength(100);
    expect(view.body.recipientsNextCursor).toBe(String(view.body.recipients[99].userId));
    // The rest, paged with that cursor, continues where the first page ended.
    const next = await dept.as(sender).get(`/api/messages/${id}/recipients?cursor=${view.body.recipientsNextCursor}&limit=100`).expect(200);
    expect(next.body.items[0].userId).toBeGreaterThan(view.body.recipients[99].userId);
    expect(next.body.items).toHaveLength(100);
  }, 60_000);

  it('stops answering from memory while the notifications are lost, and starts again once they are back', async () => {
    const { dept, sender, reader } = await world();
    const first = await sendOk(dept, sender, { sendMode: 'specific', userIds: [reader.id] });
    const etag = (await on(b, reader).top().expect(200)).headers.etag;
    await on(b, reader).top(etag).expect(304);

    // Cut every process's listening connection; a change made now is heard by nobody.
    const listeners = `select pid from pg_stat_activity where datname = current_database() and (query ilike 'listen %' or query = '${LISTENER_PROBE}')`;
    const cut = (await db.query<{ pid: number }>(listeners)).rows.map((r) => r.pid);
    expect(cut).toHaveLength(2);
    await db.query('select pg_terminate_backend(pid) from unnest($1::int[]) as t(pid)', [cut]);
    await db.query('update mail_unread_state set version = version + 1 where user_id = $1', [reader.id]);
    // Both processes listen again (after a second), on new connections.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const now = (await db.query<{ pid: number }>(listeners)).rows.map((r) => r.pid);
      if (now.length === 2 && now.every((pid) => !cut.includes(pid))) break;
      if (Date.now() > deadline) throw new Error('the processes did not listen again');
      await sleep(100);
    }
    const queries = jest.spyOn(b.app.get(SqlPool), 'query');
    try {
      // What was cached before the loss is gone: the process asks the database and sees the change.
      const changed = await on(b, reader).top(etag).expect(200);
      expect(changed.body.items.map((i: { id: number }) => i.id)).toEqual([first]);
      expect(queries).toHaveBeenCalled();
    } finally {
      queries.mockRestore();
    }

    // Answering from memory again: a read in the other process turns B's 304 into 200.
    let etagNow = (await on(b, reader).top().expect(200)).headers.etag;
    const until = Date.now() + 10_000;
    for (;;) {
      const spy = jest.spyOn(b.app.get(SqlPool), 'query');
      const res = await on(b, reader).top(etagNow);
      const fromMemory = res.status === 304 && spy.mock.calls.length === 0;
      spy.mockRestore();
      if (fromMemory) break;
      if (res.status === 200) etagNow = res.headers.etag;
      if (Date.now() > until) throw new Error('the process never answered from memory again');
      await sleep(250);
    }
    await on(a, reader).put(`/api/messages/read?ids=${first}`).expect(200);
    const afterRead = await on(b, reader).changedFrom(etagNow);
    expect({ status: afterRead.status, body: afterRead.body }).toEqual({ status: 200, body: { count: 0, items: [] } });
  }, 30_000);

  it('answers the top unread of a user with thousands of read messages from the unread index, its count known from the send', async () => {
    const { dept, sender, reader } = await world();
    const latest = await sendOk(dept, sender, { sendMode: 'specific', userIds: [reader.id] });
    // Thousands of old, read copies in the reader's inbox.
    await db.query(
      `with m as (
         insert into mail_messages (department_id, sender_id, sender_name, subject, body, type, recipient_count, priority)
         select $1, $2, 'Old', 'Old ' || n, '<p>old</p>', 'normal', 1, 'normal' from generate_series(1, 5000) n returning id)
       insert into mail_recipients (message_id, user_id, department_id, read_at, unread) select id, $3, $1, now(), false from m`,
      [dept.id, sender.id, reader.id],
    );
    const queries = jest.spyOn(a.app.get(SqlPool), 'query');
    try {
      const top = await on(a, reader).top().expect(200);
      expect(top.body).toEqual({ count: 1, items: [expect.objectContaining({ id: latest })] });
      // The send's notification brought the count and version: only the top rows are read.
      expect(queries.mock.calls.map((call) => call[2])).toEqual(['mail_unread_top']);

      // A state this process never heard of (written behind its back): one primary-key read of it first.
      const [unheard] = await dept.newMembers(1);
      await db.query(
        `with m as (
           insert into mail_messages (department_id, sender_id, sender_name, subject, body, type, recipient_count, priority)
           values ($1, $2, 'Old', 'Unheard of', '<p>x</p>', 'normal', 1, 'normal') returning id),
         r as (insert into mail_recipients (message_id, user_id, department_id, unread) select id, $3, $1, true from m returning message_id)
         insert into mail_unread_state (user_id, department_id, unread_count, newest_unread_id, version) select $3, $1, 1, message_id, 7 from r`,
        [dept.id, sender.id, unheard.id],
      );
      queries.mockClear();
      const cold = await on(a, unheard).top().expect(200);
      expect(cold.body).toEqual({ count: 1, items: [expect.objectContaining({ subject: 'Unheard of' })] });
      expect(cold.headers.etag).toBe(`"unread-${unheard.id}-7-5"`);
      expect(queries.mock.calls.map((call) => call[2])).toEqual(['mail_unread_state_one', 'mail_unread_top']);
      // Learnt from that read: the next poll with its ETag is a 304 without the database.
      queries.mockClear();
      await on(a, unheard).top().set('If-None-Match', cold.headers.etag).expect(304);
      expect(queries).not.toHaveBeenCalled();
    } finally {
      queries.mockRestore();
    }
    const plan = await db.query(`explain select unread_count from mail_unread_state where user_id = $1 and department_id = $2`, [reader.id, dept.id]);
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan using mail_unread_state_pkey/);
  });
});

describe('per-user unread state across a restart', () => {
  it('keeps the count and the ETag through a restart, and expires a message that came due while the server was down', async () => {
    const database = await createDatabase();
    let server = await startTestServer({}, database.url);
    let db: Client | undefined;
    try {
      const dept = await TestDepartment.create(server);
      const [sender, reader] = await Promise.all([dept.newMember(), dept.newMember()]);
      const kept = await sendOk(dept, sender, { sendMode: 'specific', userIds: [reader.id] });
      const expiresAt = new Date(Date.now() + 2_000);
      await sendOk(dept, sender, { sendMode: 'specific', userIds: [reader.id], expiresAt: expiresAt.toISOString() });
      const before = await on(server, reader).top().expect(200);
      expect(before.body.count).toBe(2);

      // Down until after the expiry; the server closing drops nothing of the job.
      await server.close();
      await sleep(expiresAt.getTime() - Date.now() + 500);
      server = await startTestServer({}, database.url);
      db = await openDatabase(server);

      const deadline = Date.now() + 10_000;
      let count = 2;
      while (count !== 1 && Date.now() < deadline) {
        await sleep(250);
        count = (await on(server, reader).top().expect(200)).body.count;
      }
      expect(count).toBe(1);
      const after = await on(server, reader).top(before.headers.etag).expect(200);
      expect(after.body.items.map((i: { id: number }) => i.id)).toEqual([kept]);
      // The ETag rests on the stored version, so it holds across the restart.
      await on(server, reader).top(after.headers.etag).expect(304);
    } finally {
      await db?.end();
      await server.close();
      await database.drop();
    }
  }, 40_000);
});
