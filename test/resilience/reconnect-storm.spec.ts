import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { io, type Socket } from 'socket.io-client';
import { findFreePort } from '../../src/database/embedded-postgres';
import type { ConversationMessagePayload } from '../../src/messages/realtime/socket-events';
import { createDatabase } from '../support/test-server';
import { signUp } from '../support/factories';
import { ensureBuilt, startServerProcess, tokens, type ServerProcess } from './support/server-process';

const SOCKETS = 1_000;
const USERS = 250; // four devices each
const CONVERSATIONS = 10;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A 503: the one failure a client retries. */
class Unavailable extends Error {}

/**
 * What a real client does: it keeps the messages of its conversation by `seq`, takes a live
 * message that follows the last one it has, fetches `after=<last seq>` when a live message shows a
 * gap and every time it (re)connects, and drops what it already has.
 */
class Device {
  readonly messages: ConversationMessagePayload[] = [];
  socket!: Socket;
  connects = 0;
  connectedAt = 0;
  /** Messages it already had, from a catch-up page overlapping the live ones: expected, and dropped. */
  overlapsDropped = 0;
  /** The same `seq` received live twice: the server sent a message twice, which fails the test. */
  readonly liveDuplicates: number[] = [];
  private readonly liveSeqs = new Set<number>();
  retries = 0;
  /** Catch-ups that failed with anything but a 503 (or with 503 twenty times over). */
  readonly failures: string[] = [];
  private catchingUp: Promise<void> | null = null;
  private again = false;

  constructor(
    readonly userId: number,
    readonly token: string,
    readonly conversationId: number,
    private readonly get: (path: string, token: string) => Promise<any>,
  ) {}

  get lastSeq(): number {
    return this.messages.length ? this.messages[this.messages.length - 1].seq : 0;
  }

  open(baseUrl: string): Promise<void> {
    this.socket = io(`${baseUrl}/messages`, {
      auth: { token: this.token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 2_000,
      randomizationFactor: 0.5,
    });
    this.socket.on('conversation:message', (m: ConversationMessagePayload) => {
      if (m.conversationId !== this.conversationId) return;
      // Counted before anything is dropped, so a repeat from the server cannot hide.
      if (this.liveSeqs.has(m.seq)) this.liveDuplicates.push(m.seq);
      this.liveSeqs.add(m.seq);
      if (m.seq <= this.lastSeq) this.overlapsDropped++;
      else if (m.seq === this.lastSeq + 1 && !this.catchingUp) this.messages.push(m);
      else void this.catchUp();
    });
    this.socket.on('connect', () => {
      this.connects++;
      this.connectedAt = Date.now();
      void this.catchUp();
    });
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  /** An overloaded server answers 503 with Retry-After: the client tries again a little later. Anything else is a failure. */
  private async fetchPage(): Promise<{ items: ConversationMessagePayload[]; hasMore: boolean }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.get(`/api/conversations/${this.conversationId}/messages?after=${this.lastSeq}&limit=200`, this.token);
      } catch (error) {
        if (!(error instanceof Unavailable) || attempt >= 20) throw error;
        this.retries++;
        await pause(250 + Math.random() * 750);
      }
    }
  }

  /** One catch-up at a time; a request for another while one runs makes it go round again. */
  catchUp(): Promise<void> {
    if (this.catchingUp) {
      this.again = true;
      return this.catchingUp;
    }
    this.catchingUp = (async () => {
      do {
        this.again = false;
        for (;;) {
          const page = await this.fetchPage();
          for (const m of page.items as ConversationMessagePayload[]) {
            if (m.seq === this.lastSeq + 1) this.messages.push(m);
            else this.overlapsDropped++;
          }
          if (!page.hasMore) break;
        }
      } while (this.again);
    })()
      .catch((error: Error) => void this.failures.push(error.message))
      .finally(() => (this.catchingUp = null));
    return this.catchingUp;
  }
}

