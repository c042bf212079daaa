import webpush from 'web-push';
import { SqlPool } from '../../src/messages/database/sql-pool';
import { PresenceService } from '../../src/messages/presence/presence.service';
import { OfflineNotifier, type OfflineNotification } from '../../src/messages/push/offline-notifier';
import { PushDeliveryWorker } from '../../src/messages/push/push-delivery.worker';
import { TestDepartment, type TestMember } from '../support/factories';
import { eventually, pause, PushService, ScriptedPushEndpoint, type TestSubscription } from '../support/push-service';
import { startTestServer, type TestServer } from '../support/test-server';

const vapid = webpush.generateVAPIDKeys();

describe('Web Push delivery to members without a live socket', () => {
  let server: TestServer;
  let service: PushService;
  let sql: SqlPool;
  let dept: TestDepartment;

  beforeAll(async () => {
    service = await PushService.start();
    server = await startTestServer({
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      PUSH_ENDPOINT_ALLOWLIST: `${service.baseUrl},${await ScriptedPushEndpoint.origin()}`,
      PUSH_RETRY_LIMIT: '2',
      PUSH_RETRY_DELAY_SECONDS: '1',
      PUSH_POLL_INTERVAL_MS: '500',
      PUSH_SEND_TIMEOUT_MS: '3000',
    });
    sql = server.app.get(SqlPool);
    dept = await TestDepartment.create(server);
  });
  afterAll(async () => {
    await server?.close();
    await service?.close();
  });

  const notification = (title: string, extra: Partial<OfflineNotification> = {}): OfflineNotification => ({
    kind: 'message',
    title,
    preview: `About ${title}`,
    ids: { messageId: 7 },
    ...extra,
  });

  /** What a write of the mail or conversation features does: queue inside its transaction. */
  const notify = (userIds: number[], n: OfflineNotification) =>
    sql.transaction((client) => server.app.get(OfflineNotifier).enqueue(client, dept.id, userIds, n));

  /** A browser subscribing through the API: the device and how to read what it received. */
  async function newDevice(member: TestMember) {
    const device = await service.subscribe(vapid.publicKey);
    const { endpoint, keys } = device;
    await dept.as(member).post('/api/push/subscriptions').send({ endpoint, keys, expirationTime: null }).expect(201);
    return { ...device, received: () => service.received(device.clientHash) };
  }

  async function subscribe(member: TestMember, subscription: TestSubscription) {
    await dept.as(member).post('/api/push/subscriptions').send(subscription).expect(201);
  }

  it('sends one push to each device of an offline member and none to a member with a live socket', async () => {
    const [alice, bob] = await dept.newMembers(2);
    const [phone, laptop] = [await newDevice(alice), await newDevice(alice)];
    const bobsPhone = await newDevice(bob);
    const presence = server.app.get(PresenceService);
    await presence.connected(bob.id, 'bob-socket', dept.id);

    await notify([alice.id, bob.id], notification('Drill tonight'));

    expect(await eventually(async () => (await phone.received()).length === 1 && (await laptop.received()).length === 1)).toBe(true);
    // Bob, back offline, gets the next one and never the first.
    await presence.disconnected(bob.id, 'bob-socket');
    await notify([bob.id], notification('Second'));
    expect(await eventually(async () => (await bobsPhone.received()).length > 0)).toBe(true);
    await pause(1000);

    expect((await phone.received()).map((p) => p.title)).toEqual(['Drill tonight']);
    expect((await laptop.received()).map((p) => p.title)).toEqual(['Drill tonight']);
    expect((await bobsPhone.received()).map((p) => p.title)).toEqual(['Second']);
  });

  it('carries the kind, a short plain-text title and preview and the ids, in well under 4 KB', async () => {
    const [carol] = await dept.newMembers(1);
    const device = await newDevice(carol);
    const body = `<p>Station 1 at <b>19:00</b> &amp; bring gear.</p><script>alert(1)</script>${' more words'.repeat(500)}`;

    await notify([carol.id], {
      kind: 'conversation-message',
      title: 'Engine 7 ' + 'x'.repeat(300),
      preview: body,
      ids: { conversationId: 12, seq: 34 },
    });

    const [push] = (await eventually(() => device.received().then((r) => (r.length ? r : null)))) ?? [];
    expect(push.kind).toBe('conversation-message');
    expect(push.ids).toEqual({ conversationId: 12, seq: 34 });
    expect(push.preview.startsWith('Station 1 at 19:00 & bring gear. more words')).toBe(true);
    expect(push.preview).not.toMatch(/<|alert/);
    expect([...push.preview].length).toBeLessThanOrEqual(140);
    expect([...push.title].length).toBeLessThanOrEqual(80);
    expect(push.title.endsWith('…')).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(push))).toBeLessThan(1024);
  });

  it('queues nothing when the write it belongs to rolls back', async () => {
    const [dan] = await dept.newMembers(1);
    const device = await newDevice(dan);

    await expect(
      sql.transaction(async (client) => {
        await server.app.get(OfflineNotifier).enqueue(client, dept.id, [dan.id], notification('Rolled back'));
        throw new Error('the write failed');
      }),
    ).rejects.toThrow('the write failed');
    await notify([dan.id], notification('Committed'));

    expect(await eventually(async () => (await device.received()).length > 0)).toBe(true);
    await pause(1000);
    expect((await device.received()).map((p) => p.title)).toEqual(['Committed']);
  });

  it('queues nothing for members of another department', async () => {
    const other = await TestDepartment.create(server);
    const [stranger] = await other.newMembers(1);
    const device = await service.subscribe(vapid.publicKey);
    await other.as(stranger).post('/api/push/subscriptions').send({ endpoint: device.endpoint, keys: device.keys }).expect(201);

    expect(await notify([stranger.id], notification('Not yours'))).toBeNull();
  });

  it('removes a subscription the push service reports gone (410)', async () => {
    const [erin] = await dept.newMembers(1);
    const device = await newDevice(erin);
    await service.expire(device.clientHash);

    await notify([erin.id], notification('To a gone device'));

    const remaining = () => sql.query<{ n: number }>('select count(*)::int as n from push_subscriptions where endpoint = $1', [device.endpoint]);
    expect(await eventually(async () => (await remaining())[0].n === 0)).toBe(true);
  });

  it('delivers once through a push service that fails twice and then accepts', async () => {
    const [frank] = await dept.newMembers(1);
    const endpoint = await ScriptedPushEndpoint.start([500, 500, 201]);
    try {
      await subscribe(frank, endpoint.subscription);

      const eventId = await notify([frank.id], notification('After two failures', { ids: { messageId: 99 } }));

      expect(await eventually(async () => endpoint.accepted.length === 1, 20_000)).toBe(true);
      await pause(1500);
      expect(endpoint.requests.map((r) => r.status)).toEqual([500, 500, 201]);
      // Every attempt names the message, so a push service holding an earlier copy replaces it.
      expect(new Set(endpoint.requests.map((r) => r.topic))).toEqual(new Set(['message-99']));
      expect(eventId).toEqual(expect.any(Number));
      expect(endpoint.accepted).toEqual([{ kind: 'message', title: 'After two failures', preview: 'About After two failures', ids: { messageId: 99 } }]);
    } finally {
      await endpoint.close();
    }
  });

  it('keeps a push that failed on every attempt as failed, with its reason', async () => {
    const [gina] = await dept.newMembers(1);
    const endpoint = await ScriptedPushEndpoint.start([503]);
    try {
      await subscribe(gina, endpoint.subscription);

      const eventId = await notify([gina.id], notification('Never accepted'));

      const failedJob = () =>
        sql.query<{ state: string; retry_count: number }>(
          `select state, retry_count from pgboss.job where name = 'push-device' and (data->>'eventId')::bigint = $1`,
          [eventId],
        );
      expect(await eventually(async () => (await failedJob())[0]?.state === 'failed', 20_000)).toBe(true);
      // The first attempt and two retries, then no more.
      expect(endpoint.requests).toHaveLength(3);
      const [delivery] = await sql.query<{ status: string; attempts: number; last_error: string }>(
        'select status, attempts, last_error from push_deliveries where event_id = $1',
        [eventId],
      );
      expect(delivery).toEqual({ status: 'failed', attempts: 3, last_error: 'push service answered 503' });
    } finally {
      await endpoint.close();
    }
  });

  it('sends nothing twice when an event or a device job runs again', async () => {
    const [hank] = await dept.newMembers(1);
    const endpoint = await ScriptedPushEndpoint.start([201]);
    try {
      await subscribe(hank, endpoint.subscription);
      const eventId = (await notify([hank.id], notification('Once only')))!;
      expect(await eventually(async () => endpoint.accepted.length === 1)).toBe(true);

      // As after a crash between the work and its acknowledgement: both jobs run once more.
      const worker = server.app.get(PushDeliveryWorker);
      await worker.fanOut(eventId);
      const [{ id: subscriptionId }] = await sql.query<{ id: string }>('select id from push_subscriptions where endpoint = $1', [
        endpoint.subscription.endpoint,
      ]);
      await worker.deliver(
        { id: 'repeat', name: 'push-device', data: { eventId, subscriptionId: Number(subscriptionId) }, retryCount: 0, retryLimit: 2 } as never,
        new AbortController().signal,
      );
      await pause(1500);

      expect(endpoint.requests).toHaveLength(1);
      const [{ n }] = await sql.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where name = 'push-device' and (data->>'eventId')::bigint = $1`,
        [eventId],
      );
      expect(n).toBe(1);
    } finally {
      await endpoint.close();
    }
  });
});
