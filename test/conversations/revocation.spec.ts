import { LISTENER_PROBE } from '../../src/database/database-notifications';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { MessagesPermission } from '../../src/messages/messages.permissions';
import type { SocketError } from '../../src/messages/realtime/socket-events';
import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, collect, connectSocket, nextEvent, settle, type MessagesClient } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

const { View, Create, Delete } = MessagesPermission;

/** How long each closing took, printed at the end. */
const measured: string[] = [];

/** The reason the server gave and how long after `since` the socket was closed. */
function closing(socket: MessagesClient, since: () => number): Promise<{ reason: SocketError; afterMs: number }> {
  return new Promise((resolve, reject) => {
    let reason: SocketError | undefined;
    const timer = setTimeout(() => reject(new Error('the socket was not closed within 5 s')), 5_000);
    socket.once('session:ended', (r) => (reason = r));
    socket.once('disconnect', () => {
      clearTimeout(timer);
      if (!reason) return reject(new Error('closed without a reason'));
      const afterMs = Date.now() - since();
      if (since() > 0) measured.push(`${reason.message.split(";")[0]}: ${afterMs} ms`);
      resolve({ reason, afterMs });
    });
  });
}

/**
 * A member's open sockets when what they may do changes: the change is announced to every
 * server process, and each one closes the sockets it holds that lost their access, within two
 * seconds, saying why, and sends them nothing more.
 */
function revocationSuite(title: string, servers: () => { change: TestServer; held: TestServer }) {
  describe(title, () => {
    async function world() {
      const { change, held } = servers();
      const dept = await TestDepartment.create(change);
      const [member, colleague] = await dept.newMembers(2);
      const conversation = await dept.as(colleague).post('/api/conversations').send({ title: 'Crew', memberIds: [member.id] }).expect(201);
      const socket = await connectSocket(held.baseUrl, member.token);
      const colleagueSocket = await connectSocket(held.baseUrl, colleague.token);
      return { dept, member, colleague, conversationId: conversation.body.id as number, socket, colleagueSocket };
    }

    /** After the socket closed: a message in the conversation reaches the colleague's socket but not the member's. */
    async function hearsNothingMore(dept: TestDepartment, colleague: TestMember, conversationId: number, socket: MessagesClient, colleagueSocket: MessagesClient) {
      const heard = collect(socket, 'conversation:message');
      const arrived = nextEvent(colleagueSocket, 'conversation:message', (m) => m.body === 'after the change');
      await dept.as(colleague).post(`/api/conversations/${conversationId}/messages`).send({ body: 'after the change' }).expect(201);
      await arrived;
      await settle(200);
      expect(heard).toEqual([]);
      expect(socket.connected).toBe(false);
    }

    it('closes a deactivated member’s socket within two seconds, with the reason', async () => {
      const { dept, member, colleague, conversationId, socket, colleagueSocket } = await world();
      let changedAt = 0;
      const closed = closing(socket, () => changedAt);
      changedAt = Date.now();
      await dept.asAdmin().patch(`/api/department/members/${member.id}`).send({ active: false }).expect(200);
      const { reason, afterMs } = await closed;
      expect(reason).toEqual({ statusCode: 401, message: 'This account is deactivated' });
      expect(afterMs).toBeLessThan(2_000);
      await hearsNothingMore(dept, colleague, conversationId, socket, colleagueSocket);
      expect(colleagueSocket.connected).toBe(true);
    });

    it('closes the socket of a member whose Messages_View is withdrawn, and keeps it for a change that leaves it', async () => {
      const { dept, member, colleague, conversationId, socket, colleagueSocket } = await world();
      // Losing Delete does not touch what the socket needs: the socket is told to read its access again.
      const told = nextEvent(socket, 'access:changed', (c) => c.scope === 'member');
      await dept.asAdmin().patch(`/api/department/members/${member.id}`).send({ permissions: [View, Create] }).expect(200);
      await told;
      await settle(300);
      expect(socket.connected).toBe(true);
      let changedAt = 0;
      const closed = closing(socket, () => changedAt);
      changedAt = Date.now();
      await dept.asAdmin().patch(`/api/department/members/${member.id}`).send({ permissions: [Create, Delete] }).expect(200);
      const { reason, afterMs } = await closed;
      expect(reason).toEqual({ statusCode: 403, message: 'This needs the Messages_View permission' });
      expect(afterMs).toBeLessThan(2_000);
      await hearsNothingMore(dept, colleague, conversationId, socket, colleagueSocket);
    });

    it('closes every socket of the department when the module is switched off', async () => {
      const { dept, socket, colleagueSocket } = await world();
      let changedAt = 0;
      const closed = [socket, colleagueSocket].map((s) => closing(s, () => changedAt));
      changedAt = Date.now();
      await dept.switchMessages(false);
      for (const { reason, afterMs } of await Promise.all(closed)) {
        expect(reason).toEqual({ statusCode: 403, message: 'The messages module is disabled for this department' });
        expect(afterMs).toBeLessThan(2_000);
      }
    });

    it('closes the socket of a token signed out, and every socket of a member whose password changed', async () => {
      const { dept, member, socket } = await world();
      const { change, held } = servers();
      const second = await connectSocket(held.baseUrl, change.tokenFor(member.id, dept.id));
      let changedAt = Date.now();
      const signedOut = closing(socket, () => changedAt);
      await dept.as(member).post('/api/auth/logout').expect(204);
      const { reason, afterMs } = await signedOut;
      expect(reason).toEqual({ statusCode: 401, message: 'This session was signed out' });
      expect(afterMs).toBeLessThan(2_000);
      await settle(300);
      expect(second.connected).toBe(true);

      const third = await connectSocket(held.baseUrl, change.tokenFor(member.id, dept.id));
      changedAt = Date.now();
      const closed = [second, third].map((s) => closing(s, () => changedAt));
      await dept.asAdmin().put(`/api/department/members/${member.id}/password`).send({ password: 'a-new-password' }).expect(204);
      for (const { reason: why, afterMs: took } of await Promise.all(closed)) {
        expect(why).toEqual({ statusCode: 401, message: 'The password was changed; sign in again' });
        expect(took).toBeLessThan(2_000);
      }
    });

    it('leaves the sockets of other departments alone', async () => {
      const { dept, socket } = await world();
      const other = await TestDepartment.create(servers().change);
      const [outsider] = await other.newMembers(1);
      const outsiderSocket = await connectSocket(servers().held.baseUrl, outsider.token);
      const closed = closing(socket, () => 0);
      await dept.switchMessages(false);
      await closed;
      await settle(300);
      expect(outsiderSocket.connected).toBe(true);
    });
  });
}

