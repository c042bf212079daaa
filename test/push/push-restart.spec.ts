import webpush from 'web-push';
import type { PoolClient } from 'pg';
import { SqlPool } from '../../src/messages/database/sql-pool';
import { OfflineNotifier, type OfflineNotification } from '../../src/messages/push/offline-notifier';
import { PushDeliveryWorker } from '../../src/messages/push/push-delivery.worker';
import { TestDepartment } from '../support/factories';
import { eventually, PushService, ScriptedPushEndpoint } from '../support/push-service';
import { createDatabase, startTestServer, type TestServer } from '../support/test-server';

const vapid = webpush.generateVAPIDKeys();
const env = {
  VAPID_PUBLIC_KEY: vapid.publicKey,
  VAPID_PRIVATE_KEY: vapid.privateKey,
  PUSH_RETRY_LIMIT: '3',
  PUSH_RETRY_DELAY_SECONDS: '1',
  PUSH_POLL_INTERVAL_MS: '500',
  PUSH_SHUTDOWN_TIMEOUT_MS: '300',
};
const message: OfflineNotification = { kind: 'message', title: 'Shift change', preview: 'B-shift starts at 07:00', ids: { messageId: 3 } };

/** Queues a notification the way a feature's write does. */
const notify = (server: TestServer, departmentId: number, userIds: number[], n = message) =>
  server.app.get(SqlPool).transaction((client) => server.app.get(OfflineNotifier).enqueue(client, departmentId, userIds, n));

describe('push delivery across a server restart', () => {
  let service: PushService;
  let database: { url: string; drop: () => Promise<void> };
  const running = new Set<TestServer>();

  const start = async (overrides: Record<string, string> = {}) => {
    const allowlist = `${service.baseUrl},${await ScriptedPushEndpoint.origin()}`;
    const server = await startTestServer({ ...env, PUSH_ENDPOINT_ALLOWLIST: allowlist, ...overrides }, database.url);
    running.add(server);
    return server;
  };
  const stop = async (server: TestServer) => {
    running.delete(server);
    await server.app.close();
  };

  beforeAll(async () => {
    service = await PushService.start();
    database = await createDatabase();
  });
  afterAll(async () => {
    for (const server of running) await server.app.close();
    await database?.drop();
    await service?.close();
  });

  it('delivers a notification queued by a process that stopped before sending it', async () => {
    // A process that only queues: the job waits in the database when it stops.
    const first = await start({ PUSH_WORKERS: 'off' });
    const dept = await TestDepartment.create(first);
    const [ivy] = await dept.newMembers(1);
    const device = await service.subscribe(vapid.publicKey);
    await dept.as(ivy).post('/api/push/subscriptions').send({ endpoint: device.endpoint, keys: device.keys }).expect(201);
    await notify(first, dept.id, [ivy.id]);
    await stop(first);
    expect(await service.received(device.clientHash)).toEqual([]);

    const second = await start();
    try {
      const received = await eventually(() => service.received(device.clientHash).then((r) => (r.length ? r : null)));
      expect(received).toEqual([message]);
    } finally {
      await stop(second);
    }
  });

  it('retries a push cut off by shutdown on the next process and delivers it once', async () => {
    const endpoint = await ScriptedPushEndpoint.start(['hang', 201]);
    try {
      const first = await start();
      const dept = await TestDepartment.create(first);
      const [jack] = await dept.newMembers(1);
      await dept.as(jack).post('/api/push/subscriptions').send(endpoint.subscription).expect(201);
      await notify(first, dept.id, [jack.id]);
      // The push service holds the request: the process stops in the middle of the send.
      expect(await eventually(async () => endpoint.requests.length === 1)).toBe(true);
      await stop(first);

      const second = await start();
      try {
        expect(await eventually(async () => endpoint.accepted.length === 1)).toBe(true);
        expect(endpoint.requests.map((r) => r.status)).toEqual(['hung', 201]);
        expect(endpoint.accepted).toEqual([message]);
      } finally {
        await stop(second);
      }
    } finally {
      await endpoint.close();
    }
  });

  it('queues a send to 10,000 offline members in two statements, and fans it out per device in one transaction', async () => {
    const server = await start({ PUSH_WORKERS: 'off' });
    try {
      const dept = await TestDepartment.create(server);
      const sql = server.app.get(SqlPool);
      const members = await sql.query<{ id: number }>(
        `insert into members (department_id, name, email, password_hash)
         select $1::int, 'Member ' || i, 'bulk-' || $1::int || '-' || i || '@test.example', 'x' from generate_series(1, 10000) i
         returning id`,
        [dept.id],
      );
      const userIds = members.map((m) => m.id);
      await sql.query(
        `insert into push_subscriptions (department_id, user_id, endpoint, p256dh, auth)
         select $1, u, 'https://push.invalid/' || u, 'key', 'auth' from unnest($2::int[]) u`,
        [dept.id, userIds],
      );

      let statements = 0;
      const started = performance.now();
      const eventId = await sql.transaction(async (client) => {
        const query = client.query.bind(client) as PoolClient['query'];
        (client as { query: unknown }).query = (...args: Parameters<PoolClient['query']>) => {
          statements += 1;
          return query(...args);
        };
        try {
          return await server.app.get(OfflineNotifier).enqueue(client, dept.id, userIds, message);
        } finally {
          (client as { query: unknown }).query = query;
        }
      });
      const enqueueMs = performance.now() - started;
      expect(statements).toBe(2);

      const fanOutStarted = performance.now();
      await server.app.get(PushDeliveryWorker).fanOut(eventId!);
      const fanOutMs = performance.now() - fanOutStarted;
      const [{ n }] = await sql.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where name = 'push-device' and (data->>'eventId')::bigint = $1`,
        [eventId],
      );
      expect(n).toBe(10_000);
      console.log(`10,000 offline members: enqueue ${enqueueMs.toFixed(0)} ms in ${statements} statements, fan-out ${fanOutMs.toFixed(0)} ms`);

      // These devices do not exist: leave nothing for the next process to send.
      await sql.query(`delete from pgboss.job where name = 'push-device'`);
      await sql.query('delete from push_subscriptions where department_id = $1', [dept.id]);
    } finally {
      await stop(server);
    }
  });
});
