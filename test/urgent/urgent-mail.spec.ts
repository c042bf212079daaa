import type { Client } from 'pg';
import webpush from 'web-push';
import { PresenceService } from '../../src/messages/presence/presence.service';
import type { MessageDeliveryPayload } from '../../src/messages/realtime/socket-events';
import { RECIPIENTS_SQL } from '../../src/messages/recipients/recipients.repository';
import { TestDepartment, type TestMember } from '../support/factories';
import { eventually as poll, PushService } from '../support/push-service';
import { collect, connectSocket, closeAllSockets, eventually, nextEvent, type MessagesClient } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';
import { openDatabase, send, sendOk } from '../mail/mail-support';

const vapid = webpush.generateVAPIDKeys();

describe('urgent department messages: acknowledgements and the delivery record', () => {
  let server: TestServer;
  let service: PushService;
  let db: Client;

  beforeAll(async () => {
    service = await PushService.start();
    server = await startTestServer({
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      PUSH_ENDPOINT_ALLOWLIST: service.baseUrl,
      PUSH_POLL_INTERVAL_MS: '500',
      PUSH_RETRY_DELAY_SECONDS: '1',
      ESCALATION_MIN_INTERVAL_SECONDS: '2',
    });
    db = await openDatabase(server);
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await db?.end();
    await server?.close();
    await service?.close();
  });

  const connect = async (member: TestMember): Promise<MessagesClient> => {
    const socket = await connectSocket(server.baseUrl, member.token);
    const presence = server.app.get(PresenceService);
    // The connection is registered just after the handshake: wait for it before counting on it.
    expect(await poll(() => presence.isOnline(member.id), 5_000, 20)).toBe(true);
    return socket;
  };

  async function subscribeDevice(dept: TestDepartment, member: TestMember) {
    const device = await service.subscribe(vapid.publicKey);
    await dept.as(member).post('/api/push/subscriptions').send({ endpoint: device.endpoint, keys: device.keys }).expect(201);
    return { received: () => service.received(device.clientHash) };
  }

  /** A sender, a member with a live socket, a member with only a push device, and one with neither. */
  async function world() {
    const dept = await TestDepartment.create(server);
    const [sender, connected, pushOnly, unreachable] = await dept.newMembers(4);
    const senderSocket = await connect(sender);
    const connectedSocket = await connect(connected);
    const phone = await subscribeDevice(dept, pushOnly);
    return { dept, sender, connected, pushOnly, unreachable, senderSocket, connectedSocket, phone };
  }

  const sendUrgent = (dept: TestDepartment, sender: TestMember, userIds: number[], extra: Record<string, unknown> = {}) =>
    sendOk(dept, sender, { subject: 'Evacuate station 2', priority: 'urgent', sendMode: 'specific', userIds, ...extra });

  it('reaches a connected member by socket and a push-only member by push, and counts the third as unreachable', async () => {
    const { dept, sender, connected, pushOnly, unreachable, senderSocket, connectedSocket, phone } = await world();
    const deliveries = collect(senderSocket, 'message:delivery');
    const arrival = nextEvent(connectedSocket, 'message:new');

    const id = await sendUrgent(dept, sender, [connected.id, pushOnly.id, unreachable.id]);

    const item = await arrival;
    expect(item).toMatchObject({ id, priority: 'urgent', acknowledgedAt: null });
    const confirmed = await connectedSocket.emitWithAck('message:received', { messageId: id });
    expect(confirmed).toEqual({ ok: true, data: { recorded: true } });
    // A second confirmation is no news.
    expect(await connectedSocket.emitWithAck('message:received', { messageId: id })).toEqual({ ok: true, data: { recorded: false } });

    const [push] = (await poll(() => phone.received().then((r) => (r.length ? r : null)))) ?? [];
    expect(push).toMatchObject({ kind: 'message', title: 'Evacuate station 2', urgent: true, ids: { messageId: id } });
    await eventually(() => deliveries.length >= 2, 10_000, 'two delivery events');
    expect(deliveries).toEqual(
      expect.arrayContaining<MessageDeliveryPayload>([
        { messageId: id, userId: connected.id, state: 'reached', channel: 'socket', at: expect.any(String) },
        { messageId: id, userId: pushOnly.id, state: 'reached', channel: 'push', at: expect.any(String) },
      ]),
    );

    const detail = await dept.as(sender).get(`/api/messages/${id}`).expect(200);
    expect(detail.body.priority).toBe('urgent');
    expect(detail.body.delivery).toEqual({ recipients: 3, reached: 2, read: 0, acknowledged: 0, unreachable: 1 });

    const unreachableOnly = await dept.as(sender).get(`/api/messages/${id}/recipients?state=unreachable`).expect(200);
    expect(unreachableOnly.body.items.map((r: { userId: number }) => r.userId)).toEqual([unreachable.id]);
    expect(unreachableOnly.body.items[0]).toMatchObject({ name: unreachable.name, state: 'unreachable', channels: { socket: null, push: null, email: null } });
    const all = await dept.as(sender).get(`/api/messages/${id}/recipients?state=all`).expect(200);
    const states = Object.fromEntries(all.body.items.map((r: { userId: number; state: string }) => [r.userId, r.state]));
    expect(states).toEqual({ [connected.id]: 'reached', [pushOnly.id]: 'reached', [unreachable.id]: 'unreachable' });
    expect(all.body.items.find((r: { userId: number }) => r.userId === pushOnly.id).channels.push).toEqual(expect.any(String));
  });

  it('counts a member not yet reached as unreachable only with neither a live socket nor a push device of the department', async () => {
    const dept = await TestDepartment.create(server);
    const other = await TestDepartment.create(server);
    const [sender, online, pushOnly, neither, staleSocket, otherDevice, reader] = await dept.newMembers(7);
    // Written straight to the tables: a send would queue pushes, and one could reach a member before the counts are read.
    const {
      rows: [{ id }],
    } = await db.query<{ id: number }>(
      `insert into mail_messages (department_id, sender_id, sender_name, subject, body, recipient_count)
       values ($1, $2, $3, 'Roll call', '<p>Answer, please.</p>', 6) returning id`,
      [dept.id, sender.id, sender.name],
    );
    await db.query(
      `insert into mail_recipients (message_id, user_id, department_id, read_at, unread)
       select $1, u.id, $2, case when u.id = $4 then now() end, u.id <> $4 from unnest($3::int[]) u(id)`,
      [id, dept.id, [online.id, pushOnly.id, neither.id, staleSocket.id, otherDevice.id, reader.id], reader.id],
    );
    await connect(online);
    await db.query(
      `insert into push_subscriptions (department_id, user_id, endpoint, p256dh, auth)
       values ($1, $2, $4 || '/here', 'key', 'auth'), ($3, $5, $4 || '/elsewhere', 'key', 'auth')`,
      [dept.id, pushOnly.id, other.id, `${service.baseUrl}/${id}`, otherDevice.id],
    );
    // A socket on a process whose heartbeat stopped long ago.
    const {
      rows: [{ process_id: staleProcess }],
    } = await db.query<{ process_id: string }>(
      `with gone as (insert into server_processes (id, heartbeat_at) values (gen_random_uuid(), now() - interval '1 hour') returning id)
       insert into socket_presence (process_id, socket_id, user_id) select id, 'gone', $1 from gone returning process_id`,
      [staleSocket.id],
    );
    try {
      const detail = await dept.as(sender).get(`/api/messages/${id}`).expect(200);
      expect(detail.body.delivery).toEqual({ recipients: 6, reached: 1, read: 1, acknowledged: 0, unreachable: 3 });
      const record = await dept.as(sender).get(`/api/messages/${id}/recipients?state=all`).expect(200);
      expect(record.body.summary).toEqual(detail.body.delivery);
      const states = Object.fromEntries(record.body.items.map((r: { userId: number; state: string }) => [r.userId, r.state]));
      expect(states).toEqual({
        [online.id]: 'pending',
        [pushOnly.id]: 'pending',
        [neither.id]: 'unreachable',
        [staleSocket.id]: 'unreachable',
        [otherDevice.id]: 'unreachable',
        [reader.id]: 'read',
      });
      // A message to more than PROBE_REACHABLE_UP_TO is counted against the hashed set of reachable ids: the same counts.
      const counts = async (sql: string) => (await db.query(sql, [id, dept.id, server.app.get(PresenceService).staleAfterSeconds])).rows[0];
      expect(await counts(RECIPIENTS_SQL.summaryOfMany)).toEqual(await counts(RECIPIENTS_SQL.summary));
      expect(await counts(RECIPIENTS_SQL.summaryOfMany)).toMatchObject({ recipients: 6, reached: 1, unreachable: 3 });
    } finally {
      await db.query('delete from server_processes where id = $1', [staleProcess]);
    }
  });

  it('takes acknowledgements over HTTP, the socket and a coded response, each once, and tells the sender live', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, byHttp, bySocket, byResponse, silent] = await dept.newMembers(5);
    const senderSocket = await connect(sender);
    const socket = await connect(bySocket);
    const deliveries = collect(senderSocket, 'message:delivery');
    const id = await sendUrgent(dept, sender, [byHttp.id, bySocket.id, byResponse.id, silent.id], { type: 'callback' });

    const first = await dept.as(byHttp).post(`/api/messages/${id}/ack`).expect(200);
    expect(first.body).toEqual({ messageId: id, acknowledgedAt: expect.any(String) });
    const again = await dept.as(byHttp).post(`/api/messages/${id}/ack`).expect(200);
    expect(again.body.acknowledgedAt).toBe(first.body.acknowledgedAt);
    const viaSocket = await socket.emitWithAck('message:ack', { messageId: id });
    expect(viaSocket).toEqual({ ok: true, data: { messageId: id, acknowledgedAt: expect.any(String) } });
    await dept.as(byResponse).post(`/api/messages/${id}/response`).send({ response: 'yes' }).expect(200);

    await eventually(() => deliveries.filter((d) => d.state === 'acknowledged').length === 3, 5_000, 'three acknowledgements');
    expect(deliveries.filter((d) => d.state === 'acknowledged').map((d) => d.userId).sort((a, b) => a - b)).toEqual(
      [byHttp.id, bySocket.id, byResponse.id].sort((a, b) => a - b),
    );
    const detail = await dept.as(sender).get(`/api/messages/${id}`).expect(200);
    expect(detail.body.delivery).toMatchObject({ recipients: 4, read: 3, acknowledged: 3 });
    const pending = await dept.as(sender).get(`/api/messages/${id}/recipients?state=unacknowledged`).expect(200);
    expect(pending.body.items.map((r: { userId: number }) => r.userId)).toEqual([silent.id]);
    const mine = await dept.as(bySocket).get(`/api/messages/${id}`).expect(200);
    expect(mine.body.acknowledgedAt).toEqual(viaSocket.ok && viaSocket.data.acknowledgedAt);
    const inbox = await dept.as(byHttp).get('/api/messages/inbox').expect(200);
    expect(inbox.body.items[0]).toMatchObject({ id, priority: 'urgent', acknowledgedAt: first.body.acknowledgedAt, isRead: true });
  });

  it('refuses acknowledgements from the sender (403) and from anyone not a recipient (404)', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, reader, stranger] = await dept.newMembers(3);
    const other = await TestDepartment.create(server);
    const outsider = await other.newMember();
    const id = await sendUrgent(dept, sender, [reader.id]);
    const own = await dept.as(sender).post(`/api/messages/${id}/ack`).expect(403);
    expect(own.body.message).toMatch(/you sent it/);
    await dept.as(stranger).post(`/api/messages/${id}/ack`).expect(404);
    await other.as(outsider).post(`/api/messages/${id}/ack`).expect(404);
    await dept.as(stranger).get(`/api/messages/${id}/recipients`).expect(404);
    await dept.as(reader).get(`/api/messages/${id}/recipients`).expect(404);
    const socket = await connect(stranger);
    expect(await socket.emitWithAck('message:ack', { messageId: id })).toEqual({ ok: false, error: { statusCode: 404, message: `Message ${id} not found` } });
    expect(await socket.emitWithAck('message:ack', { messageId: 'x' as unknown as number })).toMatchObject({ ok: false, error: { statusCode: 400, message: expect.stringMatching(/messageId/) } });
    const { rows } = await db.query('select count(acknowledged_at)::int as n from mail_recipients where message_id = $1', [id]);
    expect(rows[0].n).toBe(0);
    // Removed from the inbox unacknowledged, it can still be acknowledged: the reminders stop for them.
    await dept.as(reader).delete(`/api/messages/inbox/${id}`).expect(200);
    await dept.as(reader).post(`/api/messages/${id}/ack`).expect(200);
  });

  it('pages the recipients by state with a cursor and refuses an unknown state', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, ...crew] = await dept.newMembers(5);
    const id = await sendUrgent(dept, sender, crew.map((m) => m.id));
    await dept.as(crew[1]).post(`/api/messages/${id}/ack`).expect(200);
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { userId: number }[]; nextCursor: string | null } } = await dept
        .as(sender)
        .get(`/api/messages/${id}/recipients?state=unacknowledged&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      ids.push(...page.body.items.map((r) => r.userId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(ids).toEqual(crew.filter((m) => m !== crew[1]).map((m) => m.id).sort((a, b) => a - b));
    const bad = await dept.as(sender).get(`/api/messages/${id}/recipients?state=lost`).expect(400);
    expect(bad.body.message).toBe("state must be one of unacknowledged, unread, unreachable, all");
  });

  it('refuses bad escalation settings with 400 naming the field, and stores nothing', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, reader] = await dept.newMembers(2);
    const role = await dept.newRole('Supervisor', [reader]);
    const count = async () => (await db.query('select count(*)::int as n from mail_messages where sender_id = $1', [sender.id])).rows[0].n;
    const base = { subject: 'Urgent', sendMode: 'specific', userIds: [reader.id] };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 1, repeats: 2 } }, /escalation\.repeatEverySeconds must be at least 2 seconds/],
      [{ escalation: { repeatEverySeconds: 60, repeats: 2 } }, /escalation is only for urgent messages/],
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 60, repeats: 21 } }, /escalation\.repeats must be at most 20/],
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 'soon', repeats: 1 } }, /escalation\.repeatEverySeconds must be a whole number/],
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 60 } }, /escalation\.repeats/],
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 60, repeats: 1, thenNotifyUserIds: [999_999] } }, /escalation\.thenNotifyUserIds 999999/],
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 60, repeats: 1, thenNotifyRoleIds: [role + 1000] } }, /escalation\.thenNotifyRoleIds/],
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 60, repeats: 1, every: 3 } }, /every/],
      [{ priority: 'urgent', escalation: 'often' }, /escalation must be an object/],
      [{ priority: 'very' }, /priority must be one of normal, urgent/],
    ];
    for (const [fields, message] of cases) {
      const res = await send(dept, sender, { ...base, ...fields });
      expect({ fields, status: res.status }).toEqual({ fields, status: 400 });
      expect(String(res.body.message)).toMatch(message);
    }
    expect(await count()).toBe(0);
    await send(dept, sender, { ...base, priority: 'urgent', escalation: { repeatEverySeconds: 60, repeats: 1, thenNotifyRoleIds: [role] } }).expect(201);
    expect(await count()).toBe(1);
  });
});
