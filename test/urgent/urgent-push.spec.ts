import webpush from 'web-push';
import { TestDepartment, type TestMember } from '../support/factories';
import { eventually, pause, PushService, ScriptedPushEndpoint } from '../support/push-service';
import { startTestServer, type TestServer } from '../support/test-server';

const vapid = webpush.generateVAPIDKeys();
const pushEnv = (extra: Record<string, string> = {}) => ({
  VAPID_PUBLIC_KEY: vapid.publicKey,
  VAPID_PRIVATE_KEY: vapid.privateKey,
  PUSH_POLL_INTERVAL_MS: '500',
  PUSH_RETRY_DELAY_SECONDS: '1',
  ...extra,
});

describe('Web Push for urgent and ordinary messages', () => {
  let server: TestServer;
  let service: PushService;
  let dept: TestDepartment;

  beforeAll(async () => {
    service = await PushService.start();
    server = await startTestServer(pushEnv({ PUSH_ENDPOINT_ALLOWLIST: `${service.baseUrl},${await ScriptedPushEndpoint.origin()}` }));
    dept = await TestDepartment.create(server);
  });
  afterAll(async () => {
    await server?.close();
    await service?.close();
  });

  async function device(member: TestMember, on: TestServer = server, department: TestDepartment = dept) {
    const subscription = await service.subscribe(vapid.publicKey);
    await department.as(member).post('/api/push/subscriptions').send({ endpoint: subscription.endpoint, keys: subscription.keys }).expect(201);
    return () => service.received(subscription.clientHash);
  }

  it('sends every push with a TTL, an Urgency (high for urgent) and a Topic per message or conversation', async () => {
    const [sender, reader] = await dept.newMembers(2);
    const endpoint = await ScriptedPushEndpoint.start([201]);
    try {
      await dept.as(reader).post('/api/push/subscriptions').send(endpoint.subscription).expect(201);
      const urgent = await dept
        .as(sender)
        .post('/api/messages')
        .send({ subject: 'Mayday', body: 'Now', priority: 'urgent', sendMode: 'specific', userIds: [reader.id] })
        .expect(201);
      const { body: chat } = await dept.as(sender).post('/api/conversations/direct').send({ userId: reader.id }).expect(201);
      await dept.as(sender).post(`/api/conversations/${chat.id}/messages`).send({ body: 'Coffee?' }).expect(201);

      expect(await eventually(async () => endpoint.accepted.length === 2, 20_000)).toBe(true);
      const byTopic = Object.fromEntries(endpoint.requests.map((r) => [r.topic, r]));
      expect(byTopic[`message-${urgent.body.id}`]).toMatchObject({ urgency: 'high', ttl: '86400' });
      expect(byTopic[`conversation-${chat.id}`]).toMatchObject({ urgency: 'normal', ttl: '86400' });
      expect(endpoint.accepted.find((p) => p.kind === 'message')).toMatchObject({ urgent: true, title: 'Mayday' });
    } finally {
      await endpoint.close();
    }
  });

  it('clears the notification on the other devices when the message is acknowledged or read elsewhere', async () => {
    const [sender, reader] = await dept.newMembers(2);
    const phone = await device(reader);
    const urgent = await dept
      .as(sender)
      .post('/api/messages')
      .send({ subject: 'Acknowledge me', body: 'Now', priority: 'urgent', sendMode: 'specific', userIds: [reader.id] })
      .expect(201);
    const normal = await dept.as(sender).post('/api/messages').send({ subject: 'Read me', body: 'Later', sendMode: 'specific', userIds: [reader.id] }).expect(201);
    expect(await eventually(async () => (await phone()).length === 2, 20_000)).toBe(true);

    await dept.as(reader).post(`/api/messages/${urgent.body.id}/ack`).expect(200);
    await dept.as(reader).get(`/api/messages/${normal.body.id}`).expect(200);

    expect(await eventually(async () => (await phone()).length === 4, 20_000)).toBe(true);
    const clears = (await phone()).filter((p) => p.kind === 'clear');
    expect(clears.map((p) => p.ids.messageId).sort()).toEqual([urgent.body.id, normal.body.id].sort());
    expect(clears.every((p) => p.title === '' && p.preview === '')).toBe(true);
    // Acknowledging again clears nothing more.
    await dept.as(reader).post(`/api/messages/${urgent.body.id}/ack`).expect(200);
    await pause(1_500);
    expect(await phone()).toHaveLength(4);
  });

  it('with PUSH_CONTENT=minimal sends no subject, body or name, only what to open', async () => {
    const minimal = await startTestServer(pushEnv({ PUSH_CONTENT: 'minimal', PUSH_ENDPOINT_ALLOWLIST: `${service.baseUrl},${await ScriptedPushEndpoint.origin()}` }));
    try {
      const department = await TestDepartment.create(minimal);
      const [sender, reader] = await department.newMembers(2);
      const phone = await device(reader, minimal, department);
      const sent = await department
        .as(sender)
        .post('/api/messages')
        .send({ subject: 'Secret location', body: 'Grid 7', priority: 'urgent', sendMode: 'specific', userIds: [reader.id] })
        .expect(201);
      const { body: chat } = await department.as(sender).post('/api/conversations/direct').send({ userId: reader.id }).expect(201);
      await department.as(sender).post(`/api/conversations/${chat.id}/messages`).send({ body: 'Patient name' }).expect(201);
      expect(await eventually(async () => (await phone()).length === 2, 20_000)).toBe(true);
      const received = await phone();
      expect(received).toEqual(
        expect.arrayContaining([
          { kind: 'message', title: 'Urgent: new message', preview: '', ids: { messageId: sent.body.id }, urgent: true },
          { kind: 'conversation-message', title: 'New chat message', preview: '', ids: { conversationId: chat.id, seq: expect.any(Number) } },
        ]),
      );
      expect(JSON.stringify(received)).not.toMatch(/Secret|Grid|Patient|Member/);
    } finally {
      await minimal.close();
    }
  });
});
