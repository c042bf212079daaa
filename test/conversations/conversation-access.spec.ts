import { MessagesPermission } from '../../src/messages/messages.permissions';
import { TestDepartment } from '../support/factories';
import { closeAllSockets, connectSocket } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

const { View, Create, Delete } = MessagesPermission;

describe('conversations need their permissions', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    closeAllSockets();
    await server.close();
  });

  async function world() {
    const dept = await TestDepartment.create(server);
    const [member, colleague, third] = await dept.newMembers(3);
    const conversation = (await dept.as(colleague).post('/api/conversations').send({ title: 'Crew', memberIds: [member.id] }).expect(201)).body;
    await dept.as(colleague).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'first' }).expect(201);
    const state = async () => ({
      conversation: (await dept.as(colleague).get(`/api/conversations/${conversation.id}`).expect(200)).body,
      history: (await dept.as(colleague).get(`/api/conversations/${conversation.id}/messages?limit=100`).expect(200)).body,
      colleagueList: (await dept.as(colleague).get('/api/conversations').expect(200)).body,
      thirdList: (await dept.as(third).get('/api/conversations').expect(200)).body,
    });
    return { dept, member, colleague, third, conversationId: conversation.id as number, state };
  }

  it('refuses every conversation route and the socket to a member whose permissions were all withdrawn, and changes nothing', async () => {
    const { dept, member, third, conversationId, state } = await world();
    await dept.asAdmin().patch(`/api/department/members/${member.id}`).send({ permissions: [] }).expect(200);
    const before = await state();
    const as = dept.as(member);
    const attempts: [string, Promise<{ status: number; body: { message?: string } }>, string][] = [
      ['list', as.get('/api/conversations'), View],
      ['read one', as.get(`/api/conversations/${conversationId}`), View],
      ['history', as.get(`/api/conversations/${conversationId}/messages`), View],
      ['write', as.post(`/api/conversations/${conversationId}/messages`).send({ body: 'still here' }), View],
      ['mark read', as.post(`/api/conversations/${conversationId}/read`).send({ seq: 1 }), View],
      ['invite', as.post(`/api/conversations/${conversationId}/invite`).send({ userIds: [third.id] }), View],
      ['open direct', as.post('/api/conversations/direct').send({ userId: third.id }), View],
      ['open personal', as.post('/api/conversations').send({ title: 'Side room', memberIds: [third.id] }), View],
    ];
    for (const [what, attempt, permission] of attempts) {
      const res = await attempt;
      expect({ what, status: res.status, message: res.body.message }).toEqual({ what, status: 403, message: expect.stringContaining(`the ${permission}`) });
    }
    await expect(connectSocket(server.baseUrl, member.token)).rejects.toThrow('This needs the Messages_View permission');
    expect(await state()).toEqual(before);
  });

  it('lets a member with Messages_View but not Messages_Create read but not write, over HTTP and the socket', async () => {
    const { dept, member, third, conversationId, state } = await world();
    await dept.asAdmin().patch(`/api/department/members/${member.id}`).send({ permissions: [View, Delete] }).expect(200);
    await dept.as(member).get(`/api/conversations/${conversationId}/messages`).expect(200);
    const before = await state();
    const needsCreate = 'This needs the Messages_Create permission';
    for (const res of [
      await dept.as(member).post(`/api/conversations/${conversationId}/messages`).send({ body: 'no' }),
      await dept.as(member).post(`/api/conversations/${conversationId}/invite`).send({ userIds: [third.id] }),
      await dept.as(member).post('/api/conversations/direct').send({ userId: third.id }),
      await dept.as(member).post('/api/conversations').send({ title: 'Side room', memberIds: [third.id] }),
    ]) {
      expect({ status: res.status, message: res.body.message }).toEqual({ status: 403, message: needsCreate });
    }
    const socket = await connectSocket(server.baseUrl, member.token);
    const sent = await socket.timeout(5_000).emitWithAck('conversation:send', { conversationId, body: 'no', clientId: 'c-1' });
    expect(sent).toEqual({ ok: false, error: { statusCode: 403, message: needsCreate } });
    const read = await socket.timeout(5_000).emitWithAck('conversation:read', { conversationId, seq: 1 });
    expect(read.ok).toBe(true);
    const after = await state();
    expect(after.history).toEqual(before.history);
    expect(after.conversation.members).toEqual(before.conversation.members);
    expect(after.thirdList.items).toEqual([]);
  });

  it('refuses a dispatch comment without Messages_Create', async () => {
    const dept = await TestDepartment.create(server);
    const dispatcher = await dept.newDispatcher();
    const reader = await dept.newMember({ permissions: [View] });
    const zoneId = await dept.newZone('North', [dispatcher, reader]);
    const dispatch = (await dept.as(dispatcher).post('/api/dispatches').send({ number: 'C-1', zoneId, title: 'Smoke' }).expect(201)).body;
    const res = await dept.as(reader).post(`/api/dispatches/${dispatch.id}/comment`).send({ body: 'joining' }).expect(403);
    expect(res.body.message).toBe('This needs the Messages_Create permission');
    await dept.as(reader).get(`/api/dispatches/${dispatch.id}/conversation`).expect(404);
  });
});
