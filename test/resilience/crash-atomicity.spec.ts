import { createECDH, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import webpush from 'web-push';
import { findFreePort } from '../../src/database/embedded-postgres';
import { createDatabase } from '../support/test-server';
import { signUp } from '../support/factories';
import { ensureBuilt, startServerProcess, tokens, type ServerProcess } from './support/server-process';

const GROUP_SIZE = 200;
const SENDERS = 4;
const CONVERSATIONS = 6;
const WRITERS_PER_CONVERSATION = 4;
/** Recipients with a device: each send queues one push per device. */
const SUBSCRIBED_RECIPIENTS = 12;

const vapid = webpush.generateVAPIDKeys();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A push service that accepts every push: the queue can drain. */
async function acceptingPushService(): Promise<{ server: Server; url: string; received: () => number }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received: () => received };
}

describe('a server killed in the middle of sends', () => {
  let database: { url: string; drop: () => Promise<void> };
  let db: Client;
  let push: Awaited<ReturnType<typeof acceptingPushService>>;
  const processes: ServerProcess[] = [];

  const start = async (port: number) => {
    const server = await startServerProcess(port, {
      DATABASE_URL: database.url,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      PUSH_ENDPOINT_ALLOWLIST: push.url,
      PUSH_POLL_INTERVAL_MS: '500',
      PUSH_RETRY_DELAY_SECONDS: '1',
    });
    processes.push(server);
    return server;
  };

  beforeAll(async () => {
    await ensureBuilt();
    database = await createDatabase();
    db = new Client({ connectionString: database.url });
    await db.connect();
    push = await acceptingPushService();
  }, 60_000);

  afterAll(async () => {
    for (const p of processes) await p.kill('SIGKILL');
    await db?.end();
    push?.server.closeAllConnections();
    await new Promise((r) => push?.server.close(r));
    await database?.drop();
  });

  it('leaves every send with all its recipients or none, every conversation gapless, and every queued push', async () => {
    const port = await findFreePort(47000 + Math.floor(Math.random() * 2000));
    const first = await start(port);
    const call = async (server: ServerProcess, token: string, method: string, path: string, body?: object) => {
      const res = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as any };
    };

    // The department and its admin through the API; the members in one statement.
    const signup = await signUp(first.baseUrl, 'Crash County', `admin-${randomBytes(4).toString('hex')}@test.example`, 'admin-password');
    const { departmentId } = signup;
    const adminToken = tokens.sign({ sub: signup.adminId, dept: departmentId });
    const { rows: members } = await db.query<{ id: number }>(
      `insert into members (department_id, name, email, password_hash, permissions)
       select $1, 'Member ' || n, 'crash-' || n || '-' || $2 || '@test.example', 'scrypt$none$none',
              array['Messages_View', 'Messages_Create', 'Messages_Delete']
       from generate_series(1, $3) n returning id`,
      [departmentId, randomBytes(4).toString('hex'), GROUP_SIZE + SENDERS + CONVERSATIONS * WRITERS_PER_CONVERSATION],
    );
    const ids = members.map((m) => m.id);
    const recipients = ids.slice(0, GROUP_SIZE);
    const senders = ids.slice(GROUP_SIZE, GROUP_SIZE + SENDERS);
    const writers = ids.slice(GROUP_SIZE + SENDERS);
    const group = await call(first, adminToken, 'POST', '/api/groups', { name: 'Station 1' });
    expect(await call(first, adminToken, 'PUT', `/api/groups/${group.body.id}/members`, { userIds: recipients })).toMatchObject({ status: 200 });

    // Each conversation: its writers, plus two recipients who are offline with a device.
    const conversations: { id: number; writers: number[] }[] = [];
    for (let c = 0; c < CONVERSATIONS; c++) {
      const mine = writers.slice(c * WRITERS_PER_CONVERSATION, (c + 1) * WRITERS_PER_CONVERSATION);
      const res = await call(first, adminToken, 'POST', '/api/conversations', { title: `Ops ${c}`, memberIds: [...mine, ...recipients.slice(c * 2, c * 2 + 2)] });
      expect(res.status).toBe(201);
      conversations.push({ id: res.body.id, writers: mine });
    }
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    await db.query(
      `insert into push_subscriptions (department_id, user_id, endpoint, p256dh, auth)
       select $1, u, $2 || '/push/' || u, $3, $4 from unnest($5::int[]) u`,
      [departmentId, push.url, ecdh.getPublicKey().toString('base64url'), randomBytes(16).toString('base64url'), recipients.slice(0, SUBSCRIBED_RECIPIENTS)],
    );

    // Load: every sender sends to the whole group, every writer writes, until the kill.
    const ackedMail: { id: number; recipientCount: number }[] = [];
    const ackedChat: { conversationId: number; seq: number; clientId: string }[] = [];
    let failedAfterKill = 0;
    let busy = 0;
    let running = true;
    const mailLoop = async (senderId: number) => {
      const token = tokens.sign({ sub: senderId, dept: departmentId });
      for (let i = 0; running; i++) {
        try {
          const res = await call(first, token, 'POST', '/api/messages', {
            subject: `Recall ${senderId}-${i}`,
            body: '<p>All hands to Station 1</p>',
            sendMode: 'specific',
            groupIds: [group.body.id],
          });
          if (res.status === 201) ackedMail.push(res.body);
          // A 503 (the pool stayed busy past its bound on a loaded machine) is an unacknowledged send, as a client sees it.
          else if (res.status === 503) busy++;
          else if (running) throw new Error(`send answered ${res.status}: ${JSON.stringify(res.body)}`);
        } catch (error) {
          if (running) throw error;
          failedAfterKill++;
        }
      }
    };
    const chatLoop = async (conversationId: number, writerId: number) => {
      const token = tokens.sign({ sub: writerId, dept: departmentId });
      for (let i = 0; running; i++) {
        const clientId = `${writerId}-${i}`;
        try {
          const res = await call(first, token, 'POST', `/api/conversations/${conversationId}/messages`, { body: `status ${i}`, clientId });
          if (res.status === 201) ackedChat.push({ conversationId, seq: res.body.seq, clientId });
          else if (res.status === 503) busy++;
          else if (running) throw new Error(`post answered ${res.status}: ${JSON.stringify(res.body)}`);
        } catch (error) {
          if (running) throw error;
          failedAfterKill++;
        }
      }
    };
    const load = Promise.all([
      ...senders.flatMap((s) => [mailLoop(s), mailLoop(s)]),
      ...conversations.flatMap((c) => c.writers.map((w) => chatLoop(c.id, w))),
    ]);
    const deadline = Date.now() + 15_000;
    while ((ackedMail.length < 40 || ackedChat.length < 150) && Date.now() < deadline) await pause(20);
    // Killed with requests in flight: some transactions are open, some commits unanswered.
    const inFlightMail = ackedMail.length;
    const inFlightChat = ackedChat.length;
    const killed = first.kill('SIGKILL');
    running = false;
    expect(await killed).toBe('SIGKILL');
    await load;
    expect(inFlightMail).toBeGreaterThan(0);
    expect(inFlightChat).toBeGreaterThan(0);

    const restartedAt = (await db.query<{ now: Date }>('select now()')).rows[0].now;
    const second = await start(port);

    // Every message has all its recipients or does not exist.
    const mail = await db.query<{ id: number; recipient_count: number; stored: string }>(
      `select m.id, m.recipient_count, (select count(*) from mail_recipients r where r.message_id = m.id) as stored
       from mail_messages m where m.department_id = $1`,
      [departmentId],
    );
    const partial = mail.rows.filter((m) => Number(m.stored) !== m.recipient_count || m.recipient_count !== GROUP_SIZE);
    expect(partial).toEqual([]);
    const storedMail = new Set(mail.rows.map((m) => m.id));
    expect(ackedMail.filter((m) => !storedMail.has(m.id))).toEqual([]);
    expect(ackedMail.every((m) => m.recipientCount === GROUP_SIZE)).toBe(true);
    const orphanRecipients = await db.query(
      'select count(*)::int as n from mail_recipients r where r.department_id = $1 and not exists (select 1 from mail_messages m where m.id = r.message_id)',
      [departmentId],
    );
    expect(orphanRecipients.rows[0].n).toBe(0);

    // Every conversation numbers its messages 1..last_seq, once each.
    const seqs = await db.query<{ id: number; last_seq: number; n: number; lo: number | null; hi: number | null; distinct_seq: number }>(
      `select c.id, c.last_seq, count(m.seq)::int as n, min(m.seq) as lo, max(m.seq) as hi, count(distinct m.seq)::int as distinct_seq
       from conversations c left join conversation_messages m on m.conversation_id = c.id
       where c.department_id = $1 group by c.id`,
      [departmentId],
    );
    for (const c of seqs.rows) expect({ id: c.id, n: c.n, lo: c.lo, hi: c.hi, distinct: c.distinct_seq }).toEqual({ id: c.id, n: c.last_seq, lo: 1, hi: c.last_seq, distinct: c.last_seq });
    const chatRows = await db.query<{ conversation_id: number; seq: number; client_id: string | null }>(
      'select conversation_id, seq, client_id from conversation_messages where department_id = $1',
      [departmentId],
    );
    const storedChat = new Map(chatRows.rows.map((r) => [`${r.conversation_id}:${r.seq}`, r.client_id]));
    expect(ackedChat.filter((m) => storedChat.get(`${m.conversationId}:${m.seq}`) !== m.clientId)).toEqual([]);

    // Every push event committed with a message has its job; the queue drains after the restart.
    const events = await db.query<{ id: string }>('select id from push_events where department_id = $1', [departmentId]);
    const jobs = await db.query<{ event_id: string; state: string }>(
      `select data->>'eventId' as event_id, state from pgboss.job where name = 'push-event'
       union all select data->>'eventId', state from pgboss.archive where name = 'push-event'`,
    );
    const jobbed = new Set(jobs.rows.map((j) => j.event_id));
    expect(events.rows.filter((e) => !jobbed.has(e.id))).toEqual([]);
    expect(jobs.rows.length).toBe(events.rows.length);
    expect(events.rows.length).toBeGreaterThanOrEqual(storedMail.size);

    // Jobs that were running when the process died stay 'active' until pg-boss expires them and retries;
    // everything else is worked off by the new process.
    let waiting: { name: string; state: string; n: number }[] = [];
    const drainBy = Date.now() + 30_000;
    do {
      await pause(500);
      waiting = (
        await db.query<{ name: string; state: string; n: number }>(
          `select name, state, count(*)::int as n from pgboss.job
           where name in ('push-event', 'push-device') and state in ('created', 'retry', 'failed') group by name, state`,
        )
      ).rows;
    } while (waiting.length > 0 && Date.now() < drainBy);
    expect(waiting).toEqual([]);
    const orphaned = await db.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name in ('push-event', 'push-device') and state = 'active' and started_on < $1`,
      [restartedAt],
    );
    const sent = await db.query<{ n: number }>(`select count(*)::int as n from push_deliveries where department_id = $1 and status = 'sent'`, [departmentId]);
    expect(sent.rows[0].n).toBeGreaterThan(0);

    // The restarted server serves the same data.
    const inbox = await call(second, tokens.sign({ sub: recipients[0], dept: departmentId }), 'GET', '/api/messages/inbox?limit=1');
    expect(inbox.status).toBe(200);

    const checked = mail.rows.length + chatRows.rows.length;
    console.log(
      `crash: checked ${mail.rows.length} sends (${mail.rows.length * GROUP_SIZE} recipient rows; ${ackedMail.length} acknowledged) and ` +
        `${chatRows.rows.length} conversation messages in ${seqs.rows.length} conversations (${ackedChat.length} acknowledged); ` +
        `${failedAfterKill} requests cut by the kill, ${busy} answered 503 before it; ${events.rows.length} push events all with their job; ` +
        `${orphaned.rows[0].n} jobs left active by the kill; ${sent.rows[0].n} pushes sent after restart; ${checked} messages in all`,
    );
  }, 60_000);
});
