import { createECDH, randomBytes } from 'node:crypto';
import request from 'supertest';
import webpush from 'web-push';
import { SqlPool } from '../../src/messages/database/sql-pool';
import { TestDepartment } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

const vapid = webpush.generateVAPIDKeys();

/** A subscription as a browser's `PushSubscription.toJSON()` gives it. */
function browserSubscription(endpoint = `https://push.example/send/${randomBytes(8).toString('hex')}`) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint,
    expirationTime: null,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

/** A P-256 key written in plain base64 (with "+" and "/"), not base64url. */
function plainBase64Key() {
  const key = browserSubscription().keys.p256dh;
  return `${key.slice(0, 10)}+/${key.slice(12)}`;
}

describe('push subscriptions', () => {
  let server: TestServer;
  let dept: TestDepartment;
  let devicesOf: (userId: number) => Promise<string[]>;

  beforeAll(async () => {
    server = await startTestServer({ VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, PUSH_WORKERS: 'off' });
    dept = await TestDepartment.create(server);
    const sql = server.app.get(SqlPool);
    devicesOf = async (userId) =>
      (await sql.query<{ endpoint: string }>('select endpoint from push_subscriptions where user_id = $1 order by id', [userId])).map((r) => r.endpoint);
  });
  afterAll(() => server?.close());

  it('gives the server public key to pass as applicationServerKey', async () => {
    const [member] = await dept.newMembers(1);
    const res = await dept.as(member).get('/api/push/public-key').expect(200);
    expect(res.body).toEqual({ publicKey: vapid.publicKey });
  });

  it('stores a browser subscription per device and updates it when the same endpoint subscribes again', async () => {
    const [member] = await dept.newMembers(1);
    const phone = browserSubscription();
    const laptop = browserSubscription();

    const created = await dept.as(member).post('/api/push/subscriptions').send(phone).expect(201);
    expect(created.body).toEqual({ id: expect.any(Number), endpoint: phone.endpoint, createdAt: expect.any(String) });
    await dept.as(member).post('/api/push/subscriptions').send(laptop).expect(201);
    const renewed = { ...phone, keys: browserSubscription().keys };
    const again = await dept.as(member).post('/api/push/subscriptions').send(renewed).expect(201);

    expect(again.body.id).toBe(created.body.id);
    expect(await devicesOf(member.id)).toEqual([phone.endpoint, laptop.endpoint]);
  });

  it('keeps the ten devices a member subscribed with most recently', async () => {
    const [member] = await dept.newMembers(1);
    const devices = Array.from({ length: 11 }, () => browserSubscription());
    for (const device of devices) await dept.as(member).post('/api/push/subscriptions').send(device).expect(201);

    expect(await devicesOf(member.id)).toEqual(devices.slice(1).map((d) => d.endpoint));
  });

  it('gives a device to the member who subscribed with it last', async () => {
    const [first, second] = await dept.newMembers(2);
    const shared = browserSubscription();
    await dept.as(first).post('/api/push/subscriptions').send(shared).expect(201);
    await dept.as(second).post('/api/push/subscriptions').send(shared).expect(201);

    expect(await devicesOf(first.id)).toEqual([]);
    expect(await devicesOf(second.id)).toEqual([shared.endpoint]);
  });

  it('removes the caller’s subscription by endpoint and leaves other members’ alone', async () => {
    const [owner, other] = await dept.newMembers(2);
    const device = browserSubscription();
    await dept.as(owner).post('/api/push/subscriptions').send(device).expect(201);

    await dept.as(other).delete('/api/push/subscriptions').send({ endpoint: device.endpoint }).expect(204);
    expect(await devicesOf(owner.id)).toEqual([device.endpoint]);
    await dept.as(owner).delete('/api/push/subscriptions').send({ endpoint: device.endpoint }).expect(204);
    expect(await devicesOf(owner.id)).toEqual([]);
  });

  it.each([
    ['an endpoint that is no URL', { endpoint: 'not a url' }, 'endpoint must be an https URL'],
    ['an endpoint of another scheme', { endpoint: 'ftp://push.example/x' }, 'endpoint must be an https URL'],
    ['no keys', { keys: undefined }, 'keys is required'],
    ['a p256dh key of the wrong length', { keys: { p256dh: 'BAAA', auth: randomBytes(16).toString('base64url') } }, 'keys.p256dh must be an uncompressed P-256 public key'],
    ['a p256dh key in plain base64', { keys: { p256dh: plainBase64Key(), auth: randomBytes(16).toString('base64url') } }, 'keys.p256dh'],
    ['an auth secret of the wrong length', { keys: { p256dh: browserSubscription().keys.p256dh, auth: randomBytes(8).toString('base64url') } }, 'keys.auth must be a 16-byte secret'],
    ['a p256dh key that is not on the curve', { keys: { p256dh: `B${'A'.repeat(86)}`, auth: randomBytes(16).toString('base64url') } }, 'keys.p256dh is not a point on the P-256 curve'],
    ['an unknown field', { extra: 1 }, 'extra'],
  ])('refuses a subscription with %s, naming the field', async (_, change, expected) => {
    const [member] = await dept.newMembers(1);
    const res = await dept.as(member).post('/api/push/subscriptions').send({ ...browserSubscription(), ...change }).expect(400);
    expect(res.body.message).toContain(expected);
    expect(await devicesOf(member.id)).toEqual([]);
  });

  it('needs a token, and the messages module switched on', async () => {
    await request(server.baseUrl).get('/api/push/public-key').expect(401);
    const other = await TestDepartment.create(server);
    const [member] = await other.newMembers(1);
    await other.switchMessages(false);

    const res = await other.as(member).post('/api/push/subscriptions').send(browserSubscription()).expect(403);
    expect(res.body.message).toBe('The messages module is disabled for this department');
    await other.as(member).get('/api/push/public-key').expect(403);
  });
});

describe('push subscriptions on a server without VAPID keys', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('says that Web Push is not configured when asked for the public key', async () => {
    const dept = await TestDepartment.create(server);
    const res = await dept.asAdmin().get('/api/push/public-key').expect(503);
    expect(res.body.message).toBe('Web Push is not configured on this server');
  });
});
