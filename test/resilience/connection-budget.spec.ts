import { Client } from 'pg';
import webpush from 'web-push';
import { findFreePort } from '../../src/database/embedded-postgres';
import { TestDepartment, type TestMember } from '../support/factories';
import { eventually, ScriptedPushEndpoint } from '../support/push-service';
import { createDatabase, type TestServer } from '../support/test-server';
import { ensureBuilt, startServerProcess, tokens, type ServerProcess } from './support/server-process';

const POOL_SIZE = 4;
const APPLICATION_NAME = `connection-budget-${process.pid}`;

/** What PostgreSQL shows of the server process's connections to its database, sampled every 25 ms. */
class ConnectionSampler {
  private readonly client: Client;
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;
  readonly samples: { total: number; named: number }[] = [];

  constructor(adminUrl: string, private readonly database: string) {
    this.client = new Client({ connectionString: adminUrl });
  }

  async start() {
    await this.client.connect();
    const sample = async () => {
      const { rows } = await this.client.query<{ total: number; named: number }>(
        `select count(*)::int as total, count(*) filter (where application_name = $2)::int as named
           from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
        [this.database, APPLICATION_NAME],
      );
      this.samples.push(rows[0]);
    };
    this.timer = setInterval(() => {
      this.sampling ??= sample().finally(() => (this.sampling = undefined));
    }, 25);
  }

  get peak() {
    return Math.max(0, ...this.samples.map((s) => s.total));
  }

  async stop() {
    clearInterval(this.timer);
    await this.sampling;
    await this.client.end();
  }
}

describe('the connections one server process holds', () => {
  let database: { url: string; drop: () => Promise<void> };
  let server: ServerProcess | undefined;
  const endpoints: ScriptedPushEndpoint[] = [];
  const vapid = webpush.generateVAPIDKeys();

  beforeAll(async () => {
    await ensureBuilt();
    database = await createDatabase();
  }, 120_000);

  afterAll(async () => {
    await server?.kill('SIGTERM');
    for (const e of endpoints) await e.close();
    await database?.drop();
  });

  it('stays within DATABASE_POOL_SIZE + 2 under polls, sends, conversation messages and push deliveries, each named for the process', async () => {
    const port = await findFreePort(41000 + Math.floor(Math.random() * 3000));
    server = await startServerProcess(port, {
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      DATABASE_APPLICATION_NAME: APPLICATION_NAME,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      PUSH_ENDPOINT_ALLOWLIST: await ScriptedPushEndpoint.origin(),
      PUSH_POLL_INTERVAL_MS: '500',
    });
    const host = { baseUrl: server.baseUrl, tokenFor: (sub: number, dept: number) => tokens.sign({ sub, dept }) } as unknown as TestServer;
    const dept = await TestDepartment.create(host);
    const members = await dept.newMembers(12);
    // Every member has a device and no socket: each send becomes push jobs that the workers claim.
    for (const member of members) {
      const endpoint = await ScriptedPushEndpoint.start([201]);
      endpoints.push(endpoint);
      await dept.as(member).post('/api/push/subscriptions').send(endpoint.subscription).expect(201);
    }
    const { body: conversation } = await dept
      .asAdmin()
      .post('/api/conversations')
      .send({ title: 'Station 3', memberIds: members.map((m) => m.id) })
      .expect(201);

    const sampler = new ConnectionSampler(process.env.TEST_DATABASE_URL!, new URL(database.url).pathname.slice(1));
    await sampler.start();
    try {
      const deadline = Date.now() + 6_000;
      const poller = async (member: TestMember) => {
        while (Date.now() < deadline) {
          await Promise.all([dept.as(member).get('/api/messages/inbox').expect(200), dept.as(member).get('/api/messages/unread/top').expect(200)]);
        }
      };
      const sender = async (round: number) => {
        for (let i = 0; Date.now() < deadline; i++) {
          await dept
            .asAdmin()
            .post('/api/messages')
            .send({ subject: `Roll call ${round}.${i}`, body: 'Report to the bay', sendMode: 'specific', userIds: members.map((m) => m.id) })
            .expect(201);
        }
      };
      const talker = async (member: TestMember) => {
        for (let i = 0; Date.now() < deadline; i++) {
          await dept.as(member).post(`/api/conversations/${conversation.id}/messages`).send({ body: `copy ${i}` }).expect(201);
        }
      };
      await Promise.all([...members.map(poller), sender(1), sender(2), ...members.slice(0, 4).map(talker)]);
      // The push jobs of what was sent are still being claimed and sent: keep sampling until some arrived everywhere.
      expect(await eventually(async () => endpoints.every((e) => e.requests.length > 0), 20_000)).toBe(true);
    } finally {
      await sampler.stop();
    }

    const peak = sampler.peak;
    // Printed for whoever compares the numbers of two versions.
    console.log(`connection budget: peak ${peak} connections over ${sampler.samples.length} samples (pool size ${POOL_SIZE})`);
    expect(sampler.samples.length).toBeGreaterThan(50);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(POOL_SIZE + 2);
    // Every connection of the process says whose it is, so an operator can count them.
    expect(sampler.samples.every((s) => s.named === s.total)).toBe(true);
  }, 120_000);
});
