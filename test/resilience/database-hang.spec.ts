import { Client } from 'pg';
import webpush from 'web-push';
import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, connectSocket } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';
import { ownPostgres, type OwnPostgres } from './support/own-postgres';

type Outcome = { route: string; at: number; status: number; ms: number; message?: string; retryAfter?: string };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The README's bound with the default settings: every answer within five seconds while the database hangs. */
const BOUND_MS = 5_000;
const HANG_MS = 12_000;

describe('the server while PostgreSQL hangs', () => {
  let pg: OwnPostgres;
  let server: TestServer;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    pg = await ownPostgres('hang');
    const vapid = webpush.generateVAPIDKeys();
    // The database waits are left at their defaults: the bound under test is the one users get.
    server = await startTestServer(
      { DATABASE_POOL_SIZE: '4', VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, PUSH_POLL_INTERVAL_MS: '500', PRESENCE_HEARTBEAT_MS: '500' },
      pg.url,
    );
  }, 60_000);

  afterAll(async () => {
    closeAllSockets();
    pg?.thaw();
    await server?.close();
    await pg?.remove();
    process.off('unhandledRejection', onUnhandled);
  });

  it('answers every request within the bound with 503 and Retry-After while every PostgreSQL process is stopped, and recovers on SIGCONT', async () => {
    const dept = await TestDepartment.create(server);
    const [ada, ben, cal, dan] = await dept.newMembers(4);
    const conversation = await dept.as(ada).post('/api/conversations').send({ title: 'Night shift', memberIds: [ben.id, dan.id] }).expect(201);
    const conversationId: number = conversation.body.id;

    const ackedMail: number[] = [];
    const ackedChat: { seq: number; body: string }[] = [];
    const outcomes: Outcome[] = [];
    let running = true;
    // Three members writing and reading as fast as they are answered: reads, sends, posts, each waiting on the database.
    const user = async (me: TestMember, other: TestMember) => {
      for (let i = 0; running; i++) {
        const started = Date.now();
        const step = i % 5;
        const routes = ['POST /messages', 'POST /conversations/:id/messages', 'GET /messages/inbox', 'GET /messages/unread/top', 'GET /conversations'];
        const res =
          step === 0
            ? await dept.as(me).post('/api/messages').send({ subject: `Check ${me.id}-${i}`, body: 'Radio check', sendMode: 'specific', userIds: [other.id] })
            : step === 1
              ? await dept.as(me).post(`/api/conversations/${conversationId}/messages`).send({ body: `${me.id}-${i}` })
              : step === 2
                ? await dept.as(me).get('/api/messages/inbox?limit=5')
                : step === 3
                  ? await dept.as(me).get('/api/messages/unread/top?limit=5')
                  : await dept.as(me).get('/api/conversations');
        outcomes.push({ route: routes[step], at: started, status: res.status, ms: Date.now() - started, message: res.body?.message, retryAfter: res.headers['retry-after'] });
        if (res.status === 201 && step === 0) ackedMail.push(res.body.id);
        if (res.status === 201 && step === 1) ackedChat.push({ seq: res.body.seq, body: `${me.id}-${i}` });
        await pause(20);
      }
    };
    const timed = async <T>(work: () => Promise<T>) => {
      const started = Date.now();
      const value = await work();
      return { value, ms: Date.now() - started };
    };
    const health = () => timed(async () => (await server.http().get('/api/health')).status);

    const load = Promise.all([user(ada, ben), user(ben, ada), user(dan, ada)]);
    await pause(1_500);
    const beforeHang = { mail: ackedMail.length, chat: ackedChat.length };
    const bensSocket = await connectSocket(server.baseUrl, ben.token);

    const frozen = Date.now();
    pg.freeze();
    await pause(1_000);
    // Over the socket too: a send is acknowledged within the bound, a new connection refused within it.
    const socketSend = await timed(() => bensSocket.timeout(BOUND_MS * 2).emitWithAck('conversation:send', { conversationId, body: 'anyone?', clientId: 'hang-1' }));
    const refusal = await timed(() =>
      connectSocket(server.baseUrl, cal.token).then(
        () => null,
        (error: Error & { data?: unknown }) => error.data,
      ),
    );
    // A member the server has not seen yet: the token check itself needs the database.
    const stranger = await timed(() => dept.as(cal).get('/api/messages/inbox'));
    const healthDown = await health();
    await pause(Math.max(0, frozen + HANG_MS - Date.now()));
    const healthStillDown = await health();
    const thawed = Date.now();
    pg.thaw();

    // Recovers without anyone touching the server.
    let recoveredIn = -1;
    while (Date.now() - thawed < 15_000) {
      if ((await health()).value === 200) {
        recoveredIn = Date.now() - thawed;
        break;
      }
      await pause(200);
    }
    const afterRecovery = outcomes.length;
    await pause(2_000);
    running = false;
    await load;

    expect(beforeHang.mail).toBeGreaterThan(0);
    expect(beforeHang.chat).toBeGreaterThan(0);
    expect(recoveredIn).toBeGreaterThanOrEqual(0);

    // While the database hung: 503 with Retry-After, each within the bound; never another 5xx.
    // Begun and answered while it hung (one still waiting at SIGCONT may well succeed). Top
    // unread may still be answered from what the process knows of the caller (their unread
    // count and version came with the last change, and nothing can change while it hangs) when
    // there is nothing unread to read.
    const during = outcomes.filter((o) => o.at > frozen + 100 && o.at + o.ms < thawed);
    const fromMemory = (o: (typeof outcomes)[number]) => o.route === 'GET /messages/unread/top' && o.status === 200;
    expect(during.length).toBeGreaterThanOrEqual(6);
    expect(during.filter((o) => o.status !== 503 && !fromMemory(o))).toEqual([]);
    expect(during.filter((o) => o.status === 503).length).toBeGreaterThanOrEqual(6);
    expect(new Set(during.filter((o) => o.status === 503).map((o) => o.retryAfter))).toEqual(new Set(['5']));
    expect(outcomes.filter((o) => o.status >= 500 && o.status !== 503)).toEqual([]);
    expect(outcomes.filter((o) => o.ms >= BOUND_MS)).toEqual([]);
    expect(stranger.value.status).toBe(503);
    expect(stranger.ms).toBeLessThan(BOUND_MS);
    expect(socketSend.value).toEqual({ ok: false, error: { statusCode: 503, message: 'The database is unavailable; try again shortly' } });
    expect(socketSend.ms).toBeLessThan(BOUND_MS);
    expect(refusal.value).toEqual({ statusCode: 503, message: 'The server cannot check your token right now; try again shortly' });
    expect(refusal.ms).toBeLessThan(BOUND_MS);
    // Health tells the truth quickly.
    expect(healthDown.value).toBe(503);
    expect(healthStillDown.value).toBe(503);
    expect(Math.max(healthDown.ms, healthStillDown.ms)).toBeLessThan(2_500);

    // After: the same requests succeed again, on the same process.
    const after = outcomes.slice(afterRecovery);
    expect(after.length).toBeGreaterThan(5);
    expect(after.filter((o) => o.status >= 400)).toEqual([]);

    const db = new Client({ connectionString: pg.url });
    await db.connect();
    try {
      // Every write acknowledged at any time is there.
      const mail = await db.query<{ id: number }>('select id from mail_messages where id = any($1::int[])', [ackedMail]);
      expect(mail.rows.length).toBe(ackedMail.length);
      const history = await dept.as(ada).get(`/api/conversations/${conversationId}/messages?limit=200`).expect(200);
      const stored = new Map<number, string>(history.body.items.map((m: { seq: number; body: string }) => [m.seq, m.body]));
      expect(ackedChat.filter((m) => stored.get(m.seq) !== m.body)).toEqual([]);
      // Nothing the hang interrupted is left holding a transaction open.
      const until = Date.now() + 15_000;
      const openTransactions = async () =>
        (await db.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where state like 'idle in transaction%' and pid <> pg_backend_pid()`)).rows[0].n;
      while ((await openTransactions()) > 0 && Date.now() < until) await pause(250);
      expect(await openTransactions()).toBe(0);

      // The change listener found its way back by itself: a change announced by anyone is heard at
      // once (deaf, the process would keep Dan's principal for up to five seconds more).
      await pause(2_000);
      await dept.as(dan).get('/api/conversations').expect(200);
      await db.query('update members set active = false where id = $1', [dan.id]);
      await db.query(`select pg_notify('principal_changed', $1)`, [JSON.stringify({ userId: dan.id })]);
      const heardBy = Date.now() + 1_000;
      let status = 200;
      while (status === 200 && Date.now() < heardBy) {
        status = (await dept.as(dan).get('/api/conversations')).status;
        if (status === 200) await pause(50);
      }
      expect(status).toBe(401);
    } finally {
      await db.end();
    }
    expect(unhandled).toEqual([]);
    const slowest = (list: Outcome[]) => Math.max(...list.map((o) => o.ms));
    const byRoute = [...new Set(during.map((o) => o.route))].map((r) => `${r} ${slowest(during.filter((o) => o.route === r))} ms`).join(', ');
    console.log(
      `hang: every PostgreSQL process stopped for ${thawed - frozen} ms; ${during.length} requests during it, all 503 with Retry-After, slowest ${slowest(during)} ms (${byRoute}); ` +
        `unknown member's request ${stranger.ms} ms, socket send ${socketSend.ms} ms, refused connection ${refusal.ms} ms; health 503 in ${healthDown.ms} and ${healthStillDown.ms} ms; ` +
        `recovered ${recoveredIn} ms after SIGCONT; ${ackedMail.length + ackedChat.length} acknowledged writes re-read`,
    );
  }, 90_000);
});
