import type { Client } from 'pg';
import webpush from 'web-push';
import { PresenceService } from '../../src/messages/presence/presence.service';
import type { ConversationReminderPayload, InboxItem } from '../../src/messages/realtime/socket-events';
import { EscalationWorker } from '../../src/messages/urgent/escalation/escalation.worker';
import { openDatabase } from '../mail/mail-support';
import { TestDepartment, type TestMember } from '../support/factories';
import { eventually as poll, ScriptedPushEndpoint } from '../support/push-service';
import { closeAllSockets, collect, connectSocket, nextEvent, settle, type MessagesClient } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

const vapid = webpush.generateVAPIDKeys();

/** Urgent conversation lines escalate as urgent mail does: the same planner, queue and worker. */
describe('escalation of urgent conversation messages', () => {
  let server: TestServer;
  let db: Client;

  beforeAll(async () => {
    server = await startTestServer({
      ESCALATION_MIN_INTERVAL_SECONDS: '1',
      PUSH_POLL_INTERVAL_MS: '500',
      PUSH_RETRY_DELAY_SECONDS: '1',
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      PUSH_ENDPOINT_ALLOWLIST: await ScriptedPushEndpoint.origin(),
    });
    db = await openDatabase(server);
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await db?.end();
    await server?.close();
  });

  const connect = async (member: TestMember): Promise<MessagesClient> => {
    const socket = await connectSocket(server.baseUrl, member.token);
    expect(await poll(() => server.app.get(PresenceService).isOnline(member.id), 5_000, 20)).toBe(true);
    return socket;
  };

  /** A department whose named members share a zone and a conversation "Engine 7" opened by the first. */
  async function chat(names: string[]) {
    const dept = await TestDepartment.create(server);
    const zone = await dept.newZone('North');
    const members = await Promise.all(names.map((name) => dept.newMember({ name })));
    await dept.asAdmin().put(`/api/zones/${zone}/members`).send({ userIds: members.map((m) => m.id) }).expect(200);
    for (const m of members) await dept.setCurrentZone(m, zone);
    const [author, ...others] = members;
    const { body: conversation } = await dept
      .as(author)
      .post('/api/conversations')
      .send({ title: 'Engine 7', memberIds: others.map((m) => m.id) })
      .expect(201);
    return { dept, members, conversationId: conversation.id as number };
  }

  const escalationsOf = async (departmentId: number) =>
    (await db.query<{ id: number }>(`select id from mail_messages where department_id = $1 and sender_name = 'Escalation'`, [departmentId])).rows;

  it('reminds the members who have not acknowledged, stops at an acknowledgement, then tells the people named, the role holders and the author exactly who did not', async () => {
    const { dept, members, conversationId } = await chat(['Author', 'Early Ack', 'Late Ack', 'Never Ack']);
    const [author, early, late, never] = members;
    const [supervisor, captain] = await Promise.all([dept.newMember({ name: 'Supervisor' }), dept.newMember({ name: 'Captain' })]);
    const role = await dept.newRole('Captain', [captain]);
    const [authorSocket, earlySocket, lateSocket, neverSocket, supervisorSocket, captainSocket] = await Promise.all(
      [author, early, late, never, supervisor, captain].map(connect),
    );
    const reminders = {
      author: collect(authorSocket, 'conversation:reminder'),
      early: collect(earlySocket, 'conversation:reminder'),
      late: collect(lateSocket, 'conversation:reminder'),
      never: collect(neverSocket, 'conversation:reminder'),
    };
    const mailReminders = collect(neverSocket, 'message:reminder');
    const escalationFor = (socket: MessagesClient) => nextEvent(socket, 'message:new', (m: InboxItem) => m.senderName === 'Escalation', 20_000);
    const arrivals = [supervisorSocket, captainSocket, authorSocket].map(escalationFor);

    const sent = await authorSocket.emitWithAck('conversation:send', {
      conversationId,
      body: 'Pull out now',
      priority: 'urgent',
      escalation: { repeatEverySeconds: 2, repeats: 2, thenNotifyUserIds: [supervisor.id], thenNotifyRoleIds: [role] },
    });
    if (!sent.ok) throw new Error(sent.error.message);
    const { seq } = sent.data;
    await dept.as(early).post(`/api/conversations/${conversationId}/messages/${seq}/ack`).expect(200);
    const first = await nextEvent(lateSocket, 'conversation:reminder', () => true, 15_000);
    expect(first).toEqual<ConversationReminderPayload>({ conversationId, seq, reminder: 1, of: 2 });
    expect(await lateSocket.emitWithAck('conversation:ack', { conversationId, seq })).toMatchObject({ ok: true });

    const [atSupervisor, atCaptain, atAuthor] = await Promise.all(arrivals);
    expect(atSupervisor).toMatchObject({ priority: 'urgent', type: 'alert', subject: 'Not acknowledged in Engine 7: Pull out now' });
    expect([atCaptain.id, atAuthor.id]).toEqual([atSupervisor.id, atSupervisor.id]);
    const { body: escalation } = await dept.as(supervisor).get(`/api/messages/${atSupervisor.id}`).expect(200);
    expect(escalation.body).toContain('Never Ack');
    expect(escalation.body).not.toContain('Early Ack');
    expect(escalation.body).not.toContain('Late Ack');
    expect(escalation.body).toContain('1 of the members of the conversation "Engine 7"');
    expect(escalation.body).toContain(`urgent line "Pull out now" from Author`);
    expect(escalation.body).toContain(`line ${seq})`);
    expect(escalation.body).toContain('after 2 reminders');
    const recipients = await db.query<{ user_id: number }>('select user_id from mail_recipients where message_id = $1 order by user_id', [atSupervisor.id]);
    expect(recipients.rows.map((r) => r.user_id)).toEqual([author.id, supervisor.id, captain.id].sort((a, b) => a - b));

    await settle(2_500);
    expect(reminders.early).toEqual([]);
    expect(reminders.late.map((r) => r.reminder)).toEqual([1]);
    expect(reminders.never).toEqual([1, 2].map((reminder) => ({ conversationId, seq, reminder, of: 2 })));
    expect(reminders.author).toEqual([]);
    expect(mailReminders).toEqual([]);
    expect(await escalationsOf(dept.id)).toHaveLength(1);
    const { rows } = await db.query('select escalation_step from conversation_messages where conversation_id = $1 and seq = $2', [conversationId, seq]);
    expect(rows[0].escalation_step).toBe(3);
  }, 60_000);

  it('reminds a member with no live socket by an urgent push with the conversation\'s topic, which replaces the earlier one', async () => {
    const { dept, members, conversationId } = await chat(['Author', 'Pocket']);
    const [author, pocket] = members;
    const endpoint = await ScriptedPushEndpoint.start([201]);
    try {
      await dept.as(pocket).post('/api/push/subscriptions').send(endpoint.subscription).expect(201);
      const { body: line } = await dept
        .as(author)
        .post(`/api/conversations/${conversationId}/messages`)
        .send({ body: 'Report your position', priority: 'urgent', escalation: { repeatEverySeconds: 1, repeats: 1 } })
        .expect(201);

      // The line itself, the reminder, then the escalation goes to the author only.
      expect(await poll(async () => (await escalationsOf(dept.id)).length === 1, 20_000)).toBe(true);
      expect(await poll(async () => endpoint.accepted.length >= 2, 10_000)).toBe(true);
      await settle(1_500);
      expect(endpoint.accepted.map((p) => p.reminder ?? 0)).toEqual([0, 1]);
      expect(endpoint.accepted[1]).toMatchObject({ kind: 'conversation-message', urgent: true, ids: { conversationId, seq: line.seq }, title: 'Reminder: Engine 7' });
      expect(endpoint.requests.map((r) => [r.topic, r.urgency])).toEqual([
        [`conversation-${conversationId}`, 'high'],
        [`conversation-${conversationId}`, 'high'],
      ]);
      const [escalation] = await escalationsOf(dept.id);
      const recipients = await db.query<{ user_id: number }>('select user_id from mail_recipients where message_id = $1', [escalation.id]);
      expect(recipients.rows.map((r) => r.user_id)).toEqual([author.id]);
    } finally {
      await endpoint.close();
    }
  }, 60_000);

  it('runs each step once however often its job runs, and reminds nobody who acknowledged or of a retracted line', async () => {
    const { dept, members, conversationId } = await chat(['Author', 'Crew A', 'Crew B']);
    const [author, crewA, crewB] = members;
    const [socketA, socketB] = await Promise.all([connect(crewA), connect(crewB)]);
    const remindersA = collect(socketA, 'conversation:reminder');
    const remindersB = collect(socketB, 'conversation:reminder');
    // A long interval: the queued steps stay in the queue while the test runs them itself.
    const post = (body: string) =>
      dept
        .as(author)
        .post(`/api/conversations/${conversationId}/messages`)
        .send({ body, priority: 'urgent', escalation: { repeatEverySeconds: 600, repeats: 3 } })
        .expect(201);
    const { body: line } = await post('Hold position');
    const ref = { conversationId, seq: line.seq as number };
    const worker = server.app.get(EscalationWorker);

    await Promise.all([worker.runStep(ref, 1), worker.runStep(ref, 1)]);
    await worker.runStep(ref, 1);
    await poll(async () => remindersA.length > 0 && remindersB.length > 0, 5_000, 20);
    await dept.as(crewB).post(`/api/conversations/${conversationId}/messages/${ref.seq}/ack`).expect(200);
    await worker.runStep(ref, 2);
    await poll(async () => remindersA.length > 1, 5_000, 20);
    await settle(500);
    expect(remindersA.map((r) => r.reminder)).toEqual([1, 2]);
    expect(remindersB.map((r) => r.reminder)).toEqual([1]);
    const steps = await db.query<{ step: number; n: number }>(
      `select (data->>'step')::int as step, count(*)::int as n from pgboss.job
        where name = 'urgent-reminder' and (data->>'conversationId')::int = $1 and (data->>'seq')::int = $2 group by 1 order by 1`,
      [conversationId, ref.seq],
    );
    expect(steps.rows).toEqual([
      { step: 1, n: 1 },
      { step: 2, n: 1 },
      { step: 3, n: 1 },
    ]);

    const { body: retracted } = await post('Wrong unit');
    await dept.as(author).delete(`/api/conversations/${conversationId}/messages/${retracted.seq}`).expect(200);
    await worker.runStep({ conversationId, seq: retracted.seq }, 1);
    await settle(500);
    expect(remindersA.filter((r) => r.seq === retracted.seq)).toEqual([]);
  }, 60_000);

  it('refuses bad escalation settings with 400 naming the field, over HTTP and the socket, and stores nothing', async () => {
    const { dept, members, conversationId } = await chat(['Author', 'Crew']);
    const [author] = members;
    const role = await dept.newRole('Supervisor', [members[1]]);
    const count = async () =>
      (await db.query(`select count(*)::int as n from conversation_messages where conversation_id = $1 and kind = 'text'`, [conversationId])).rows[0].n;
    const base = { body: 'Evacuate' };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 0, repeats: 2 } }, /escalation\.repeatEverySeconds must be at least 1/],
      [{ escalation: { repeatEverySeconds: 60, repeats: 2 } }, /escalation is only for urgent messages/],
      [{ priority: 'normal', escalation: { repeatEverySeconds: 60, repeats: 2 } }, /escalation is only for urgent messages/],
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 60, repeats: 21 } }, /escalation\.repeats must be at most 20/],
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 'soon', repeats: 1 } }, /escalation\.repeatEverySeconds must be a whole number/],
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 60 } }, /escalation\.repeats/],
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 60, repeats: 1, thenNotifyUserIds: [999_999] } }, /escalation\.thenNotifyUserIds 999999/],
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 60, repeats: 1, thenNotifyRoleIds: [role + 1000] } }, /escalation\.thenNotifyRoleIds/],
      [{ priority: 'urgent', escalation: { repeatEverySeconds: 60, repeats: 1, every: 3 } }, /every/],
      [{ priority: 'urgent', escalation: 'often' }, /escalation must be an object/],
    ];
    for (const [fields, message] of cases) {
      const res = await dept.as(author).post(`/api/conversations/${conversationId}/messages`).send({ ...base, ...fields });
      expect({ fields, status: res.status }).toEqual({ fields, status: 400 });
      expect(String(res.body.message)).toMatch(message);
    }
    const socket = await connect(author);
    for (const [fields, message] of cases) {
      const ack = await socket.emitWithAck('conversation:send', { conversationId, ...base, ...fields } as never);
      expect({ fields, ack }).toEqual({ fields, ack: { ok: false, error: { statusCode: 400, message: expect.stringMatching(message) } } });
    }
    expect(await count()).toBe(0);

    const { body: line } = await dept
      .as(author)
      .post(`/api/conversations/${conversationId}/messages`)
      .send({ ...base, priority: 'urgent', escalation: { repeatEverySeconds: 60, repeats: 1, thenNotifyRoleIds: [role] } })
      .expect(201);
    expect(await count()).toBe(1);
    const { rows } = await db.query('select escalation from conversation_messages where conversation_id = $1 and seq = $2', [conversationId, line.seq]);
    expect(rows[0].escalation).toEqual({ repeatEverySeconds: 60, repeats: 1, notifyUserIds: [], notifyRoleIds: [role] });
  }, 60_000);
});
