import { createECDH, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import webpush from 'web-push';
import { SqlPool } from '../../src/messages/database/sql-pool';
import { OfflineNotifier } from '../../src/messages/push/offline-notifier';
import { PushEndpointPolicy, refusedAddressKind } from '../../src/messages/push/push-endpoint-policy';
import { TestDepartment, type TestMember } from '../support/factories';
import { eventually, pause, PushService } from '../support/push-service';
import { startTestServer, type TestServer } from '../support/test-server';

const vapid = webpush.generateVAPIDKeys();

function deviceKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

/** A loopback port that counts every connection made to it: what a probed internal service would see. */
async function loopbackListener(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('push endpoints the server may post to', () => {
  let server: TestServer;
  let service: PushService;
  let redirecting: HttpServer;
  let redirectingOrigin: string;
  let listener: Awaited<ReturnType<typeof loopbackListener>>;
  let sql: SqlPool;
  let dept: TestDepartment;

  beforeAll(async () => {
    listener = await loopbackListener();
    service = await PushService.start();
    // An allowlisted push service that answers every push with a redirect to the listener.
    redirecting = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(307, { location: `http://127.0.0.1:${listener.port}/elsewhere` }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    redirectingOrigin = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`;
    server = await startTestServer({
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      PUSH_ENDPOINT_ALLOWLIST: `${service.baseUrl},${redirectingOrigin}`,
      PUSH_RETRY_LIMIT: '0',
      PUSH_POLL_INTERVAL_MS: '500',
    });
    sql = server.app.get(SqlPool);
    dept = await TestDepartment.create(server);
  });
  afterAll(async () => {
    await server?.close();
    await service?.close();
    redirecting?.closeAllConnections();
    await new Promise((resolve) => redirecting?.close(resolve));
    await listener?.close();
  });

  const devicesOf = async (userId: number) =>
    (await sql.query<{ endpoint: string }>('select endpoint from push_subscriptions where user_id = $1 order by id', [userId])).map((r) => r.endpoint);

  const notify = (userIds: number[]) =>
    sql.transaction((client) =>
      server.app.get(OfflineNotifier).enqueue(client, dept.id, userIds, { kind: 'message', title: 'Drill', preview: 'Tonight', ids: { messageId: 1 } }),
    );

  const deliveries = (eventId: number) =>
    sql.query<{ endpoint: string; status: string; attempts: number; last_error: string | null }>(
      `select s.endpoint, d.status, d.attempts, d.last_error from push_deliveries d
       join push_subscriptions s on s.id = d.subscription_id where d.event_id = $1 order by s.id`,
      [eventId],
    );

  it.each([
    ['plain http', (port: number) => `http://127.0.0.1:${port}/push/a`, 'endpoint must be an https URL'],
    ['a loopback address', (port: number) => `https://127.0.0.1:${port}/push/a`, 'endpoint must not point at loopback addresses'],
    ['loopback written in hex', (port: number) => `https://0x7f.1:${port}/push/a`, 'endpoint must be an https URL'],
    ['loopback as one number', (port: number) => `https://2130706433:${port}/push/a`, 'endpoint must be an https URL'],
    ['the name localhost', (port: number) => `https://localhost:${port}/push/a`, 'endpoint must not point at loopback addresses'],
    ['IPv6 loopback', (port: number) => `https://[::1]:${port}/push/a`, 'endpoint must not point at unspecified or loopback addresses'],
    ['IPv4-mapped IPv6 loopback', (port: number) => `https://[::ffff:127.0.0.1]:${port}/push/a`, 'endpoint must not point at loopback addresses'],
    ['the unspecified address', (port: number) => `https://0.0.0.0:${port}/push/a`, 'endpoint must not point at unspecified addresses'],
    ['a private address', () => 'https://10.1.2.3/push/a', 'endpoint must not point at private addresses'],
    ['a private address behind a mapped IPv6 one', () => 'https://[::ffff:192.168.1.10]/push/a', 'endpoint must not point at private addresses'],
    ['the cloud metadata address', () => 'https://169.254.169.254/latest/meta-data', 'endpoint must not point at link-local addresses'],
    ['a CGNAT address (another cloud metadata service)', () => 'https://100.100.100.200/latest', 'endpoint must not point at shared (CGNAT) addresses'],
    ['a unique-local IPv6 address', () => 'https://[fd00:ec2::254]/latest', 'endpoint must not point at unique-local addresses'],
    ['a link-local IPv6 address', () => 'https://[fe80::1]/push/a', 'endpoint must not point at link-local addresses'],
    ['a multicast address', () => 'https://224.0.0.1/push/a', 'endpoint must not point at multicast addresses'],
    ['credentials in the URL', () => 'https://user:secret@push.example/push/a', 'endpoint must not carry a user name or password'],
  ])('refuses to save an endpoint on %s, naming the field, and sends nothing', async (_, endpointFor, message) => {
    const [member] = await dept.newMembers(1);
    const res = await dept.as(member).post('/api/push/subscriptions').send({ endpoint: endpointFor(listener.port), keys: deviceKeys() }).expect(400);

    expect(res.body.message).toBe(message);
    expect(await devicesOf(member.id)).toEqual([]);
    expect(listener.connections()).toBe(0);
  });

  it('saves an https endpoint on a public name, and one of an allowlisted origin over http', async () => {
    const [member] = await dept.newMembers(1);
    await dept.as(member).post('/api/push/subscriptions').send({ endpoint: 'https://push.example/send/abc', keys: deviceKeys() }).expect(201);
    const device = await service.subscribe(vapid.publicKey);
    await dept.as(member).post('/api/push/subscriptions').send({ endpoint: device.endpoint, keys: device.keys }).expect(201);

    expect(await devicesOf(member.id)).toEqual(['https://push.example/send/abc', device.endpoint]);
  });

  it('does not send to an endpoint whose name resolves to loopback, nor to one saved before the rule, and keeps both as failed', async () => {
    const [member] = await dept.newMembers(1);
    // Rows that got in when the name resolved elsewhere, or before endpoints were checked.
    const refusedEndpoints = [`https://localhost:${listener.port}/push/a`, `https://127.0.0.1:${listener.port}/push/b`];
    const keys = deviceKeys();
    await sql.query(
      `insert into push_subscriptions (department_id, user_id, endpoint, p256dh, auth) select $1, $2, e, $3, $4 from unnest($5::text[]) e`,
      [dept.id, member.id, keys.p256dh, keys.auth, refusedEndpoints],
    );
    // A device on the allowlisted service shows that the worker did run.
    const device = await service.subscribe(vapid.publicKey);
    await dept.as(member).post('/api/push/subscriptions').send({ endpoint: device.endpoint, keys: device.keys }).expect(201);

    const eventId = (await notify([member.id]))!;

    const settled = await eventually(async () => {
      const rows = await deliveries(eventId);
      return rows.length === 3 && rows.every((r) => r.status !== 'pending') ? rows : null;
    }, 20_000);
    expect(settled).toEqual([
      { endpoint: refusedEndpoints[0], status: 'failed', attempts: 1, last_error: expect.stringMatching(/^localhost resolves to (127\.0\.0\.1|::1), and pushes may not go to (unspecified or )?loopback addresses$/) },
      { endpoint: refusedEndpoints[1], status: 'failed', attempts: 1, last_error: 'endpoint must not point at loopback addresses' },
      { endpoint: device.endpoint, status: 'sent', attempts: 1, last_error: null },
    ]);
    expect(await service.received(device.clientHash)).toHaveLength(1);
    await pause(500);
    expect(listener.connections()).toBe(0);
  });

  it('does not follow a push service’s redirect', async () => {
    const [member] = await dept.newMembers(1);
    await dept.as(member).post('/api/push/subscriptions').send({ endpoint: `${redirectingOrigin}/push/x`, keys: deviceKeys() }).expect(201);

    const eventId = (await notify([member.id]))!;

    const [delivery] = (await eventually(async () => {
      const rows = await deliveries(eventId);
      return rows[0]?.status === 'failed' ? rows : null;
    }, 20_000))!;
    expect(delivery.last_error).toBe('push service answered 307');
    expect(listener.connections()).toBe(0);
  });

  it('does not hand another member’s device over to someone who knows only its endpoint', async () => {
    const [owner, other] = await dept.newMembers(2);
    const device = { endpoint: `https://push.example/send/${randomBytes(6).toString('hex')}`, keys: deviceKeys() };
    await dept.as(owner).post('/api/push/subscriptions').send(device).expect(201);

    const res = await dept.as(other).post('/api/push/subscriptions').send({ endpoint: device.endpoint, keys: deviceKeys() }).expect(409);
    expect(res.body.message).toMatch(/^endpoint is registered to another member/);
    const stranger = await TestDepartment.create(server);
    await stranger.asAdmin().post('/api/push/subscriptions').send({ endpoint: device.endpoint, keys: deviceKeys() }).expect(409);
    expect(await devicesOf(owner.id)).toEqual([device.endpoint]);
    expect(await devicesOf(other.id)).toEqual([]);

    // The same device with its keys (the next shift on a station tablet) moves it.
    await dept.as(other).post('/api/push/subscriptions').send(device).expect(201);
    expect(await devicesOf(owner.id)).toEqual([]);
    expect(await devicesOf(other.id)).toEqual([device.endpoint]);
  });
});

describe('the refused address ranges', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'unspecified or loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['fd12::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
  ])('refuses %s as %s', (address, kind) => {
    expect(refusedAddressKind(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '172.32.0.1', '2606:4700::1111', '100.128.0.1'])('admits the public address %s', (address) => {
    expect(refusedAddressKind(address)).toBeNull();
  });

  it('reads shorthand and numeric hosts as the addresses they are', () => {
    const policy = new PushEndpointPolicy();
    expect(policy.problemWith('https://0x7f.1/push/1')).toBe('endpoint must not point at loopback addresses');
    expect(policy.problemWith('https://2130706433/push/1')).toBe('endpoint must not point at loopback addresses');
    expect(policy.problemWith('https://[::ffff:a9fe:a9fe]/latest')).toBe('endpoint must not point at link-local addresses');
  });

  it('admits an allowlisted origin as it is, and no other port of that host', () => {
    const policy = new PushEndpointPolicy(['http://127.0.0.1:8090']);
    expect(policy.problemWith('http://127.0.0.1:8090/push/1')).toBeNull();
    expect(policy.problemWith('http://127.0.0.1:8091/push/1')).toBe('endpoint must be an https URL');
  });
});