describe('a thousand sockets dropped and reconnecting at once', () => {
  let database: { url: string; drop: () => Promise<void> };
  let server: ServerProcess;
  const devices: Device[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    database = await createDatabase();
    const port = await findFreePort(43000 + Math.floor(Math.random() * 3000));
    server = await startServerProcess(port, { DATABASE_URL: database.url, DATABASE_POOL_SIZE: '10' });
  }, 60_000);

  afterAll(async () => {
    for (const d of devices) d.socket?.disconnect();
    await server?.kill('SIGKILL');
    await database?.drop();
  });

  it('keeps the server up and gives every client every message exactly once, in order', async () => {
    const call = async (method: string, path: string, token: string, body?: object) => {
      // A connection closed before any answer is retried like a 503, as a client would; any answer but 503 is not.
      const res = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      }).catch((error: Error) => {
        throw new Unavailable(`${method} ${path} got no answer: ${(error.cause as Error | undefined)?.message ?? error.message}`);
      });
      const json = (await res.json()) as any;
      if (res.status === 503) throw new Unavailable(`${method} ${path} answered 503: ${JSON.stringify(json)}`);
      if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
      return json;
    };
    const get = (path: string, token: string) => call('GET', path, token);

    const signup = await signUp(server.baseUrl, 'Storm County', `admin-${randomBytes(4).toString('hex')}@test.example`, 'admin-password');
    const { departmentId } = signup;
    const db = new Client({ connectionString: database.url });
    await db.connect();
    const { rows } = await db
      .query<{ id: number }>(
        `insert into members (department_id, name, email, password_hash, permissions)
         select $1, 'Member ' || n, 'storm-' || n || '-' || $2 || '@test.example', 'scrypt$none$none', array['Messages_View', 'Messages_Create']
         from generate_series(1, $3) n returning id`,
        [departmentId, randomBytes(4).toString('hex'), USERS + CONVERSATIONS],
      )
      .finally(() => db.end());
    const users = rows.slice(0, USERS).map((r) => r.id);
    const writers = rows.slice(USERS).map((r) => r.id);
    const tokenOf = (id: number) => tokens.sign({ sub: id, dept: departmentId });

    // Ten conversations of a writer and 25 members each.
    const perConversation = USERS / CONVERSATIONS;
    const conversations: { id: number; writer: number }[] = [];
    for (let c = 0; c < CONVERSATIONS; c++) {
      const created = await call('POST', '/api/conversations', tokenOf(writers[c]), {
        title: `Sector ${c}`,
        memberIds: users.slice(c * perConversation, (c + 1) * perConversation),
      });
      conversations.push({ id: created.id, writer: writers[c] });
    }
    const conversationOf = (userIndex: number) => conversations[Math.floor(userIndex / perConversation)].id;

    for (let i = 0; i < SOCKETS; i++) {
      const u = i % USERS;
      devices.push(new Device(users[u], tokenOf(users[u]), conversationOf(u), get));
    }
    for (let i = 0; i < SOCKETS; i += 100) {
      const batch = devices.slice(i, i + 100);
      await Promise.all(batch.map((d) => d.open(server.baseUrl)));
      await Promise.all(batch.map((d) => d.catchUp()));
    }

    // Messages keep coming, one writer per conversation, before, during and after the storm.
    let writing = true;
    let written = 0;
    let writeRetries = 0;
    const writer = async ({ id, writer }: { id: number; writer: number }) => {
      const token = tokenOf(writer);
      for (let i = 0; writing; i++) {
        // A failed post is repeated with the same clientId: stored once whatever happened to the first try.
        for (let attempt = 1; ; attempt++) {
          try {
            await call('POST', `/api/conversations/${id}/messages`, token, { body: `update ${i}`, clientId: `w${i}` });
            break;
          } catch (error) {
            if (!(error instanceof Unavailable) || attempt >= 20) throw error;
            writeRetries++;
            await pause(250 + Math.random() * 750);
          }
        }
        written++;
        await pause(150);
      }
    };
    const writing$ = Promise.all(conversations.map(writer));
    await pause(1_000);

    // Every connection drops at once; each client reconnects on its own, all together.
    const dropped = Date.now();
    for (const d of devices) d.socket.io.engine.close();
    const reconnectBy = Date.now() + 45_000;
    while (devices.some((d) => d.connects < 2 || !d.socket.connected) && Date.now() < reconnectBy) await pause(100);
    const reconnectedIn = Date.now() - dropped;
    const times = devices.map((d) => d.connectedAt - dropped).sort((a, b) => a - b);
    const percentile = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
    expect(devices.filter((d) => d.connects < 2 || !d.socket.connected).length).toBe(0);
    await pause(1_500);
    writing = false;
    await writing$;

    // Settled: each client ends with the conversation's whole history, once each, in order.
    const settleBy = Date.now() + 30_000;
    const histories = new Map<number, ConversationMessagePayload[]>();
    for (const c of conversations) {
      const items: ConversationMessagePayload[] = [];
      for (let after = 0; ; ) {
        const page = await get(`/api/conversations/${c.id}/messages?after=${after}&limit=200`, tokenOf(c.writer));
        items.push(...page.items);
        if (!page.hasMore) break;
        after = items[items.length - 1].seq;
      }
      histories.set(c.id, items);
    }
    const complete = (d: Device) => d.lastSeq === histories.get(d.conversationId)!.length;
    while (devices.some((d) => !complete(d)) && Date.now() < settleBy) await pause(200);
    expect(devices.flatMap((d) => d.failures)).toEqual([]);
    const behind = devices.filter((d) => !complete(d));
    expect(behind.map((d) => ({ userId: d.userId, has: d.lastSeq, of: histories.get(d.conversationId)!.length }))).toEqual([]);
    for (const d of devices) {
      const expected = histories.get(d.conversationId)!;
      expect(d.messages.map((m) => m.seq)).toEqual(expected.map((m) => m.seq));
      expect(d.messages.map((m) => m.body)).toEqual(expected.map((m) => m.body));
    }

    const health = await fetch(`${server.baseUrl}/api/health`);
    expect(health.status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    // The server sent each live message once to each socket.
    expect(devices.filter((d) => d.liveDuplicates.length).map((d) => ({ userId: d.userId, repeated: d.liveDuplicates }))).toEqual([]);
    const dropsSeen = devices.reduce((n, d) => n + d.overlapsDropped, 0);
    const catchUpRetries = devices.reduce((n, d) => n + d.retries, 0);
    console.log(
      `storm: ${SOCKETS} sockets (${USERS} users, ${CONVERSATIONS} conversations) dropped at once, all back in ${reconnectedIn} ms (half in ${percentile(0.5)} ms, 90% in ${percentile(0.9)} ms); ` +
        `${written} messages written meanwhile; every client holds its conversation's ${histories.get(conversations[0].id)!.length}+ messages once, in order; ` +
        `${dropsSeen} catch-up overlaps dropped by seq, no live message twice; ${catchUpRetries} catch-up and ${writeRetries} write retries after 503`,
    );
  }, 150_000);
});
