import { Client } from 'pg';
import webpush from 'web-push';
import { TestDepartment } from '../support/factories';
import { eventually, PushService } from '../support/push-service';
import { createDatabase, startTestServer, type TestServer } from '../support/test-server';

const vapid = webpush.generateVAPIDKeys();

/**
 * Reminders are jobs in PostgreSQL: a server that stops in the middle of an escalation (of mail or of a conversation line) hands
 * it to whichever processes run next, and two of them at once still remind once per step.
 */
describe('escalation across a restart and several processes', () => {
  let service: PushService;
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let db: Client;
  const servers: TestServer[] = [];

  const start = async () => {
    const server = await startTestServer(
      {
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        PUSH_ENDPOINT_ALLOWLIST: service.baseUrl,
        PUSH_POLL_INTERVAL_MS: '500',
        PUSH_RETRY_DELAY_SECONDS: '1',
        ESCALATION_MIN_INTERVAL_SECONDS: '1',
      },
      database.url,
    );
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    service = await PushService.start();
    database = await createDatabase();
    db = new Client({ connectionString: database.url });
  });
  afterAll(async () => {
    await db?.end();
    for (const s of servers) await s.app.close().catch(() => undefined);
    await service?.close();
    await database?.drop();
  });

  it('loses no reminder and repeats none when the server restarts mid-escalation, with two processes after it', async () => {
    const first = await start();
    await db.connect();
    const dept = await TestDepartment.create(first);
    const [sender, offline, supervisor] = await dept.newMembers(3);
    const device = await service.subscribe(vapid.publicKey);
    await dept.as(offline).post('/api/push/subscriptions').send({ endpoint: device.endpoint, keys: device.keys }).expect(201);
    const pushes = () => service.received(device.clientHash);

    const sent = await dept
      .as(sender)
      .post('/api/messages')
      .send({
        subject: 'Report in',
        body: 'Everyone report in',
        priority: 'urgent',
        sendMode: 'specific',
        userIds: [offline.id],
        escalation: { repeatEverySeconds: 2, repeats: 3, thenNotifyUserIds: [supervisor.id] },
      })
      .expect(201);
    const id: number = sent.body.id;
    // The message itself and the first reminder, then the server goes away.
    expect(await eventually(async () => (await pushes()).length >= 2, 20_000)).toBe(true);
    await first.app.close();
    // Long enough for the next step to fall due while no server runs.
    await new Promise((r) => setTimeout(r, 2_500));
    await Promise.all([start(), start()]);

    const escalations = async () =>
      (await db.query(`select id from mail_messages where department_id = $1 and sender_name = 'Escalation'`, [dept.id])).rows;
    expect(await eventually(async () => (await escalations()).length > 0, 30_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 3_000));

    expect(await escalations()).toHaveLength(1);
    const received = await pushes();
    expect(received.map((p) => p.reminder ?? 0)).toEqual([0, 1, 2, 3]);
    const { rows } = await db.query('select escalation_step from mail_messages where id = $1', [id]);
    expect(rows[0].escalation_step).toBe(4);
    const [escalation] = await escalations();
    const recipients = await db.query<{ user_id: number }>('select user_id from mail_recipients where message_id = $1 order by user_id', [escalation.id]);
    expect(recipients.rows.map((r) => r.user_id)).toEqual([sender.id, supervisor.id].sort((a, b) => a - b));
  }, 90_000);

  it('does the same for an urgent conversation line', async () => {
    for (const s of servers.splice(0)) await s.app.close().catch(() => undefined);
    const first = await start();
    const dept = await TestDepartment.create(first);
    const [author, offline, supervisor] = await dept.newMembers(3);
    const zone = await dept.newZone('North');
    await dept.asAdmin().put(`/api/zones/${zone}/members`).send({ userIds: [author.id, offline.id] }).expect(200);
    for (const m of [author, offline]) await dept.setCurrentZone(m, zone);
    const { body: conversation } = await dept.as(author).post('/api/conversations').send({ title: 'Ladder 3', memberIds: [offline.id] }).expect(201);
    const device = await service.subscribe(vapid.publicKey);
    await dept.as(offline).post('/api/push/subscriptions').send({ endpoint: device.endpoint, keys: device.keys }).expect(201);
    const pushes = () => service.received(device.clientHash);

    const { body: line } = await dept
      .as(author)
      .post(`/api/conversations/${conversation.id}/messages`)
      .send({ body: 'Everyone report in', priority: 'urgent', escalation: { repeatEverySeconds: 2, repeats: 3, thenNotifyUserIds: [supervisor.id] } })
      .expect(201);
    expect(await eventually(async () => (await pushes()).length >= 2, 20_000)).toBe(true);
    await first.app.close();
    await new Promise((r) => setTimeout(r, 2_500));
    await Promise.all([start(), start()]);

    const escalations = async () =>
      (await db.query(`select id from mail_messages where department_id = $1 and sender_name = 'Escalation'`, [dept.id])).rows;
    expect(await eventually(async () => (await escalations()).length > 0, 30_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 3_000));

    expect(await escalations()).toHaveLength(1);
    expect((await pushes()).map((p) => p.reminder ?? 0)).toEqual([0, 1, 2, 3]);
    const { rows } = await db.query('select escalation_step from conversation_messages where conversation_id = $1 and seq = $2', [conversation.id, line.seq]);
    expect(rows[0].escalation_step).toBe(4);
    const [escalation] = await escalations();
    const recipients = await db.query<{ user_id: number }>('select user_id from mail_recipients where message_id = $1 order by user_id', [escalation.id]);
    expect(recipients.rows.map((r) => r.user_id)).toEqual([author.id, supervisor.id].sort((a, b) => a - b));
  }, 90_000);
});
