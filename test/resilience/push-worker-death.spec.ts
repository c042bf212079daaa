import webpush from 'web-push';
import { findFreePort } from '../../src/database/embedded-postgres';
import { TestDepartment } from '../support/factories';
import { eventually, pause, ScriptedPushEndpoint } from '../support/push-service';
import { createDatabase, type TestServer } from '../support/test-server';
import { ensureBuilt, startServerProcess, tokens, type ServerProcess } from './support/server-process';

const DEVICES = 6;
/** Well below the queue's own expiry of a job left running (a minute, checked every two). */
const PICKED_UP_WITHIN_MS = 10_000;

describe('push jobs of a worker killed mid-send', () => {
  let database: { url: string; drop: () => Promise<void> };
  const endpoints: ScriptedPushEndpoint[] = [];
  const processes: ServerProcess[] = [];
  const vapid = webpush.generateVAPIDKeys();

  const start = async () => {
    const port = await findFreePort(44000 + Math.floor(Math.random() * 3000));
    const server = await startServerProcess(port, {
      DATABASE_URL: database.url,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      PUSH_ENDPOINT_ALLOWLIST: await ScriptedPushEndpoint.origin(),
      PRESENCE_HEARTBEAT_MS: '500',
      PUSH_POLL_INTERVAL_MS: '500',
    });
    processes.push(server);
    return server;
  };

  beforeAll(async () => {
    await ensureBuilt();
    database = await createDatabase();
  }, 120_000);

  afterAll(async () => {
    for (const p of processes) await p.kill('SIGKILL');
    for (const e of endpoints) await e.close();
    await database?.drop();
  });

  it('hands them to the next process within seconds of its start, and each device gets its push once', async () => {
    const first = await start();
    // The department is made through the first process; only its address and tokens are needed.
    const host = { baseUrl: first.baseUrl, tokenFor: (sub: number, dept: number) => tokens.sign({ sub, dept }) } as unknown as TestServer;
    const dept = await TestDepartment.create(host);
    const members = await dept.newMembers(DEVICES);
    for (const member of members) {
      // Each device's push service holds the first request (the send is in flight when the worker dies), then accepts.
      const endpoint = await ScriptedPushEndpoint.start(['hang', 201]);
      endpoints.push(endpoint);
      await dept.as(member).post('/api/push/subscriptions').send(endpoint.subscription).expect(201);
    }
    await dept
      .asAdmin()
      .post('/api/messages')
      .send({ subject: 'Engine 7, respond', body: 'Structure fire, 12 Elm St', sendMode: 'specific', userIds: members.map((m) => m.id) })
      .expect(201);
    expect(await eventually(async () => endpoints.every((e) => e.requests.length === 1), 20_000)).toBe(true);

    await first.kill('SIGKILL');
    const second = await start();
    const restarted = Date.now();
    const everyOneArrived = await eventually(async () => endpoints.every((e) => e.accepted.length >= 1), 30_000, 100);
    const arrivedIn = Date.now() - restarted;
    // Time for anything sent twice to show.
    await pause(3_000);

    expect(everyOneArrived).toBe(true);
    expect(arrivedIn).toBeLessThan(PICKED_UP_WITHIN_MS);
    expect(endpoints.map((e) => e.accepted.length)).toEqual(Array(DEVICES).fill(1));
    expect(endpoints.map((e) => e.accepted[0].title)).toEqual(Array(DEVICES).fill(expect.stringContaining('Engine 7, respond')));
    expect(endpoints.map((e) => e.requests.map((r) => r.status))).toEqual(Array(DEVICES).fill(['hung', 201]));
    expect(second.child.exitCode).toBeNull();
    console.log(`worker death: ${DEVICES} pushes in flight when the worker was killed; all delivered once, ${arrivedIn} ms after the next process was serving`);
  }, 120_000);
});
