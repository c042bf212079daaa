import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, connectSocket, nextEvent, type MessagesClient } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';
import { eventually } from '../support/push-service';
import { ownRedis } from './support/own-redis';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LOGINS_PER_MINUTE = 10;

/** Log lines of one server process, to count its warnings. */
function logCapture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('two server processes while their Redis goes away and comes back', () => {
  let redis: Awaited<ReturnType<typeof ownRedis>>;
  let first: TestServer;
  let second: TestServer;
  const firstLog = logCapture();
  const secondLog = logCapture();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    redis = await ownRedis();
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      RATE_LIMIT: 'on',
      LOGIN_ATTEMPTS_PER_MINUTE: String(LOGINS_PER_MINUTE),
      LOG_LEVEL: 'info',
    };
    first = await startTestServer(env, undefined, { logDestination: firstLog.stream });
    second = await startTestServer(env, first.databaseUrl, { logDestination: secondLog.stream });
  }, 60_000);

  afterAll(async () => {
    closeAllSockets();
    await second?.app.close();
    await first?.close();
    await redis?.stop();
    process.off('unhandledRejection', onUnhandled);
  });

  /** Wrong-password logins for `email`, alternating between the processes listed: their statuses. */
  const logins = async (email: string, servers: TestServer[], count: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const res = await request(servers[i % servers.length].baseUrl).post('/api/auth/login').send({ email, password: 'wrong-password' });
      statuses.push(res.status);
    }
    return statuses;
  };
  const healthOf = async (server: TestServer) => (await request(server.baseUrl).get('/api/health')).body;
  const warnings = (lines: string[]) => lines.filter((l) => l.includes('Redis is unavailable')).length;

  it('serves without Redis (local delivery, limits per process, health degraded, one warning) and shares again once it is back', async () => {
    const dept = await TestDepartment.create(first);
    const [ann, bob, cal] = await dept.newMembers(3);
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'Across', memberIds: [bob.id, cal.id] }).expect(201);
    const annOnFirst = await connectSocket(first.baseUrl, ann.token);
    const calOnFirst = await connectSocket(first.baseUrl, cal.token);
    const bobOnSecond = await connectSocket(second.baseUrl, bob.token);
    const across = async (body: string) => {
      const heard = nextEvent(bobOnSecond, 'conversation:message', (m) => m.body === body, 5_000);
      await dept.as(ann).post(`/api/conversations/${conversation.id}/messages`).send({ body }).expect(201);
      return heard;
    };
    await across('before the outage');
    expect((await healthOf(first)).status).toBe('ok');

    await redis.stop();
    const down = Date.now();

    // Traffic on both processes, over HTTP and sockets, while Redis is away.
    const statuses: number[] = [];
    const acks: unknown[] = [];
    let running = true;
    const httpUser = async (me: TestMember, server: TestServer) => {
      for (let i = 0; running; i++) {
        const agent = request(server.baseUrl);
        const res =
          i % 3 === 0
            ? await agent.post(`/api/conversations/${conversation.id}/messages`).set('Authorization', me.auth).send({ body: `http ${me.id}-${i}` })
            : i % 3 === 1
              ? await agent.get('/api/messages/inbox').set('Authorization', me.auth)
              : await agent.get(`/api/conversations/${conversation.id}/messages?limit=5`).set('Authorization', me.auth);
        statuses.push(res.status);
        await pause(30);
      }
    };
    const socketUser = async (socket: MessagesClient, tag: string) => {
      for (let i = 0; running; i++) {
        acks.push(await socket.timeout(5_000).emitWithAck('conversation:send', { conversationId: conversation.id, body: `${tag} ${i}`, clientId: `${tag}-${i}` }));
        await pause(100);
      }
    };
    const traffic = Promise.all([httpUser(ann, first), httpUser(bob, second), socketUser(annOnFirst, 'ann-socket'), socketUser(bobOnSecond, 'bob-socket')]);

    // Sockets of the process that sends keep getting every event: over HTTP and over a socket.
    const localHttp = nextEvent(annOnFirst, 'conversation:message', (m) => m.body === 'local over HTTP', 5_000);
    await dept.as(cal).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'local over HTTP' }).expect(201);
    expect(await localHttp).toEqual(expect.objectContaining({ senderId: cal.id }));
    const localSocket = nextEvent(annOnFirst, 'conversation:message', (m) => m.body === 'local over a socket', 5_000);
    expect(await calOnFirst.timeout(5_000).emitWithAck('conversation:send', { conversationId: conversation.id, body: 'local over a socket', clientId: 'cal-1' })).toEqual(
      expect.objectContaining({ ok: true }),
    );
    expect(await localSocket).toEqual(expect.objectContaining({ senderId: cal.id }));

    // Limits still apply, counted by each process alone.
    const limitedAlone = await logins(`nobody-${randomBytes(3).toString('hex')}@test.example`, [first], LOGINS_PER_MINUTE + 2);
    expect(limitedAlone.slice(0, LOGINS_PER_MINUTE)).toEqual(Array(LOGINS_PER_MINUTE).fill(401));
    expect(limitedAlone.slice(LOGINS_PER_MINUTE)).toEqual([429, 429]);

    // Health: the server serves, and says what it is missing.
    const degraded = [await healthOf(first), await healthOf(second)];
    await pause(Math.max(0, down + 4_000 - Date.now()));
    running = false;
    await traffic;

    expect(degraded.map((h) => h.status)).toEqual(['degraded', 'degraded']);
    expect(degraded[0].details.redis.status).toBe('degraded');
    expect(degraded[0].details.database.status).toBe('up');
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s >= 300)).toEqual([]);
    expect(acks.length).toBeGreaterThan(10);
    expect(acks.filter((a) => (a as { ok: boolean }).ok !== true)).toEqual([]);
    // One warning per process for the whole outage, however many requests and reconnection attempts it saw
    // (Nest's logger is one per jest process: the two processes' lines may land in either capture).
    expect(warnings([...firstLog.lines, ...secondLog.lines])).toBe(2);

    await redis.start();
    const up = Date.now();
    const healed = async (server: TestServer) => {
      while (Date.now() - up < 20_000) {
        if ((await healthOf(server)).status === 'ok') return Date.now() - up;
        await pause(200);
      }
      return -1;
    };
    const healedIn = [await healed(first), await healed(second)];
    if (healedIn.some((ms) => ms < 0)) console.log(JSON.stringify([await healthOf(first), await healthOf(second)]));
    expect(healedIn.every((ms) => ms >= 0)).toBe(true);
    expect((await healthOf(first)).details.redis).toEqual({ status: 'up' });

    // The two processes share again: events cross over, and one limit counts the attempts on both.
    expect(await across('after the outage')).toEqual(expect.objectContaining({ senderId: ann.id }));
    // Six attempts on each process: only a shared count reaches the limit. A count that timed out on a
    // loaded machine is counted locally for the next two seconds, so a fresh email is tried again, a
    // second apart, for up to ten seconds: sharing must resume within them.
    let shared: number[] = [];
    for (let attempt = 0; attempt < 8 && shared.slice(LOGINS_PER_MINUTE).join() !== '429,429'; attempt++) {
      if (attempt > 0) await pause(1_000);
      shared = await logins(`nobody-${randomBytes(3).toString('hex')}@test.example`, [first, second], LOGINS_PER_MINUTE + 2);
    }
    expect(shared.slice(LOGINS_PER_MINUTE)).toEqual([429, 429]);
    expect([...firstLog.lines, ...secondLog.lines].filter((l) => l.includes('Redis is reachable again')).length).toBe(2);
    expect(unhandled).toEqual([]);
    console.log(
      `redis outage: ${statuses.length} HTTP requests and ${acks.length} socket sends on two processes while Redis was away, none failed; ` +
        `healed ${healedIn.join(' and ')} ms after it returned; one warning per process`,
    );
  }, 90_000);

  it('keeps every answer quick while Redis hangs, and shares again once it answers', async () => {
    const dept = await TestDepartment.create(first);
    const [ann, bob] = await dept.newMembers(2);
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'Hung', memberIds: [bob.id] }).expect(201);
    const annOnFirst = await connectSocket(first.baseUrl, ann.token);
    const bobOnSecond = await connectSocket(second.baseUrl, bob.token);

    redis.freeze();
    const outcomes: { status: number; ms: number }[] = [];
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      for (const [me, server] of [
        [ann, first],
        [bob, second],
      ] as const) {
        const started = Date.now();
        const res = await request(server.baseUrl).get('/api/messages/inbox').set('Authorization', me.auth);
        outcomes.push({ status: res.status, ms: Date.now() - started });
      }
      await pause(50);
    }
    const local = nextEvent(annOnFirst, 'conversation:message', (m) => m.body === 'while Redis hangs', 5_000);
    const ack = await annOnFirst.timeout(5_000).emitWithAck('conversation:send', { conversationId: conversation.id, body: 'while Redis hangs', clientId: 'hung-1' });
    expect(ack).toEqual(expect.objectContaining({ ok: true }));
    expect(await local).toEqual(expect.objectContaining({ senderId: ann.id }));
    redis.thaw();

    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
    // One request in a while waits out the half-second timeout; none waits longer.
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(1_500);
    const heard = await eventually(async () => {
      const next = nextEvent(bobOnSecond, 'conversation:message', (m) => m.body === 'after the hang', 1_000).catch(() => null);
      await dept.as(ann).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'after the hang' }).expect(201);
      return next;
    }, 15_000, 200);
    expect(heard).toEqual(expect.objectContaining({ senderId: ann.id }));
    console.log(`redis hang: ${outcomes.length} requests while Redis was stopped with SIGSTOP, all 200, slowest ${Math.max(...outcomes.map((o) => o.ms))} ms`);
  }, 60_000);
});
