import { CommandBus } from '@nestjs/cqrs';
import { createECDH, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import webpush from 'web-push';
import { PostMessage } from '../../src/messages/conversations/commands/post-message.command';
import { shouldPush } from '../../src/messages/push/push-decision';
import { TestDepartment, type TestMember } from '../support/factories';
import { eventually, pause, PushService } from '../support/push-service';
import { startTestServer, type TestServer } from '../support/test-server';

const vapid = webpush.generateVAPIDKeys();

describe('notification levels govern conversation pushes', () => {
  let server: TestServer;
  let service: PushService;
  let dept: TestDepartment;

  beforeAll(async () => {
    service = await PushService.start();
    server = await startTestServer({ VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, PUSH_POLL_INTERVAL_MS: '500', PUSH_ENDPOINT_ALLOWLIST: service.baseUrl });
    dept = await TestDepartment.create(server);
  });
  afterAll(async () => {
    await server?.close();
    await service?.close();
  });

  async function phoneOf(member: TestMember) {
    const device = await service.subscribe(vapid.publicKey);
    await dept.as(member).post('/api/push/subscriptions').send({ endpoint: device.endpoint, keys: device.keys }).expect(201);
    // Pushes are worked off in parallel, so their order is not the messages' order.
    return { received: async () => (await service.received(device.clientHash)).map((p: { preview: string }) => p.preview).sort() };
  }

  it('decides in one place: urgent always, all always, mentions only when mentioned, none never', () => {
    expect(shouldPush('none', false, 'urgent')).toBe(true);
    expect(shouldPush('mentions', false, 'urgent')).toBe(true);
    expect(shouldPush('all', false, 'normal')).toBe(true);
    expect(shouldPush('mentions', true, 'normal')).toBe(true);
    expect(shouldPush('mentions', false, 'normal')).toBe(false);
    expect(shouldPush('none', true, 'normal')).toBe(false);
  });

  it('pushes to a member muted to mentions only their mention and the urgent message, and to one muted to none only the urgent one', async () => {
    const [dispatcher, quiet, silent, everyone] = await dept.newMembers(4);
    const id = (await dept.as(dispatcher).post('/api/conversations').send({ title: 'Structure fire', memberIds: [quiet.id, silent.id, everyone.id] }).expect(201))
      .body.id;
    const [quietPhone, silentPhone, everyonePhone] = await Promise.all([phoneOf(quiet), phoneOf(silent), phoneOf(everyone)]);
    await dept.as(quiet).put(`/api/conversations/${id}/notifications`).send({ level: 'mentions' }).expect(200);
    await dept.as(silent).put(`/api/conversations/${id}/notifications`).send({ level: 'none' }).expect(200);

    const post = (body: object) => dept.as(dispatcher).post(`/api/conversations/${id}/messages`).send(body).expect(201);
    await post({ body: 'Smoke showing, second floor' });
    await post({ body: 'Take the hydrant', mentionUserIds: [quiet.id, silent.id] });
    // Urgent messages reach whatever the level; the command takes the priority the send routes will pass.
    await server.app.get(CommandBus).execute(new PostMessage({ author: { ...dispatcher, departmentId: dept.id, userId: dispatcher.id }, conversationId: id, body: 'Mayday, evacuate', priority: 'urgent' }));

    expect(await eventually(async () => (await everyonePhone.received()).length === 3)).toBe(true);
    await pause(1000);
    expect(await everyonePhone.received()).toEqual(['Mayday, evacuate', 'Smoke showing, second floor', 'Take the hydrant']);
    expect(await quietPhone.received()).toEqual(['Mayday, evacuate', 'Take the hydrant']);
    expect(await silentPhone.received()).toEqual(['Mayday, evacuate']);
    // The level changes pushes only: the history is the same for everyone.
    const history = await dept.as(silent).get(`/api/conversations/${id}/messages`).expect(200);
    expect(history.body.items.filter((m: { kind: string }) => m.kind === 'text')).toHaveLength(3);
  });
});

describe('a retracted message’s pushes', () => {
  let server: TestServer;
  let db: Client;
  beforeAll(async () => {
    // No workers here: pushes stay queued, as they would while a push service is slow or down.
    server = await startTestServer({ VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, PUSH_WORKERS: 'off' });
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await server?.close();
  });

  it('are withdrawn while they still wait to be sent', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const device = createECDH('prime256v1');
    device.generateKeys();
    const keys = { p256dh: device.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
    await dept.as(bob).post('/api/push/subscriptions').send({ endpoint: 'https://push.example/device/1', keys }).expect(201);
    const id = (await dept.as(ann).post('/api/conversations').send({ title: 'Oops', memberIds: [bob.id] }).expect(201)).body.id;
    const kept = await dept.as(ann).post(`/api/conversations/${id}/messages`).send({ body: 'Kept' }).expect(201);
    const slip = await dept.as(ann).post(`/api/conversations/${id}/messages`).send({ body: 'Wrong room' }).expect(201);
    const queued = async () =>
      (await db.query(`select payload->'ids'->>'seq' as seq from push_events where department_id = $1 and payload->'ids'->>'conversationId' = $2 and payload->>'kind' = 'conversation-message' order by id`, [dept.id, String(id)])).rows.map(
        (r) => Number(r.seq),
      );
    expect(await queued()).toEqual([kept.body.seq, slip.body.seq]);
    await dept.as(ann).delete(`/api/conversations/${id}/messages/${slip.body.seq}`).expect(200);
    expect(await queued()).toEqual([kept.body.seq]);
  });
});
