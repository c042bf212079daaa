import { CommandBus } from '@nestjs/cqrs';
import { ArchiveConversation } from '../../src/messages/conversations/commands/archive-conversation.command';
import type { ConversationMessagePayload, ConversationSummary } from '../../src/messages/realtime/socket-events';
import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, collect, connectSocket, nextEvent, settle } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

describe('conversations that field crews expect', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => closeAllSockets());
  afterAll(() => server.close());

  const history = async (dept: TestDepartment, member: TestMember, id: number) =>
    (await dept.as(member).get(`/api/conversations/${id}/messages?limit=200`).expect(200)).body.items as ConversationMessagePayload[];
  const open = async (dept: TestDepartment, by: TestMember, members: TestMember[], title = 'Engine 7') =>
    (await dept.as(by).post('/api/conversations').send({ title, memberIds: members.map((m) => m.id) }).expect(201)).body.id as number;
  const say = async (dept: TestDepartment, by: TestMember, id: number, body: object) =>
    (await dept.as(by).post(`/api/conversations/${id}/messages`).send(body).expect(201)).body as ConversationMessagePayload;

  describe('the conversation list', () => {
    it('pages through 25 conversations, most recent activity first, each once, and filters by kind', async () => {
      const dept = await TestDepartment.create(server);
      const [dispatcher, ...crew] = await dept.newMembers(6);
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) ids.push(await open(dept, dispatcher, [crew[i % crew.length]], `Incident ${i}`));
      for (const member of crew) {
        ids.push((await dept.as(dispatcher).post('/api/conversations/direct').send({ userId: member.id }).expect(201)).body.id);
      }
      // A message moves the oldest to the top.
      await say(dept, crew[0], ids[0], { body: 'Still here' });

      const seen: ConversationSummary[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { body: { items: ConversationSummary[]; nextCursor: string | null } } = await dept.as(dispatcher).get(`/api/conversations?limit=7${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(7);
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(4);
      expect(seen.map((c) => c.id)).toEqual([ids[0], ...ids.slice(1).reverse()]);

      const directs = await dept.as(dispatcher).get('/api/conversations?kind=direct&limit=100').expect(200);
      expect(directs.body).toEqual({ items: expect.any(Array), nextCursor: null });
      expect(directs.body.items.map((c: ConversationSummary) => c.id)).toEqual(ids.slice(20).reverse());

      const bad = await dept.as(dispatcher).get('/api/conversations?cursor=yesterday').expect(400);
      expect(bad.body.message).toMatch(/cursor/);
      expect((await dept.as(dispatcher).get('/api/conversations?kind=chat').expect(400)).body.message).toMatch(/kind/);
    });

    it('keeps the conversation with the latest message on top for each member, whether it was on top already or not', async () => {
      const dept = await TestDepartment.create(server);
      const [ann, bob, cai] = await dept.newMembers(3);
      const net = await open(dept, ann, [bob, cai], 'County net');
      const side = await open(dept, ann, [bob], 'Side channel');
      const order = async (member: TestMember) =>
        ((await dept.as(member).get('/api/conversations?limit=10').expect(200)).body.items as ConversationSummary[]).map((c) => c.id);

      await say(dept, cai, net, { body: 'Net check' });
      expect(await order(ann)).toEqual([net, side]);
      // On top already: it stays there, for each of them.
      await say(dept, cai, net, { body: 'Net check again' });
      expect(await order(ann)).toEqual([net, side]);
      expect(await order(bob)).toEqual([net, side]);
      await say(dept, bob, side, { body: 'Aside' });
      expect(await order(ann)).toEqual([side, net]);
      expect(await order(cai)).toEqual([net]);
      await say(dept, cai, net, { body: 'Back on the net' });
      expect(await order(ann)).toEqual([net, side]);
      expect(await order(bob)).toEqual([net, side]);
    });

    it('does not count joins, invitations and leaves as unread', async () => {
      const dept = await TestDepartment.create(server);
      const [ann, bob, cai] = await dept.newMembers(3);
      const id = await open(dept, ann, [bob]);
      await dept.as(ann).post(`/api/conversations/${id}/invite`).send({ userIds: [cai.id] }).expect(200);
      await dept.as(cai).post(`/api/conversations/${id}/leave`).expect(200);
      const [item] = (await dept.as(bob).get('/api/conversations').expect(200)).body.items as ConversationSummary[];
      expect(item).toEqual(expect.objectContaining({ id, lastSeq: 3, unreadCount: 0 }));
      await say(dept, ann, id, { body: 'Roll call' });
      const [after] = (await dept.as(bob).get('/api/conversations').expect(200)).body.items as ConversationSummary[];
      expect(after.unreadCount).toBe(1);
    });
  });

  describe('replies, locations and mentions', () => {
    it('quotes the line a reply answers, and refuses a reply to a message that does not exist', async () => {
      const dept = await TestDepartment.create(server);
      const [ann, bob] = await dept.newMembers(2);
      const id = await open(dept, ann, [bob]);
      const question = await say(dept, ann, id, { body: 'Hydrant at 5th and Main working?' });
      const answer = await say(dept, bob, id, { body: 'Yes, tested this morning', replyToSeq: question.seq });
      expect(answer.replyTo).toEqual({ seq: question.seq, senderName: ann.name, body: 'Hydrant at 5th and Main working?', retracted: false });
      expect((await history(dept, ann, id)).find((m) => m.seq === answer.seq)?.replyTo?.seq).toBe(question.seq);

      const refused = await dept.as(bob).post(`/api/conversations/${id}/messages`).send({ body: 'Eh?', replyToSeq: 99 }).expect(400);
      expect(refused.body.message).toMatch(/replyToSeq/);
      expect((await history(dept, ann, id)).at(-1)?.seq).toBe(answer.seq);
    });

    it('carries a location without text, and refuses one off the map naming the field', async () => {
      const dept = await TestDepartment.create(server);
      const [ann, bob] = await dept.newMembers(2);
      const id = await open(dept, ann, [bob]);
      const bobSocket = await connectSocket(server.baseUrl, bob.token);
      const live = nextEvent(bobSocket, 'conversation:message', (m) => m.location !== null);
      const here = await say(dept, ann, id, { location: { lat: 47.6062, lng: -122.3321, accuracyM: 8 } });
      expect(here).toEqual(expect.objectContaining({ body: '', location: { lat: 47.6062, lng: -122.3321, accuracyM: 8 } }));
      expect((await live).location).toEqual({ lat: 47.6062, lng: -122.3321, accuracyM: 8 });

      const off = await dept.as(ann).post(`/api/conversations/${id}/messages`).send({ location: { lat: 91, lng: 0 } }).expect(400);
      expect(off.body.message).toMatch(/location\.lat/);
      await dept.as(ann).post(`/api/conversations/${id}/messages`).send({}).expect(400);
      expect((await history(dept, bob, id)).filter((m) => m.kind === 'text')).toHaveLength(1);
    });

    it('keeps the mentioned members with the message, and refuses to mention someone outside the conversation', async () => {
      const dept = await TestDepartment.create(server);
      const [ann, bob, outsider] = await dept.newMembers(3);
      const id = await open(dept, ann, [bob]);
      const sent = await say(dept, ann, id, { body: `@${bob.name} take the north side`, mentionUserIds: [bob.id] });
      expect(sent.mentionUserIds).toEqual([bob.id]);
      const refused = await dept.as(ann).post(`/api/conversations/${id}/messages`).send({ body: 'psst', mentionUserIds: [outsider.id] }).expect(400);
      expect(refused.body.message).toBe(`mentionUserIds: user ${outsider.id} is not a member of conversation ${id}`);
    });
  });

  describe('edits and retractions', () => {
    it('lets the sender edit, keeps the earlier versions, and shows the edit live to another member', async () => {
      const dept = await TestDepartment.create(server);
      const [ann, bob] = await dept.newMembers(2);
      const id = await open(dept, ann, [bob]);
      const wrong = await say(dept, ann, id, { body: 'Stage at 1200 Elm' });
      const bobSocket = await connectSocket(server.baseUrl, bob.token);
      const edited = nextEvent(bobSocket, 'conversation:edited');

      const fixed = await dept.as(ann).patch(`/api/conversations/${id}/messages/${wrong.seq}`).send({ body: 'Stage at 1200 Oak' }).expect(200);
      expect(fixed.body).toEqual(expect.objectContaining({ seq: wrong.seq, body: 'Stage at 1200 Oak', editedAt: expect.any(String) }));
      expect(await edited).toEqual(expect.objectContaining({ conversationId: id, seq: wrong.seq, body: 'Stage at 1200 Oak' }));
      await dept.as(ann).patch(`/api/conversations/${id}/messages/${wrong.seq}`).send({ body: 'Stage at 1210 Oak' }).expect(200);

      const versions = await dept.as(bob).get(`/api/conversations/${id}/messages/${wrong.seq}/edits`).expect(200);
      expect(versions.body.items.map((v: { body: string }) => v.body)).toEqual(['Stage at 1200 Elm', 'Stage at 1200 Oak']);
      expect((await history(dept, bob, id)).find((m) => m.seq === wrong.seq)?.body).toBe('Stage at 1210 Oak');
    });

    it('refuses an edit or retraction by anyone but the sender, and by a stranger as if the conversation did not exist', async () => {
      const dept = await TestDepartment.create(server);
      const [ann, bob, stranger] = await dept.newMembers(3);
      const other = await TestDepartment.create(server);
      const outsider = await other.newMember();
      const id = await open(dept, ann, [bob]);
      const mine = await say(dept, ann, id, { body: 'Mine' });
      expect((await dept.as(bob).patch(`/api/conversations/${id}/messages/${mine.seq}`).send({ body: 'Yours' }).expect(403)).body.message).toBe(
        `Only the sender of message ${mine.seq} may change it`,
      );
      await dept.as(bob).delete(`/api/conversations/${id}/messages/${mine.seq}`).expect(403);
      await dept.as(stranger).patch(`/api/conversations/${id}/messages/${mine.seq}`).send({ body: 'x' }).expect(404);
      await dept.as(stranger).get(`/api/conversations/${id}/messages/${mine.seq}/edits`).expect(404);
      await other.as(outsider).delete(`/api/conversations/${id}/messages/${mine.seq}`).expect(404);
      // The system line that opened it is nobody's to change.
      await dept.as(ann).patch(`/api/conversations/${id}/messages/1`).send({ body: 'x' }).expect(403);
      expect((await history(dept, ann, id)).find((m) => m.seq === mine.seq)).toEqual(expect.objectContaining({ body: 'Mine', editedAt: null, retractedAt: null }));
    });

    it('retracts a message: the body and its versions are gone, its place stays, the members see it live, and a reply quotes nothing', async () => {
      const dept = await TestDepartment.create(server);
      const [ann, bob] = await dept.newMembers(2);
      const id = await open(dept, ann, [bob]);
      const slip = await say(dept, ann, id, { body: 'Patient name is J. Doe' });
      await dept.as(ann).patch(`/api/conversations/${id}/messages/${slip.seq}`).send({ body: 'Patient name is John Doe' }).expect(200);
      const reply = await say(dept, bob, id, { body: 'Copy', replyToSeq: slip.seq });
      const bobSocket = await connectSocket(server.baseUrl, bob.token);
      const retracted = nextEvent(bobSocket, 'conversation:retracted');

      const res = await dept.as(ann).delete(`/api/conversations/${id}/messages/${slip.seq}`).expect(200);
      expect(res.body).toEqual(expect.objectContaining({ seq: slip.seq, body: '', retractedAt: expect.any(String) }));
      expect(await retracted).toEqual(expect.objectContaining({ conversationId: id, seq: slip.seq, body: '' }));
      const after = await history(dept, bob, id);
      expect(after.map((m) => m.seq)).toContain(slip.seq);
      expect(JSON.stringify(after)).not.toContain('Doe');
      expect(after.find((m) => m.seq === reply.seq)?.replyTo).toEqual({ seq: slip.seq, senderName: ann.name, body: '', retracted: true });
      expect((await dept.as(bob).get(`/api/conversations/${id}/messages/${slip.seq}/edits`).expect(200)).body.items).toEqual([]);
      await dept.as(ann).patch(`/api/conversations/${id}/messages/${slip.seq}`).send({ body: 'again' }).expect(409);
    });

    it('refuses edits and retractions in an archived conversation with 409, changing nothing', async () => {
      const dept = await TestDepartment.create(server);
      const [ann, bob] = await dept.newMembers(2);
      const id = await open(dept, ann, [bob]);
      const line = await say(dept, ann, id, { body: 'Final report filed' });
      await server.app.get(CommandBus).execute(new ArchiveConversation(dept.id, id));
      const edit = await dept.as(ann).patch(`/api/conversations/${id}/messages/${line.seq}`).send({ body: 'changed' }).expect(409);
      expect(edit.body.message).toMatch(/archived and read-only/);
      await dept.as(ann).delete(`/api/conversations/${id}/messages/${line.seq}`).expect(409);
      await dept.as(ann).post(`/api/conversations/${id}/messages`).send({ location: { lat: 1, lng: 1 } }).expect(409);
      expect((await history(dept, bob, id)).find((m) => m.seq === line.seq)?.body).toBe('Final report filed');
    });
  });

  describe('notification levels, receipts and typing', () => {
    it('keeps each member’s level with their view of the conversation, and refuses an unknown level', async () => {
      const dept = await TestDepartment.create(server);
      const [ann, bob, stranger] = await dept.newMembers(3);
      const id = await open(dept, ann, [bob]);
      await dept.as(bob).put(`/api/conversations/${id}/notifications`).send({ level: 'mentions' }).expect(200, { conversationId: id, level: 'mentions' });
      expect((await dept.as(bob).get(`/api/conversations/${id}`).expect(200)).body.notificationLevel).toBe('mentions');
      expect((await dept.as(ann).get(`/api/conversations/${id}`).expect(200)).body.notificationLevel).toBe('all');
      expect((await dept.as(bob).put(`/api/conversations/${id}/notifications`).send({ level: 'silent' }).expect(400)).body.message).toMatch(/level/);
      await dept.as(stranger).put(`/api/conversations/${id}/notifications`).send({ level: 'none' }).expect(404);
    });

    it('shares a member’s read position with the others live and through the receipts route', async () => {
      const dept = await TestDepartment.create(server);
      const [ann, bob, stranger] = await dept.newMembers(3);
      const id = await open(dept, ann, [bob]);
      const line = await say(dept, ann, id, { body: 'Status?' });
      const [annSocket, bobSocket] = await Promise.all([connectSocket(server.baseUrl, ann.token), connectSocket(server.baseUrl, bob.token)]);
      const annSees = nextEvent(annSocket, 'conversation:receipt');
      const bobSees = collect(bobSocket, 'conversation:receipt');

      const read = await bobSocket.emitWithAck('conversation:read', { conversationId: id, seq: line.seq });
      expect(read).toEqual({ ok: true, data: { conversationId: id, seq: line.seq, unreadCount: 0 } });
      expect(await annSees).toEqual({ conversationId: id, userId: bob.id, seq: line.seq });
      const receipts = await dept.as(ann).get(`/api/conversations/${id}/receipts`).expect(200);
      expect(receipts.body).toEqual({ conversationId: id, nextCursor: null, items: [{ userId: ann.id, seq: line.seq }, { userId: bob.id, seq: line.seq }].sort((a, b) => a.userId - b.userId) });
      // Reading the same again moves nothing and tells nobody.
      const again = collect(annSocket, 'conversation:receipt');
      await bobSocket.emitWithAck('conversation:read', { conversationId: id, seq: line.seq });
      await settle();
      expect(again).toEqual([]);
      expect(bobSees).toEqual([]);
      await dept.as(stranger).get(`/api/conversations/${id}/receipts`).expect(404);
    });

    it('relays typing to the other connected members at most once every two seconds, and not to strangers', async () => {
      const dept = await TestDepartment.create(server);
      const [ann, bob, stranger] = await dept.newMembers(3);
      const id = await open(dept, ann, [bob]);
      const [annSocket, bobSocket, strangerSocket] = await Promise.all([ann, bob, stranger].map((m) => connectSocket(server.baseUrl, m.token)));
      const bobSees = collect(bobSocket, 'conversation:typing');
      const annSees = collect(annSocket, 'conversation:typing');
      const strangerSees = collect(strangerSocket, 'conversation:typing');

      const acks = [];
      for (let i = 0; i < 10; i++) acks.push(await annSocket.emitWithAck('conversation:typing', { conversationId: id }));
      expect(acks[0]).toEqual({ ok: true, data: { relayed: true } });
      expect(acks.slice(1).every((a) => a.ok && !a.data.relayed)).toBe(true);
      await settle();
      expect(bobSees).toEqual([{ conversationId: id, userId: ann.id }]);
      expect(annSees).toEqual([]);
      expect(strangerSees).toEqual([]);

      const refused = await strangerSocket.emitWithAck('conversation:typing', { conversationId: id });
      expect(refused).toEqual({ ok: false, error: expect.objectContaining({ statusCode: 404 }) });
      const malformed = await annSocket.emitWithAck('conversation:typing', { conversationId: 'x' } as never);
      expect(malformed).toEqual({ ok: false, error: expect.objectContaining({ statusCode: 400, message: expect.stringMatching(/conversationId/) }) });
    });
  });
});
