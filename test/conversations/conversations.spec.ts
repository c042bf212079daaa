import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Client } from 'pg';
import { ArchiveConversation } from '../../src/messages/conversations/commands/archive-conversation.command';
import { InviteMembers } from '../../src/messages/conversations/commands/invite-members.command';
import { OpenConversation } from '../../src/messages/conversations/commands/open-conversation.command';
import { PostMessage } from '../../src/messages/conversations/commands/post-message.command';
import { GetDispatchConversation } from '../../src/messages/conversations/queries/get-dispatch-conversation.query';
import type { ConversationMessagePayload, ConversationSummary } from '../../src/messages/realtime/socket-events';
import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, collect, connectSocket, eventually, messagesSocket, nextEvent, settle } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';
import { MessagesPermission } from '../../src/messages/messages.permissions';

describe('conversations', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => closeAllSockets());
  afterAll(() => server.close());

  const history = async (dept: TestDepartment, member: TestMember, id: number, query = '') =>
    (await dept.as(member).get(`/api/conversations/${id}/messages${query}`).expect(200)).body.items as ConversationMessagePayload[];
  const listOf = async (dept: TestDepartment, member: TestMember) =>
    (await dept.as(member).get('/api/conversations').expect(200)).body.items as ConversationSummary[];

  it('numbers 50 concurrent sends into one conversation 1 to 50, without a gap or a repeat', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const direct = await dept.as(ann).post('/api/conversations/direct').send({ userId: bob.id }).expect(201);
    const id: number = direct.body.id;

    const sends = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        dept
          .as(i % 2 ? ann : bob)
          .post(`/api/conversations/${id}/messages`)
          .send({ body: `message ${i}` }),
      ),
    );
    expect(sends.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(sends.map((r) => r.body.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const stored = await history(dept, ann, id, '?after=0&limit=200');
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('stores a message once when its clientId is repeated, even concurrently', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'Retries', memberIds: [bob.id] }).expect(201);
    const send = () => dept.as(ann).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'Copy that', clientId: 'tap-1' });

    const answers = await Promise.all([send(), send(), send(), send()]);
    const again = await send();
    const firstSeq = answers[0].body.seq;
    for (const answer of [...answers, again]) expect(answer.body).toEqual(expect.objectContaining({ seq: firstSeq, body: 'Copy that', clientId: 'tap-1' }));
    const texts = (await history(dept, bob, conversation.id)).filter((m) => m.kind === 'text');
    expect(texts).toHaveLength(1);

    // The same clientId from someone else is their own message.
    await dept.as(bob).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'Me too', clientId: 'tap-1' }).expect(201);
    expect((await history(dept, bob, conversation.id)).filter((m) => m.kind === 'text')).toHaveLength(2);
  });

  it('refuses to invite someone not authorized in the inviter’s current zone, naming them', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, inside, outside] = await dept.newMembers(3);
    const zone = await dept.newZone('North', [ann, inside]);
    await dept.setCurrentZone(ann, zone);
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'North ops', memberIds: [] }).expect(201);

    const refused = await dept.as(ann).post(`/api/conversations/${conversation.id}/invite`).send({ userIds: [inside.id, outside.id] }).expect(403);
    expect(refused.body.message).toBe(`${outside.name} (user ${outside.id}) is not authorized in your current zone (zone ${zone})`);
    // Nobody was added by the refused request.
    expect((await dept.as(ann).get(`/api/conversations/${conversation.id}`).expect(200)).body.members.map((m: { userId: number }) => m.userId)).toEqual([ann.id]);

    const ok = await dept.as(ann).post(`/api/conversations/${conversation.id}/invite`).send({ userIds: [inside.id] }).expect(200);
    expect(ok.body).toEqual({ conversationId: conversation.id, invitedUserIds: [inside.id] });
    // The same rule holds when the conversation is started with members.
    await dept.as(ann).post('/api/conversations').send({ title: 'Sneaky', memberIds: [outside.id] }).expect(403);
  });

  it('answers 400 naming an id of another department in an invite, and 404 for a stranger’s conversation', async () => {
    const dept = await TestDepartment.create(server);
    const other = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const foreigner = await other.newMember();
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'Ours', memberIds: [bob.id] }).expect(201);

    const refused = await dept.as(ann).post(`/api/conversations/${conversation.id}/invite`).send({ userIds: [foreigner.id] }).expect(400);
    expect(refused.body.message).toBe(`userIds: user ${foreigner.id} is not a member of this department`);
    await other.as(foreigner).get(`/api/conversations/${conversation.id}/messages`).expect(404);
    await other.as(foreigner).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'hi' }).expect(404);
    await dept.as(ann).post('/api/conversations/direct').send({ userId: foreigner.id }).expect(400);
    const empty = await dept.as(ann).post(`/api/conversations/${conversation.id}/invite`).send({ userIds: [] }).expect(400);
    expect(empty.body.message).toContain('userIds');
    const blank = await dept.as(ann).post('/api/conversations').send({ title: '   ', memberIds: [] }).expect(400);
    expect(blank.body.message).toContain('title');
  });

  it('takes a left personal conversation off the list; the leaver cannot read or invite until writing brings them back', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob, cai] = await dept.newMembers(3);
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'Crew', memberIds: [bob.id] }).expect(201);
    const annSocket = await connectSocket(server.baseUrl, ann.token);
    const memberEvent = nextEvent(annSocket, 'conversation:member', (e) => e.change === 'left');

    await dept.as(bob).post(`/api/conversations/${conversation.id}/leave`).expect(200);
    expect(await memberEvent).toEqual({ conversationId: conversation.id, userId: bob.id, change: 'left' });
    expect((await listOf(dept, bob)).map((c) => c.id)).not.toContain(conversation.id);
    await dept.as(bob).get(`/api/conversations/${conversation.id}/messages`).expect(403);
    const invite = await dept.as(bob).post(`/api/conversations/${conversation.id}/invite`).send({ userIds: [cai.id] }).expect(403);
    expect(invite.body.message).toContain('send a message in it to rejoin');

    const rejoined = nextEvent(annSocket, 'conversation:member', (e) => e.change === 'joined');
    await dept.as(bob).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'Back on' }).expect(201);
    expect(await rejoined).toEqual({ conversationId: conversation.id, userId: bob.id, change: 'joined' });
    expect((await listOf(dept, bob)).map((c) => c.id)).toContain(conversation.id);
    await dept.as(bob).post(`/api/conversations/${conversation.id}/invite`).send({ userIds: [cai.id] }).expect(200);
    const bodies = (await history(dept, ann, conversation.id)).map((m) => `${m.kind}:${m.body}`);
    expect(bodies).toEqual([
      `system:${ann.name} started the conversation with ${bob.name}`,
      `system:${bob.name} left`,
      `system:${bob.name} rejoined`,
      'text:Back on',
      `system:${bob.name} invited ${cai.name}`,
    ]);
  });

  it('lets a member who left keep reading where the rule allows, read-only, until writing brings them back', async () => {
    const dept = await TestDepartment.create(server);
    const [dispatcher, officer, medic] = await dept.newMembers(3);
    const zone = await dept.newZone('Central', [dispatcher, officer, medic]);
    const { conversation } = await server.app.get(CommandBus).execute(
      new OpenConversation({
        departmentId: dept.id,
        kind: 'dispatch',
        title: 'D-1001',
        openedBy: { userId: dispatcher.id, departmentId: dept.id, name: dispatcher.name },
        memberIds: [officer.id],
        zoneId: zone,
        dispatchId: 1001,
        readsAfterLeaving: true,
      }),
    );
    await dept.as(officer).post(`/api/conversations/${conversation.id}/leave`).expect(200);
    await dept.as(dispatcher).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'Update: fire contained' }).expect(201);

    const read = await history(dept, officer, conversation.id);
    expect(read.map((m) => m.body)).toContain('Update: fire contained');
    expect((await listOf(dept, officer)).find((c) => c.id === conversation.id)).toEqual(expect.objectContaining({ isMember: false }));
    await dept.as(officer).post(`/api/conversations/${conversation.id}/invite`).send({ userIds: [medic.id] }).expect(403);

    await dept.as(officer).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'Returning to scene' }).expect(201);
    expect((await listOf(dept, officer)).find((c) => c.id === conversation.id)).toEqual(expect.objectContaining({ isMember: true }));
    await dept.as(officer).post(`/api/conversations/${conversation.id}/invite`).send({ userIds: [medic.id] }).expect(200);

    // Opening it again for the same dispatch returns the same conversation.
    const again = await server.app.get(CommandBus).execute(
      new OpenConversation({ departmentId: dept.id, kind: 'dispatch', title: 'D-1001', openedBy: null, memberIds: [], zoneId: zone, dispatchId: 1001 }),
    );
    expect(again).toEqual({ conversation: expect.objectContaining({ id: conversation.id }), created: false });
  });

  it('runs a dispatch conversation through the commands: opener invited, assignment, comment-to-join in the zone only, the record', async () => {
    const dept = await TestDepartment.create(server);
    const [dispatcher, officer, nearby, faraway] = await dept.newMembers(4);
    const zone = await dept.newZone('East', [dispatcher, officer, nearby]);
    const commands = server.app.get(CommandBus);
    const dispatcherSocket = await connectSocket(server.baseUrl, dispatcher.token);
    const opened = nextEvent(dispatcherSocket, 'conversation:invited');
    const { conversation } = await commands.execute(
      new OpenConversation({
        departmentId: dept.id,
        kind: 'dispatch',
        title: 'D-2002',
        openedBy: { userId: dispatcher.id, departmentId: dept.id, name: dispatcher.name },
        memberIds: [],
        zoneId: zone,
        dispatchId: 2002,
      }),
    );
    expect(await opened).toEqual(expect.objectContaining({ id: conversation.id, kind: 'dispatch', title: 'D-2002', zoneId: zone, dispatchId: 2002 }));

    const assigned = await commands.execute(
      new InviteMembers({ departmentId: dept.id, conversationId: conversation.id, userIds: [officer.id], invitedBy: null, readsAfterLeaving: true }),
    );
    expect(assigned.invitedUserIds).toEqual([officer.id]);
    // Inviting from inside a dispatch conversation checks the dispatch's zone.
    const refused = await dept.as(officer).post(`/api/conversations/${conversation.id}/invite`).send({ userIds: [faraway.id] }).expect(403);
    expect(refused.body.message).toBe(`${faraway.name} (user ${faraway.id}) is not authorized in the dispatch's zone (zone ${zone})`);

    const comment = (member: TestMember, body: string) =>
      commands.execute(
        new PostMessage({ author: { userId: member.id, departmentId: dept.id, name: member.name }, conversationId: conversation.id, body, joinByWriting: true }),
      );
    await expect(comment(faraway, 'Can I help?')).rejects.toThrow(`${faraway.name} (user ${faraway.id}) is not authorized in this conversation's zone (zone ${zone})`);
    await comment(nearby, 'Engine 7 available');
    // Without joinByWriting a stranger cannot write.
    await dept.as(faraway).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'hello?' }).expect(404);

    const record = await server.app.get(QueryBus).execute(new GetDispatchConversation(dept.id, 2002));
    expect(record?.conversation.members.map((m) => m.userId)).toEqual([dispatcher.id, officer.id, nearby.id]);
    expect(record?.messages.map((m) => m.body)).toEqual([
      `${dispatcher.name} started the conversation`,
      `${officer.name} joined`,
      `${nearby.name} joined`,
      'Engine 7 available',
    ]);
  });

  it('archives a conversation: members hear it, writes and invitations answer 409, the history stays readable', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob, cai] = await dept.newMembers(3);
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'Closing', memberIds: [bob.id] }).expect(201);
    const bobSocket = await connectSocket(server.baseUrl, bob.token);
    const archived = nextEvent(bobSocket, 'conversation:archived');

    await server.app.get(CommandBus).execute(new ArchiveConversation(dept.id, conversation.id));
    expect(await archived).toEqual({ conversationId: conversation.id });
    const write = await dept.as(bob).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'late' }).expect(409);
    expect(write.body.message).toBe(`Conversation ${conversation.id} is archived and read-only`);
    await dept.as(ann).post(`/api/conversations/${conversation.id}/invite`).send({ userIds: [cai.id] }).expect(409);
    expect((await history(dept, bob, conversation.id)).at(-1)).toEqual(expect.objectContaining({ kind: 'system', body: 'This conversation was archived' }));
    expect((await listOf(dept, bob)).map((c) => c.id)).not.toContain(conversation.id);
    // Leaving a closed history adds nothing to it.
    await dept.as(ann).post(`/api/conversations/${conversation.id}/leave`).expect(200);
    expect((await history(dept, bob, conversation.id)).at(-1)?.body).toBe('This conversation was archived');
  });

  it('makes one direct conversation when both people start it at the same moment', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const [a, b] = await Promise.all([
      dept.as(ann).post('/api/conversations/direct').send({ userId: bob.id }),
      dept.as(bob).post('/api/conversations/direct').send({ userId: ann.id }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect(a.body.members).toHaveLength(2);
  });

  it('gives two people one direct conversation, whichever of them starts it', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const first = await dept.as(ann).post('/api/conversations/direct').send({ userId: bob.id }).expect(201);
    const [fromBob, again] = await Promise.all([
      dept.as(bob).post('/api/conversations/direct').send({ userId: ann.id }).expect(200),
      dept.as(ann).post('/api/conversations/direct').send({ userId: bob.id }).expect(200),
    ]);
    expect(fromBob.body.id).toBe(first.body.id);
    expect(again.body.id).toBe(first.body.id);
    expect(first.body).toEqual(expect.objectContaining({ kind: 'direct', title: bob.name }));
    expect(fromBob.body.title).toBe(ann.name);
    await dept.as(ann).post(`/api/conversations/${first.body.id}/invite`).send({ userIds: [ann.id] }).expect(422);
    await dept.as(ann).post('/api/conversations/direct').send({ userId: ann.id }).expect(400);
  });

  it('lists the caller’s conversations with unread counts (system lines not counted) and last messages, and marking read clears them', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const { body: quiet } = await dept.as(ann).post('/api/conversations').send({ title: 'Quiet', memberIds: [bob.id] }).expect(201);
    const { body: busy } = await dept.as(ann).post('/api/conversations').send({ title: 'Busy', memberIds: [bob.id] }).expect(201);
    for (const body of ['one', 'two', 'three']) {
      await dept.as(ann).post(`/api/conversations/${busy.id}/messages`).send({ body }).expect(201);
    }
    const list = await listOf(dept, bob);
    expect(list.map((c) => c.id)).toEqual([busy.id, quiet.id]);
    expect(list[0]).toEqual(
      expect.objectContaining({ title: 'Busy', unreadCount: 3, lastSeq: 4, lastMessage: expect.objectContaining({ body: 'three', senderId: ann.id }) }),
    );
    // Its only line says who started it: nothing to read.
    expect(list[1]).toEqual(expect.objectContaining({ unreadCount: 0, lastSeq: 1 }));
    // The sender has read their own messages.
    expect((await listOf(dept, ann)).find((c) => c.id === busy.id)?.unreadCount).toBe(0);

    const read = await dept.as(bob).post(`/api/conversations/${busy.id}/read`).send({ seq: 3 }).expect(200);
    expect(read.body).toEqual({ conversationId: busy.id, seq: 3, unreadCount: 1 });
    await dept.as(bob).post(`/api/conversations/${busy.id}/read`).send({ seq: 99 }).expect(200);
    expect((await listOf(dept, bob))[0].unreadCount).toBe(0);
  });

  it('marks nothing read and brings nobody back by reading: history, one conversation, receipts and versions leave every position as it was', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const { body: direct } = await dept.as(ann).post('/api/conversations/direct').send({ userId: bob.id }).expect(201);
    for (const body of ['one', 'two']) await dept.as(ann).post(`/api/conversations/${direct.id}/messages`).send({ body }).expect(201);
    // Bob hides the direct conversation; he can still read it, and reading must not bring it back.
    await dept.as(bob).post(`/api/conversations/${direct.id}/leave`).expect(200);

    await dept.as(bob).get(`/api/conversations/${direct.id}/messages`).expect(200);
    await dept.as(bob).get(`/api/conversations/${direct.id}/messages?after=0&limit=1`).expect(200);
    await dept.as(bob).get(`/api/conversations/${direct.id}`).expect(200);
    await dept.as(bob).get(`/api/conversations/${direct.id}/receipts`).expect(200);
    await dept.as(bob).get(`/api/conversations/${direct.id}/messages/1/edits`).expect(200);

    expect(await listOf(dept, bob)).toEqual([]);
    const receipts = await dept.as(ann).get(`/api/conversations/${direct.id}/receipts`).expect(200);
    expect(receipts.body.items).toEqual([{ userId: ann.id, seq: 2 }]);
    // Back through a write, his read position is still where it was: both messages unread.
    await dept.as(ann).post(`/api/conversations/${direct.id}/messages`).send({ body: 'three' }).expect(201);
    expect((await listOf(dept, bob)).map((c) => [c.id, c.unreadCount])).toEqual([[direct.id, 3]]);
  });

  it('puts a mass text into each recipient’s direct conversation, so a reply reaches the sender only', async () => {
    const dept = await TestDepartment.create(server);
    const dispatcher = await dept.newMember({ permissions: [MessagesPermission.View, MessagesPermission.Create, MessagesPermission.MassText] });
    const [ann, bob, cai] = await dept.newMembers(3);
    const group = await dept.newGroup('Station 2', [ann, bob, dispatcher]);
    // An earlier direct conversation with cai is reused, not duplicated.
    const existing = await dept.as(cai).post('/api/conversations/direct').send({ userId: dispatcher.id }).expect(201);

    const sent = await dept.as(dispatcher).post('/api/conversations/mass-text').send({ body: 'All units: check in', groupIds: [group], userIds: [cai.id, ann.id] }).expect(201);
    expect(sent.body).toEqual({ recipientCount: 3, massTextId: expect.any(Number) });

    const directs = (await listOf(dept, dispatcher)).filter((c) => c.kind === 'direct');
    expect(directs.map((c) => c.title).sort()).toEqual([ann.name, bob.name, cai.name].sort());
    expect(directs.find((c) => c.title === cai.name)?.id).toBe(existing.body.id);
    for (const member of [ann, bob, cai]) {
      const mine = (await listOf(dept, member)).filter((c) => c.kind === 'direct');
      expect(mine).toEqual([expect.objectContaining({ title: dispatcher.name, lastMessage: expect.objectContaining({ body: 'All units: check in' }) })]);
    }

    const [dispatcherSocket, bobSocket] = await Promise.all([connectSocket(server.baseUrl, dispatcher.token), connectSocket(server.baseUrl, bob.token)]);
    const bobHeard = collect(bobSocket, 'conversation:message');
    const annConversation = (await listOf(dept, ann)).find((c) => c.kind === 'direct')!;
    const reply = nextEvent(dispatcherSocket, 'conversation:message', (m) => m.body === 'Ann checking in');
    await dept.as(ann).post(`/api/conversations/${annConversation.id}/messages`).send({ body: 'Ann checking in' }).expect(201);
    expect(await reply).toEqual(expect.objectContaining({ conversationId: annConversation.id, senderId: ann.id }));
    await settle();
    expect(bobHeard).toEqual([]);
    const bobConversation = (await listOf(dept, bob)).find((c) => c.kind === 'direct')!;
    expect((await history(dept, bob, bobConversation.id)).map((m) => m.body)).toEqual(['All units: check in']);
    await dept.as(bob).get(`/api/conversations/${annConversation.id}/messages`).expect(404);
  });

  it('writes a mass text with the same few statements for 3 recipients as for 30', async () => {
    const dept = await TestDepartment.create(server);
    const dispatcher = await dept.newMember({ permissions: [MessagesPermission.MassText] });
    const few = await dept.newMembers(3);
    const many = await dept.newMembers(30);
    const statementsFor = async (members: TestMember[]) => {
      const query = jest.spyOn(Client.prototype, 'query');
      try {
        await dept.as(dispatcher).post('/api/conversations/mass-text').send({ body: 'Roll call', userIds: members.map((m) => m.id) }).expect(201);
        await settle(200); // the delivery handlers run after the response
        // Statements on the conversation tables (connection set-up queries are noise).
        const text = (arg: unknown) => (typeof arg === 'string' ? arg : ((arg as { text?: string })?.text ?? ''));
        return query.mock.calls.filter(([arg]) => /conversation/.test(text(arg))).length;
      } finally {
        query.mockRestore();
      }
    };
    // First sends create the conversations, second sends reuse them: compare like with like.
    const creating = [await statementsFor(many), await statementsFor(few)];
    const reusing = [await statementsFor(many), await statementsFor(few)];
    expect(creating[0]).toBe(creating[1]);
    expect(reusing[0]).toBe(reusing[1]);
    expect(creating[0]).toBeLessThanOrEqual(6);
  });

  it('refuses a mass text without Messages_MassText, with unknown groups, or with nobody left', async () => {
    const dept = await TestDepartment.create(server);
    const [plain, ann] = await dept.newMembers(2);
    const dispatcher = await dept.newMember({ permissions: [MessagesPermission.MassText] });
    await dept.as(plain).post('/api/conversations/mass-text').send({ body: 'hi', userIds: [ann.id] }).expect(403);
    const unknown = await dept.as(dispatcher).post('/api/conversations/mass-text').send({ body: 'hi', groupIds: [999999] }).expect(400);
    expect(unknown.body.message).toBe('groupIds: group 999999 is not part of this department');
    await dept.as(dispatcher).post('/api/conversations/mass-text').send({ body: 'hi', userIds: [dispatcher.id] }).expect(422);
    await dept.as(dispatcher).post('/api/conversations/mass-text').send({ body: 'hi' }).expect(400);
  });

  it('delivers an invitation made while the invitee was offline once, on their next connect', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'Night shift', memberIds: [bob.id] }).expect(201);

    const first = messagesSocket(server.baseUrl, bob.token);
    const invited = collect(first, 'conversation:invited');
    first.connect();
    await eventually(() => invited.length === 1, 5_000, 'the pending invitation arrived');
    expect(invited[0]).toEqual(expect.objectContaining({ id: conversation.id, title: 'Night shift', isMember: true }));
    first.disconnect();

    const later = messagesSocket(server.baseUrl, bob.token);
    const invitedAgain = collect(later, 'conversation:invited');
    later.connect();
    await settle(500);
    expect(invitedAgain).toEqual([]);
  });

  it('sends conversation:invited at once to an invitee who is connected', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const bobSocket = await connectSocket(server.baseUrl, bob.token);
    const invited = nextEvent(bobSocket, 'conversation:invited');
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'Live', memberIds: [bob.id] }).expect(201);
    expect(await invited).toEqual(expect.objectContaining({ id: conversation.id, unreadCount: 0, lastSeq: 1 }));
  });

  it('lets a client that was away for 20 messages catch up on all 20, once and in order', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'Catch-up', memberIds: [bob.id] }).expect(201);
    let bobSocket = await connectSocket(server.baseUrl, bob.token);
    const first = nextEvent(bobSocket, 'conversation:message', (m) => m.body === 'before');
    await dept.as(ann).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'before' }).expect(201);
    const lastSeen = (await first).seq;
    bobSocket.disconnect();

    for (let i = 1; i <= 20; i++) await dept.as(ann).post(`/api/conversations/${conversation.id}/messages`).send({ body: `away ${i}` }).expect(201);
    bobSocket = await connectSocket(server.baseUrl, bob.token);
    const live = collect(bobSocket, 'conversation:message');
    const next = dept.as(ann).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'after' });

    // Catch up in pages of 8, as a client would.
    const caughtUp: ConversationMessagePayload[] = [];
    let after = lastSeen;
    for (;;) {
      const page = await dept.as(bob).get(`/api/conversations/${conversation.id}/messages?after=${after}&limit=8`).expect(200);
      caughtUp.push(...page.body.items);
      if (!page.body.hasMore) break;
      after = page.body.items.at(-1).seq;
    }
    await next.expect(201);
    await eventually(() => live.some((m) => m.body === 'after'), 5_000, 'the live message arrived');
    // Live and caught-up together, deduplicated by seq, are every message once and in order.
    const seen = new Map([...caughtUp, ...live].map((m) => [m.seq, m.body]));
    const ordered = [...seen.entries()].sort((a, b) => a[0] - b[0]);
    expect(ordered.map(([, body]) => body)).toEqual([...Array.from({ length: 20 }, (_, i) => `away ${i + 1}`), 'after']);
    expect(ordered.map(([seq]) => seq)).toEqual(Array.from({ length: 21 }, (_, i) => lastSeen + 1 + i));
    expect(caughtUp.slice(0, 20).map((m) => m.body)).toEqual(Array.from({ length: 20 }, (_, i) => `away ${i + 1}`));

    const older = await dept.as(bob).get(`/api/conversations/${conversation.id}/messages?before=${lastSeen + 3}&limit=2`).expect(200);
    expect(older.body.items.map((m: ConversationMessagePayload) => m.seq)).toEqual([lastSeen + 1, lastSeen + 2]);
    expect(older.body.hasMore).toBe(true);
  });

  it('answers 403 on every conversation route while the module is off', async () => {
    const dept = await TestDepartment.create(server);
    const member = await dept.newMember();
    await dept.switchMessages(false);
    const res = await dept.as(member).get('/api/conversations').expect(403);
    expect(res.body.message).toBe('The messages module is disabled for this department');
    await dept.as(member).post('/api/conversations').send({ title: 'x', memberIds: [] }).expect(403);
  });

  it('stores conversation text without markup', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const direct = await dept.as(ann).post('/api/conversations/direct').send({ userId: bob.id }).expect(201);
    const sent = await dept
      .as(ann)
      .post(`/api/conversations/${direct.body.id}/messages`)
      .send({ body: 'Look <img src=x onerror=alert(1)><script>alert(2)</script>here' })
      .expect(201);
    expect(sent.body.body).toBe('Look here');
    await dept.as(ann).post(`/api/conversations/${direct.body.id}/messages`).send({ body: '<script>x</script>' }).expect(400);
  });
});