afterAll(() => console.log(`revocation: sockets closed after ${measured.join(', ')}`));

describe('live revocation', () => {
  let single: TestServer;
  let first: TestServer;
  let second: TestServer;
  beforeAll(async () => {
    single = await startTestServer();
    // A channel prefix of their own, so no other server on this Redis hears these two.
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}` };
    first = await startTestServer(redis);
    second = await startTestServer(redis, first.databaseUrl);
  });
  afterAll(async () => {
    closeAllSockets();
    await second?.close();
    await first?.close();
    await single?.close();
  });

  revocationSuite('in one process', () => ({ change: single, held: single }));
  revocationSuite('with the change made through one process of two on Redis, the socket held by the other', () => ({ change: first, held: second }));
});

describe('a socket whose token expires', () => {
  it('is closed when the token expires, with the reason, and cannot connect again with it', async () => {
    const server = await startTestServer({ JWT_EXPIRES_IN: '2s' });
    try {
      const dept = await TestDepartment.create(server);
      const member = await dept.newMember();
      const issuedAt = Date.now();
      const socket = await connectSocket(server.baseUrl, member.token);
      const { reason, afterMs } = await closing(socket, () => issuedAt);
      expect(reason).toEqual({ statusCode: 401, message: 'Your session has expired; sign in again' });
      // Expiry is counted in whole seconds: between one and a little over two seconds after issue.
      expect(afterMs).toBeGreaterThanOrEqual(900);
      expect(afterMs).toBeLessThan(3_000);
      await expect(connectSocket(server.baseUrl, member.token)).rejects.toThrow('A valid access token is required');
    } finally {
      closeAllSockets();
      await server.close();
    }
  });
});

describe('a change announced while a process was not listening', () => {
  it('is applied to that process’s open sockets once it listens again', async () => {
    const server = await startTestServer();
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const dept = await TestDepartment.create(server);
      const member = await dept.newMember();
      const socket = await connectSocket(server.baseUrl, member.token);
      const closed = closing(socket, () => 0);
      // The process's one listening connection (every channel's) is cut, and the member deactivated with no announcement at all.
      await db.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and (query ilike 'listen %' or query = '${LISTENER_PROBE}')`);
      await db.query('update members set active = false where id = $1', [member.id]);
      const { reason } = await closed;
      expect(reason).toEqual({ statusCode: 401, message: 'This account is deactivated' });
    } finally {
      closeAllSockets();
      await db.end();
      await server.close();
    }
  });
});
