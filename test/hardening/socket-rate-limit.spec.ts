import request from 'supertest';
import { TestDepartment } from '../support/factories';
import { closeAllSockets, connectSocket } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

const LIMIT = 5;

/** Limits count per minute; a test that needs one window to itself waits out a minute's last seconds. */
async function freshWindow() {
  const into = Date.now() % 60_000;
  if (into > 52_000) await new Promise((r) => setTimeout(r, 60_000 - into + 50));
}

describe('socket rate limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT: 'on', SOCKET_EVENTS_PER_MINUTE: String(LIMIT) });
  });
  afterAll(async () => {
    closeAllSockets();
    await server.close();
  });

  it('acks 429 with a message once a user is over the limit, stores nothing then, and counts each user apart', async () => {
    const dept = await TestDepartment.create(server);
    const [a, b] = await dept.newMembers(2);
    const conversation = (await dept.as(a).post('/api/conversations').send({ title: 'Crew', memberIds: [b.id] }).expect(201)).body.id;
    await freshWindow();
    const socketA = await connectSocket(server.baseUrl, a.token);
    const socketB = await connectSocket(server.baseUrl, b.token);
    const acks = [];
    for (let i = 0; i < LIMIT; i++) acks.push(await socketA.emitWithAck('conversation:send', { conversationId: conversation, body: `m${i}`, clientId: `c${i}` }));
    expect(acks.every((ack) => ack.ok)).toBe(true);

    const over = await socketA.emitWithAck('conversation:send', { conversationId: conversation, body: 'one too many', clientId: 'c-over' });
    expect(over).toEqual({ ok: false, error: { statusCode: 429, message: expect.stringMatching(/^Too many socket events; try again in \d+ s$/) } });
    // Reads count against the same limit, malformed payloads too.
    expect(await socketA.emitWithAck('conversation:read', { conversationId: conversation, seq: 1 })).toMatchObject({ ok: false, error: { statusCode: 429 } });
    expect(await socketA.emitWithAck('conversation:read', 'nonsense' as never)).toMatchObject({ ok: false, error: { statusCode: 429 } });

    // The other member is not held back by the first one's count.
    expect(await socketB.emitWithAck('conversation:read', { conversationId: conversation, seq: LIMIT })).toMatchObject({ ok: true });
    const history = await dept.as(b).get(`/api/conversations/${conversation}/messages?after=0`).expect(200);
    expect(history.body.items.map((m: { body: string }) => m.body)).not.toContain('one too many');
    expect(socketA.connected).toBe(true);
  });

  it('counts all sockets of one user together', async () => {
    const dept = await TestDepartment.create(server);
    const [a, b] = await dept.newMembers(2);
    const conversation = (await dept.as(a).post('/api/conversations').send({ title: 'Crew', memberIds: [b.id] }).expect(201)).body.id;
    await freshWindow();
    const phone = await connectSocket(server.baseUrl, a.token);
    const laptop = await connectSocket(server.baseUrl, a.token);
    const results = [];
    for (let i = 0; i < LIMIT + 1; i++) {
      const socket = i % 2 ? laptop : phone;
      results.push(await socket.emitWithAck('conversation:read', { conversationId: conversation, seq: 1 }));
    }
    expect(results.map((r) => r.ok)).toEqual([...Array(LIMIT).fill(true), false]);
  });

  it('shares one limit per user between two processes on one Redis', async () => {
    const second = await startTestServer({ RATE_LIMIT: 'on', SOCKET_EVENTS_PER_MINUTE: String(LIMIT), REDIS_URL: 'redis://127.0.0.1:6379' }, server.databaseUrl);
    const first = await startTestServer({ RATE_LIMIT: 'on', SOCKET_EVENTS_PER_MINUTE: String(LIMIT), REDIS_URL: 'redis://127.0.0.1:6379' }, server.databaseUrl);
    try {
      const dept = await TestDepartment.create(first);
      const [a, b] = await dept.newMembers(2);
      const conversation = (await dept.as(a).post('/api/conversations').send({ title: 'Crew', memberIds: [b.id] }).expect(201)).body.id;
      await freshWindow();
      const one = await connectSocket(first.baseUrl, a.token);
      const two = await connectSocket(second.baseUrl, a.token);
      const results = [];
      for (let i = 0; i < LIMIT + 1; i++) results.push(await (i % 2 ? two : one).emitWithAck('conversation:read', { conversationId: conversation, seq: 1 }));
      expect(results.map((r) => r.ok)).toEqual([...Array(LIMIT).fill(true), false]);
    } finally {
      closeAllSockets();
      await first.app.close();
      await second.app.close();
    }
  });

  it('RATE_LIMIT=off lifts every limit: sockets, mass sends and logins', async () => {
    const open = await startTestServer({ RATE_LIMIT: 'off', SOCKET_EVENTS_PER_MINUTE: '1', MASS_SENDS_PER_MINUTE: '1', LOGIN_ATTEMPTS_PER_MINUTE: '1' });
    try {
      const dept = await TestDepartment.create(open);
      const [a, b] = await dept.newMembers(2);
      for (let i = 0; i < 3; i++) {
        await dept.as(a).post('/api/messages').send({ subject: 'S', body: 'x', sendMode: 'specific', userIds: [b.id] }).expect(201);
        await request(open.baseUrl).post('/api/auth/login').send({ email: a.email, password: 'wrong-password' }).expect(401);
      }
      const conversation = (await dept.as(a).post('/api/conversations').send({ title: 'Crew', memberIds: [b.id] }).expect(201)).body.id;
      const socket = await connectSocket(open.baseUrl, a.token);
      for (let i = 0; i < 3; i++) expect(await socket.emitWithAck('conversation:read', { conversationId: conversation, seq: 1 })).toMatchObject({ ok: true });
    } finally {
      closeAllSockets();
      await open.close();
    }
  });
});
