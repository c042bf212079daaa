import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, collect, connectSocket, eventually, nextEvent } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

describe('urgent conversation messages', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await server?.close();
  });

  async function chat() {
    const dept = await TestDepartment.create(server);
    const zone = await dept.newZone('North');
    const members = await dept.newMembers(3);
    await dept.asAdmin().put(`/api/zones/${zone}/members`).send({ userIds: members.map((m) => m.id) }).expect(200);
    for (const m of members) await dept.setCurrentZone(m, zone);
    const [author, ...others] = members;
    const { body: conversation } = await dept
      .as(author)
      .post('/api/conversations')
      .send({ title: 'Engine 7', memberIds: others.map((m) => m.id) })
      .expect(201);
    return { dept, author, others, conversationId: conversation.id as number };
  }

  it('carries the priority to every member, and each acknowledges once, over HTTP or the socket, telling the author live', async () => {
    const { dept, author, others, conversationId } = await chat();
    const [byHttp, bySocket] = others;
    const authorSocket = await connectSocket(server.baseUrl, author.token);
    const memberSocket = await connectSocket(server.baseUrl, bySocket.token);
    const deliveries = collect(authorSocket, 'conversation:delivery');
    const arrival = nextEvent(memberSocket, 'conversation:message', (m) => m.senderId === author.id);

    const sent = await authorSocket.emitWithAck('conversation:send', { conversationId, body: 'Pull out now', clientId: 'u1', priority: 'urgent' });
    if (!sent.ok) throw new Error(sent.error.message);
    const seq = sent.data.seq;
    expect(await arrival).toMatchObject({ seq, priority: 'urgent', body: 'Pull out now' });
    expect(await memberSocket.emitWithAck('conversation:received', { conversationId, seq })).toEqual({ ok: true, data: { recorded: true } });

    const first = await dept.as(byHttp).post(`/api/conversations/${conversationId}/messages/${seq}/ack`).expect(200);
    expect(first.body).toEqual({ conversationId, seq, acknowledgedAt: expect.any(String) });
    const again = await dept.as(byHttp).post(`/api/conversations/${conversationId}/messages/${seq}/ack`).expect(200);
    expect(again.body.acknowledgedAt).toBe(first.body.acknowledgedAt);
    expect(await memberSocket.emitWithAck('conversation:ack', { conversationId, seq })).toMatchObject({ ok: true, data: { conversationId, seq } });

    await eventually(() => deliveries.length === 3, 5_000, 'three delivery events');
    expect(deliveries).toEqual(
      expect.arrayContaining([
        { conversationId, seq, userId: bySocket.id, state: 'reached', channel: 'socket', at: expect.any(String) },
        { conversationId, seq, userId: byHttp.id, state: 'acknowledged', at: expect.any(String) },
        { conversationId, seq, userId: bySocket.id, state: 'acknowledged', at: expect.any(String) },
      ]),
    );
    const record = await dept.as(author).get(`/api/conversations/${conversationId}/messages/${seq}/delivery`).expect(200);
    expect(record.body.summary).toEqual({ recipients: 2, reached: 2, read: 0, acknowledged: 2, unreachable: 0 });
    expect(record.body.items.find((r: { userId: number }) => r.userId === bySocket.id)).toMatchObject({
      state: 'acknowledged',
      channels: { socket: expect.any(String), push: null, email: null },
    });
    await dept.as(byHttp).get(`/api/conversations/${conversationId}/messages/${seq}/delivery`).expect(404);
    const history = await dept.as(byHttp).get(`/api/conversations/${conversationId}/messages?after=0`).expect(200);
    const body = history.body.items ?? history.body;
    expect(body.find((m: { seq: number }) => m.seq === seq)).toMatchObject({ priority: 'urgent' });
  });

  it('answers 404 to acknowledging an ordinary message, one\'s own, or a conversation one is not in', async () => {
    const { dept, author, others, conversationId } = await chat();
    const stranger: TestMember = await dept.newMember();
    const { body: normal } = await dept.as(author).post(`/api/conversations/${conversationId}/messages`).send({ body: 'Lunch at 12' }).expect(201);
    const { body: urgent } = await dept
      .as(author)
      .post(`/api/conversations/${conversationId}/messages`)
      .send({ body: 'Gas leak', priority: 'urgent' })
      .expect(201);
    expect(urgent.priority).toBe('urgent');
    await dept.as(others[0]).post(`/api/conversations/${conversationId}/messages/${normal.seq}/ack`).expect(404);
    await dept.as(author).post(`/api/conversations/${conversationId}/messages/${urgent.seq}/ack`).expect(404);
    await dept.as(stranger).post(`/api/conversations/${conversationId}/messages/${urgent.seq}/ack`).expect(404);
    const bad = await dept.as(others[0]).post(`/api/conversations/${conversationId}/messages`).send({ body: 'x', priority: 'now' }).expect(400);
    expect(String(bad.body.message)).toMatch(/priority must be one of normal, urgent/);
    await dept.as(others[0]).post(`/api/conversations/${conversationId}/messages/${urgent.seq}/ack`).expect(200);
  });
});
