import type { Client } from 'pg';
import { PresenceService } from '../../src/messages/presence/presence.service';
import type { InboxItem, MessageReminderPayload } from '../../src/messages/realtime/socket-events';
import { TestDepartment, type TestMember } from '../support/factories';
import { eventually as poll } from '../support/push-service';
import { closeAllSockets, collect, connectSocket, nextEvent, settle, type MessagesClient } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';
import { openDatabase, sendOk } from '../mail/mail-support';

describe('escalation of urgent messages', () => {
  let server: TestServer;
  let db: Client;

  beforeAll(async () => {
    server = await startTestServer({ ESCALATION_MIN_INTERVAL_SECONDS: '1', PUSH_POLL_INTERVAL_MS: '500' });
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

  it('reminds those who have not acknowledged, stops at an acknowledgement, then tells the supervisor and the sender exactly who did not', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, early, late, never, supervisor] = await Promise.all(
      ['Sender', 'Early Ack', 'Late Ack', 'Never Ack', 'Supervisor'].map((name) => dept.newMember({ name })),
    );
    const sockets = await Promise.all([sender, early, late, never, supervisor].map(connect));
    const [senderSocket, earlySocket, lateSocket, neverSocket, supervisorSocket] = sockets;
    const reminders = {
      early: collect(earlySocket, 'message:reminder'),
      late: collect(lateSocket, 'message:reminder'),
      never: collect(neverSocket, 'message:reminder'),
      sender: collect(senderSocket, 'message:reminder'),
    };
    const escalationFor = (socket: MessagesClient) => nextEvent(socket, 'message:new', (m: InboxItem) => m.senderName === 'Escalation', 20_000);
    const toSupervisor = escalationFor(supervisorSocket);
    const toSender = escalationFor(senderSocket);

    const id = await sendOk(dept, sender, {
      subject: 'Roll call',
      priority: 'urgent',
      sendMode: 'specific',
      userIds: [early.id, late.id, never.id],
      escalation: { repeatEverySeconds: 2, repeats: 2, thenNotifyUserIds: [supervisor.id] },
    });
    await dept.as(early).post(`/api/messages/${id}/ack`).expect(200);
    const firstReminder = await nextEvent(lateSocket, 'message:reminder', () => true, 15_000);
    expect(firstReminder).toEqual<MessageReminderPayload>({ messageId: id, subject: 'Roll call', senderName: 'Sender', reminder: 1, of: 2 });
    expect(await lateSocket.emitWithAck('message:ack', { messageId: id })).toMatchObject({ ok: true });

    const [atSupervisor, atSender] = await Promise.all([toSupervisor, toSender]);
    expect(atSupervisor).toMatchObject({ priority: 'urgent', type: 'alert', subject: 'Not acknowledged: Roll call' });
    expect(atSender.id).toBe(atSupervisor.id);
    const escalation = await dept.as(supervisor).get(`/api/messages/${atSupervisor.id}`).expect(200);
    expect(escalation.body.body).toContain('Never Ack');
    expect(escalation.body.body).not.toContain('Early Ack');
    expect(escalation.body.body).not.toContain('Late Ack');
    expect(escalation.body.body).toContain('after 2 reminders');

    await settle(2_500);
    expect(reminders.early).toEqual([]);
    expect(reminders.late.map((r) => r.reminder)).toEqual([1]);
    expect(reminders.never.map((r) => r.reminder)).toEqual([1, 2]);
    expect(reminders.sender).toEqual([]);
    const { rows } = await db.query(`select count(*)::int as n from mail_messages where department_id = $1 and sender_name = 'Escalation'`, [dept.id]);
    expect(rows[0].n).toBe(1);
  }, 60_000);

  it('sends no reminder and no escalation once everyone has acknowledged', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, one, supervisor] = await dept.newMembers(3);
    const [oneSocket, supervisorSocket] = await Promise.all([connect(one), connect(supervisor)]);
    const reminders = collect(oneSocket, 'message:reminder');
    const toSupervisor = collect(supervisorSocket, 'message:new');
    const id = await sendOk(dept, sender, {
      subject: 'Quick check',
      priority: 'urgent',
      sendMode: 'specific',
      userIds: [one.id],
      escalation: { repeatEverySeconds: 1, repeats: 1, thenNotifyUserIds: [supervisor.id] },
    });
    await dept.as(one).post(`/api/messages/${id}/response`).send({ response: 'yes' }).expect(200);
    // The first step is due after a second; it finds nobody left to remind.
    expect(
      await poll(async () => (await db.query('select escalation_step from mail_messages where id = $1', [id])).rows[0].escalation_step >= 1, 15_000),
    ).toBe(true);
    await settle(2_500);
    expect(reminders).toEqual([]);
    expect(toSupervisor).toEqual([]);
  });

  it('names the holders of the roles given, and an escalation with no reminders comes after one interval', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, crew, captainA, captainB] = await Promise.all(['Sender', 'Crew One', 'Captain A', 'Captain B'].map((name) => dept.newMember({ name })));
    const role = await dept.newRole('Captain', [captainA, captainB]);
    const crewSocket = await connect(crew);
    const reminders = collect(crewSocket, 'message:reminder');
    const id = await sendOk(dept, sender, {
      subject: 'Hydrant check',
      priority: 'urgent',
      sendMode: 'specific',
      userIds: [crew.id],
      escalation: { repeatEverySeconds: 1, repeats: 0, thenNotifyRoleIds: [role] },
    });
    const escalated = await poll(async () => {
      const { rows } = await db.query<{ user_id: number }>(
        `select r.user_id from mail_messages m join mail_recipients r on r.message_id = m.id
          where m.department_id = $1 and m.sender_name = 'Escalation' order by r.user_id`,
        [dept.id],
      );
      return rows.length ? rows.map((r) => r.user_id) : null;
    }, 15_000);
    expect(escalated).toEqual([sender.id, captainA.id, captainB.id].sort((a, b) => a - b));
    expect(reminders).toEqual([]);
    expect(id).toBeGreaterThan(0);
  });
});
