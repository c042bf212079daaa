import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DispatchEvent, TaskAssigned } from '../../src/common/events';
import { DispatchConversationsSubscriber } from '../../src/messages/dispatch-conversations/dispatch-conversations.subscriber';
import type { ConversationMessagePayload, ConversationSummary } from '../../src/messages/realtime/socket-events';
import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, collect, connectSocket, nextEvent, settle, type MessagesClient } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';
import { MessagesPermission } from '../../src/messages/messages.permissions';

describe('dispatch conversations', () => {
  let server: TestServer;
  let db: Client;
  beforeAll(async () => {
    server = await startTestServer({ DISPATCH_RELAY_POLL_MS: '50', DISPATCH_RELAY_RETRY_MS: '200' });
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await db.end();
    await server.close();
  });

  const connect = (member: TestMember) => connectSocket(server.baseUrl, member.token);
  const listOf = async (dept: TestDepartment, member: TestMember) =>
    (await dept.as(member).get('/api/conversations').expect(200)).body.items as ConversationSummary[];
  const history = async (dept: TestDepartment, member: TestMember, id: number) =>
    (await dept.as(member).get(`/api/conversations/${id}/messages?limit=100`).expect(200)).body.items as ConversationMessagePayload[];
  const lines = (messages: ConversationMessagePayload[]) => messages.map((m) => `${m.kind}:${m.body}`);

  async function world() {
    const dept = await TestDepartment.create(server);
    const dispatcher = await dept.newDispatcher({ name: 'Dana' });
    const ann = await dept.newMember({ name: 'Ann' });
    const bob = await dept.newMember({ name: 'Bob' });
    const nia = await dept.newMember({ name: 'Nia' });
    const otto = await dept.newMember({ name: 'Otto' });
    // Otto is not authorized in the dispatch's zone.
    const zoneId = await dept.newZone('North', [dispatcher, ann, bob, nia]);
    const as = (m: TestMember) => dept.as(m);
    const createDispatch = async (number: string) =>
      (await as(dispatcher).post('/api/dispatches').send({ number, zoneId, title: 'Structure fire, 12 Mill Road' }).expect(201)).body as { id: number };
    const assign = async (dispatchId: number, officer: TestMember, description = 'Engine company') =>
      (await as(dispatcher).post(`/api/dispatches/${dispatchId}/tasks`).send({ officerId: officer.id, description }).expect(201)).body as { id: number };
    const record = (member: TestMember, dispatchId: number) => as(member).get(`/api/dispatches/${dispatchId}/conversation`);
    return { dept, dispatcher, ann, bob, nia, otto, zoneId, as, createDispatch, assign, record };
  }

  it('runs the whole call live: opened with the dispatcher, officers brought in, chat, leave and rejoin, zone rule, comment-to-join, clear, close, the record', async () => {
    const { dept, dispatcher, ann, bob, nia, otto, zoneId, as, createDispatch, assign, record } = await world();
    const [dSock, aSock, bSock, nSock] = await Promise.all([dispatcher, ann, bob, nia].map(connect));
    const niaHeard = collect(nSock, 'conversation:message');

    // Creating the dispatch opens its conversation with the dispatcher in it.
    const dispatcherInvited = nextEvent(dSock, 'conversation:invited');
    const dispatch = await createDispatch('F26-0412');
    const opened = await dispatcherInvited;
    expect(opened).toEqual(
      expect.objectContaining({ kind: 'dispatch', title: 'F26-0412', dispatchId: dispatch.id, zoneId, isMember: true, members: [{ userId: dispatcher.id, name: 'Dana' }] }),
    );
    const cid = opened.id;

    // Each assigned officer is brought in and told so on their socket; the dispatcher sees them join.
    const annInvited = nextEvent(aSock, 'conversation:invited');
    const bobInvited = nextEvent(bSock, 'conversation:invited');
    const annJoins = nextEvent(dSock, 'conversation:message', (m) => m.body === 'Ann joined');
    const taskA = await assign(dispatch.id, ann, 'Engine 3: fire attack');
    await assign(dispatch.id, bob, 'Ladder 1: ventilation');
    expect(await annInvited).toEqual(expect.objectContaining({ id: cid, title: 'F26-0412', kind: 'dispatch' }));
    expect(await bobInvited).toEqual(expect.objectContaining({ id: cid }));
    expect(await annJoins).toEqual(expect.objectContaining({ kind: 'system', senderId: null }));

    // All three chat in real time.
    const crew: [TestMember, MessagesClient][] = [
      [dispatcher, dSock],
      [ann, aSock],
      [bob, bSock],
    ];
    for (const [sender, socket] of crew) {
      const body = `${sender.name} on channel`;
      const arrivals = crew.filter(([m]) => m !== sender).map(([, s]) => nextEvent(s, 'conversation:message', (m) => m.body === body));
      const ack = await socket.timeout(5_000).emitWithAck('conversation:send', { conversationId: cid, body, clientId: `c-${sender.id}` });
      expect(ack).toEqual({ ok: true, data: expect.objectContaining({ conversationId: cid, senderId: sender.id, body }) });
      for (const arrival of arrivals) expect(await arrival).toEqual(expect.objectContaining({ senderId: sender.id, body, kind: 'text' }));
    }

    // Bob leaves: he still reads through the dispatch, but cannot invite.
    await as(bob).post(`/api/conversations/${cid}/leave`).expect(200);
    await as(dispatcher).post(`/api/conversations/${cid}/messages`).send({ body: 'Second alarm requested' }).expect(201);
    expect(lines(await history(dept, bob, cid))).toContain('text:Second alarm requested');
    expect(lines((await record(bob, dispatch.id).expect(200)).body.messages)).toContain('text:Second alarm requested');
    expect((await listOf(dept, bob)).find((c) => c.id === cid)).toEqual(expect.objectContaining({ isMember: false }));
    const noInvite = await as(bob).post(`/api/conversations/${cid}/invite`).send({ userIds: [nia.id] }).expect(403);
    expect(noInvite.body.message).toBe(`You left conversation ${cid}; send a message in it to rejoin before inviting anyone`);

    // Writing brings him back.
    const bobBack = nextEvent(dSock, 'conversation:member', (p) => p.userId === bob.id && p.change === 'joined');
    await as(bob).post(`/api/conversations/${cid}/messages`).send({ body: 'Back with Ladder 1' }).expect(201);
    expect(await bobBack).toEqual({ conversationId: cid, userId: bob.id, change: 'joined' });
    expect((await listOf(dept, bob)).find((c) => c.id === cid)).toEqual(expect.objectContaining({ isMember: true }));

    // A user outside the dispatch's zone can be neither invited nor join by comment.
    const outside = await as(bob).post(`/api/conversations/${cid}/invite`).send({ userIds: [otto.id] }).expect(403);
    expect(outside.body.message).toBe(`Otto (user ${otto.id}) is not authorized in the dispatch's zone (zone ${zoneId})`);
    const ottoComment = await as(otto).post(`/api/dispatches/${dispatch.id}/comment`).send({ body: 'Need a hand?' }).expect(403);
    expect(ottoComment.body.message).toBe(`Otto (user ${otto.id}) is not authorized in this conversation's zone (zone ${zoneId})`);

    // A user inside the zone joins by commenting on the dispatch; everyone hears it live.
    expect(niaHeard).toEqual([]);
    const heardByAnn = nextEvent(aSock, 'conversation:message', (m) => m.body === 'Medic 2 available');
    const niaJoins = nextEvent(dSock, 'conversation:member', (p) => p.userId === nia.id);
    const comment = await as(nia).post(`/api/dispatches/${dispatch.id}/comment`).send({ body: 'Medic 2 available' }).expect(201);
    expect(comment.body).toEqual(expect.objectContaining({ conversationId: cid, senderId: nia.id, senderName: 'Nia', kind: 'text', body: 'Medic 2 available' }));
    expect(await heardByAnn).toEqual(comment.body);
    expect(await niaJoins).toEqual({ conversationId: cid, userId: nia.id, change: 'joined' });
    expect((await listOf(dept, nia)).find((c) => c.id === cid)).toEqual(expect.objectContaining({ isMember: true }));
    // A second comment is an ordinary message, no second join.
    await as(nia).post(`/api/dispatches/${dispatch.id}/comment`).send({ body: 'Staging at the corner' }).expect(201);

    // Ann's task is cleared; she never left, so she stays in.
    await as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks/${taskA.id}/clear`).expect(200);
    expect((await listOf(dept, ann)).find((c) => c.id === cid)).toEqual(expect.objectContaining({ isMember: true }));

    // Closing archives it: every member hears so, and writes are refused with a clear message.
    const archived = [dSock, aSock, bSock, nSock].map((s) => nextEvent(s, 'conversation:archived'));
    const closed = (await as(dispatcher).post(`/api/dispatches/${dispatch.id}/close`).expect(200)).body;
    for (const heard of archived) expect(await heard).toEqual({ conversationId: cid });
    const late = await as(ann).post(`/api/conversations/${cid}/messages`).send({ body: 'Still here' }).expect(409);
    expect(late.body.message).toBe(`Conversation ${cid} is archived and read-only`);
    const lateSocket = await bSock.timeout(5_000).emitWithAck('conversation:send', { conversationId: cid, body: 'Anyone?' });
    expect(lateSocket).toEqual({ ok: false, error: { statusCode: 409, message: `Conversation ${cid} is archived and read-only` } });
    const lateComment = await as(nia).post(`/api/dispatches/${dispatch.id}/comment`).send({ body: 'Leaving scene' }).expect(409);
    expect(lateComment.body.message).toBe('Dispatch F26-0412 is closed; its conversation is read-only');
    await as(dispatcher).post(`/api/conversations/${cid}/invite`).send({ userIds: [nia.id] }).expect(409);
    expect((await listOf(dept, dispatcher)).map((c) => c.id)).not.toContain(cid);

    // The whole history stays with the dispatch record.
    const kept = (await record(dispatcher, dispatch.id).expect(200)).body;
    expect(kept.dispatch).toEqual({ id: dispatch.id, number: 'F26-0412', zoneId, status: 'closed', closedAt: closed.closedAt });
    expect(kept.conversation).toEqual(expect.objectContaining({ id: cid, kind: 'dispatch', title: 'F26-0412', archivedAt: expect.any(String) }));
    expect(lines(kept.messages)).toEqual([
      'system:Dana started the conversation',
      'system:Ann joined',
      'system:Bob joined',
      'text:Dana on channel',
      'text:Ann on channel',
      'text:Bob on channel',
      'system:Bob left',
      'text:Second alarm requested',
      'system:Bob rejoined',
      'text:Back with Ladder 1',
      'system:Nia joined',
      'text:Medic 2 available',
      'text:Staging at the corner',
      'system:Dispatch F26-0412 closed',
    ]);
    expect(kept.messages.map((m: ConversationMessagePayload) => m.seq)).toEqual(kept.messages.map((_: unknown, i: number) => i + 1));
    // Its participants read it after the close; a user who never took part does not.
    for (const member of [ann, bob, nia, dept.admin]) {
      expect((await record(member, dispatch.id).expect(200)).body.messages).toHaveLength(kept.messages.length);
    }
    const stranger = await record(otto, dispatch.id).expect(404);
    expect(stranger.body.message).toBe('Dispatch F26-0412 has no conversation you can read');
  });

  it('keeps an officer who left reading until their last task on the dispatch is cleared, then the conversation is gone for them', async () => {
    const { dept, dispatcher, ann, bob, as, createDispatch, assign, record } = await world();
    const dispatch = await createDispatch('F26-0500');
    const first = await assign(dispatch.id, ann, 'Attack');
    const second = await assign(dispatch.id, ann, 'Overhaul');
    await assign(dispatch.id, bob);
    const cid: number = (await record(dispatcher, dispatch.id).expect(200)).body.conversation.id;
    // Assigned twice, brought in once.
    expect(lines((await record(dispatcher, dispatch.id)).body.messages).filter((l) => l === 'system:Ann joined')).toHaveLength(1);

    await as(ann).post(`/api/conversations/${cid}/leave`).expect(200);
    await as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks/${first.id}/clear`).expect(200);
    // One task is still open: she reads on.
    await as(dispatcher).post(`/api/conversations/${cid}/messages`).send({ body: 'Overhaul crews hold' }).expect(201);
    expect(lines(await history(dept, ann, cid))).toContain('text:Overhaul crews hold');
    expect((await listOf(dept, ann)).map((c) => c.id)).toContain(cid);

    const annSocket = await connect(ann);
    const heardByAnn = collect(annSocket, 'conversation:archived');
    await as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks/${second.id}/clear`).expect(200);
    // Her last task is cleared: not in her list, not readable, through the conversation or the dispatch.
    expect((await listOf(dept, ann)).map((c) => c.id)).not.toContain(cid);
    await record(ann, dispatch.id).expect(404);
    await as(ann).get(`/api/conversations/${cid}/messages`).expect(404);
    await as(ann).get(`/api/conversations/${cid}`).expect(404);
    // Bob, who stayed, reads on; and still does after the close, which Ann no longer hears of.
    await as(dispatcher).post(`/api/dispatches/${dispatch.id}/close`).expect(200);
    await record(bob, dispatch.id).expect(200);
    await record(ann, dispatch.id).expect(404);
    await settle();
    expect(heardByAnn).toEqual([]);
  });

  it('brings an officer who left back in with a new task', async () => {
    const { dept, dispatcher, ann, as, createDispatch, assign, record } = await world();
    const dispatch = await createDispatch('F26-0550');
    const first = await assign(dispatch.id, ann, 'Search');
    const cid: number = (await record(dispatcher, dispatch.id).expect(200)).body.conversation.id;
    await as(ann).post(`/api/conversations/${cid}/leave`).expect(200);
    await as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks/${first.id}/clear`).expect(200);
    expect((await listOf(dept, ann)).map((c) => c.id)).not.toContain(cid);

    const annSocket = await connect(ann);
    const invited = nextEvent(annSocket, 'conversation:invited');
    await assign(dispatch.id, ann, 'Salvage');
    expect(await invited).toEqual(expect.objectContaining({ id: cid, isMember: true }));
    expect((await listOf(dept, ann)).find((c) => c.id === cid)).toEqual(expect.objectContaining({ isMember: true }));
    expect(lines((await record(ann, dispatch.id).expect(200)).body.messages)).toEqual([
      'system:Dana started the conversation',
      'system:Ann joined',
      'system:Ann left',
      'system:Ann joined',
    ]);
  });

  it('brings an assigned officer in even from outside the zone: the assignment is the dispatcher’s decision', async () => {
    const { dispatcher, otto, as, createDispatch, assign, record } = await world();
    const dispatch = await createDispatch('F26-0600');
    const ottoSocket = await connect(otto);
    const invited = nextEvent(ottoSocket, 'conversation:invited');
    await assign(dispatch.id, otto, 'Mutual aid engine');
    expect(await invited).toEqual(expect.objectContaining({ dispatchId: dispatch.id }));
    const kept = (await record(otto, dispatch.id).expect(200)).body;
    expect(kept.conversation.members.map((m: { userId: number }) => m.userId)).toEqual([dispatcher.id, otto.id]);
    // Being in, he writes like any member.
    await as(otto).post(`/api/dispatches/${dispatch.id}/comment`).send({ body: 'Engine 41 en route' }).expect(201);
  });

  it('answers the dispatch routes with a clear refusal: unknown or foreign dispatch, bad body, missing policy, strangers', async () => {
    const { dept, dispatcher, nia, otto, as, createDispatch, record } = await world();
    const dispatch = await createDispatch('F26-0700');
    const other = await TestDepartment.create(server);
    const outsider = await other.newMember();

    const unknown = await as(nia).post('/api/dispatches/999999/comment').send({ body: 'hello' }).expect(404);
    expect(unknown.body.message).toBe('Dispatch 999999 not found');
    const foreign = await other.as(outsider).post(`/api/dispatches/${dispatch.id}/comment`).send({ body: 'hello' }).expect(404);
    expect(foreign.body.message).toBe(`Dispatch ${dispatch.id} not found`);
    await other.as(outsider).get(`/api/dispatches/${dispatch.id}/conversation`).expect(404);
    await other.asAdmin().get(`/api/dispatches/${dispatch.id}/conversation`).expect(404);
    await as(nia).post('/api/dispatches/abc/comment').send({ body: 'hello' }).expect(400);
    expect((await as(nia).post(`/api/dispatches/${dispatch.id}/comment`).send({ body: '' }).expect(400)).body.message).toContain('body');
    await as(nia).post(`/api/dispatches/${dispatch.id}/comment`).send({ body: 'hi', extra: 1 }).expect(400);

    const noView = await dept.newMember({ permissions: [MessagesPermission.Create] });
    await as(noView).get(`/api/dispatches/${dispatch.id}/conversation`).expect(403);
    await as(noView).post(`/api/dispatches/${dispatch.id}/comment`).send({ body: 'hi' }).expect(403);

    // Before joining, a member of the department cannot read it; the admin and the dispatcher can,
    // the dispatcher even after leaving.
    await record(nia, dispatch.id).expect(404);
    await record(otto, dispatch.id).expect(404);
    await record(dept.admin, dispatch.id).expect(200);
    const cid: number = (await record(dispatcher, dispatch.id).expect(200)).body.conversation.id;
    await as(dispatcher).post(`/api/conversations/${cid}/leave`).expect(200);
    expect((await record(dispatcher, dispatch.id).expect(200)).body.conversation.isMember).toBe(false);
  });

  it('runs dispatches without conversations while the module is off, and does not make them afterwards', async () => {
    const { dept, dispatcher, ann, zoneId, as, assign, record } = await world();
    await dept.switchMessages(false);
    const quiet = (await as(dispatcher).post('/api/dispatches').send({ number: 'Q-1', zoneId, title: 'Alarm' }).expect(201)).body;
    const task = await assign(quiet.id, ann);
    await as(dispatcher).post(`/api/dispatches/${quiet.id}/tasks/${task.id}/clear`).expect(200);
    const off = await as(ann).post(`/api/dispatches/${quiet.id}/comment`).send({ body: 'hello' }).expect(403);
    expect(off.body.message).toBe('The messages module is disabled for this department');
    await record(dispatcher, quiet.id).expect(403);

    await dept.switchMessages(true);
    expect((await listOf(dept, dispatcher)).filter((c) => c.kind === 'dispatch')).toEqual([]);
    const none = await record(dispatcher, quiet.id).expect(404);
    expect(none.body.message).toBe('Dispatch Q-1 has no conversation you can read');
    const refused = await as(dispatcher).post(`/api/dispatches/${quiet.id}/comment`).send({ body: 'hello' }).expect(409);
    expect(refused.body.message).toBe('Dispatch Q-1 has no conversation: it was opened while the messages module was off');
    await as(dispatcher).post(`/api/dispatches/${quiet.id}/close`).expect(200);
    const { rows } = await db.query('select count(*)::int as n from conversations where department_id = $1', [dept.id]);
    expect(rows[0].n).toBe(0);

    // A dispatch created now has its conversation.
    const loud = (await as(dispatcher).post('/api/dispatches').send({ number: 'Q-2', zoneId, title: 'Alarm' }).expect(201)).body;
    expect((await record(dispatcher, loud.id).expect(200)).body.conversation.title).toBe('Q-2');
  });

  it('skips an assignment that can never be applied instead of holding back the dispatch', async () => {
    const { dept, dispatcher, ann, bob, as, createDispatch, assign, record } = await world();
    const dispatch = await createDispatch('F26-0900');
    await assign(dispatch.id, ann);
    // As if Bob had been deactivated between his assignment and its delivery.
    await dept.asAdmin().patch(`/api/department/members/${bob.id}`).send({ active: false }).expect(200);
    const late: TaskAssigned = {
      type: 'TaskAssigned',
      eventId: randomUUID(),
      departmentId: dept.id,
      dispatchId: dispatch.id,
      occurredAt: new Date().toISOString(),
      taskId: 999_999,
      officerId: bob.id,
      description: 'Water supply',
      assignedBy: dispatcher.id,
    };
    await expect(server.app.get(DispatchConversationsSubscriber).handle(late)).resolves.toBeUndefined();
    const { rows } = await db.query('select $1::uuid = any(applied_event_ids) as applied from dispatch_conversations where dispatch_id = $2', [
      late.eventId,
      dispatch.id,
    ]);
    expect(rows).toEqual([{ applied: true }]);
    expect((await record(dispatcher, dispatch.id).expect(200)).body.conversation.members.map((m: { userId: number }) => m.userId)).toEqual([
      dispatcher.id,
      ann.id,
    ]);
    await as(dispatcher).post(`/api/dispatches/${dispatch.id}/close`).expect(200);
    expect((await record(dispatcher, dispatch.id).expect(200)).body.conversation.archivedAt).toEqual(expect.any(String));
  });

  it('changes nothing when an applied event arrives again', async () => {
    const { dept, dispatcher, ann, as, createDispatch, assign, record } = await world();
    const dispatch = await createDispatch('F26-0800');
    const task = await assign(dispatch.id, ann);
    const cid: number = (await record(dispatcher, dispatch.id).expect(200)).body.conversation.id;
    await as(ann).post(`/api/conversations/${cid}/leave`).expect(200);
    await as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks/${task.id}/clear`).expect(200);
    const before = (await record(dispatcher, dispatch.id).expect(200)).body;

    const { rows } = await db.query<{ payload: DispatchEvent }>('select payload from dispatch_outbox where dispatch_id = $1 order by id', [dispatch.id]);
    expect(rows.map((r) => r.payload.type)).toEqual(['DispatchCreated', 'TaskAssigned', 'TaskCleared']);
    const subscriber = server.app.get(DispatchConversationsSubscriber);
    for (const { payload } of rows) await subscriber.handle(payload);

    const after = (await record(dispatcher, dispatch.id).expect(200)).body;
    expect(after).toEqual(before);
    // Ann, who left and was cleared, was not brought back by the repeated assignment.
    await record(ann, dispatch.id).expect(404);
    expect((await listOf(dept, ann)).map((c) => c.id)).not.toContain(cid);
  });
});
