import { EventBus } from '@nestjs/cqrs';
import { MessageSent, UnreadChanged } from '../../src/messages/events/mail.events';
import type { ConversationMessagePayload } from '../../src/messages/realtime/socket-events';
import { UnreadCounter } from '../../src/messages/realtime/unread-counter';
import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, collect, connectSocket, eventually, nextEvent, settle } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

describe('the /messages socket gateway', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => closeAllSockets());
  afterAll(() => server.close());

  const connect = (member: { token: string }) => connectSocket(server.baseUrl, member.token);
  const history = async (dept: TestDepartment, member: TestMember, id: number) =>
    (await dept.as(member).get(`/api/conversations/${id}/messages`).expect(200)).body.items as ConversationMessagePayload[];

  it('delivers a message to every connected member and to nobody else', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob, cai, out] = await dept.newMembers(4);
    const created = await dept.as(ann).post('/api/conversations').send({ title: 'Station 1', memberIds: [bob.id, cai.id] }).expect(201);
    const conversationId: number = created.body.id;
    const sockets = await Promise.all([ann, bob, cai, out].map(connect));
    const received = sockets.map((s) => collect(s, 'conversation:message'));

    const sent = await dept.as(bob).post(`/api/conversations/${conversationId}/messages`).send({ body: 'Engine 3 is back in service' }).expect(201);

    await eventually(() => received.slice(0, 3).every((r) => r.some((m) => m.seq === sent.body.seq)), 5_000, 'every member received it');
    await settle();
    expect(received[3]).toEqual([]);
    for (const r of received.slice(0, 3)) {
      expect(r.filter((m) => m.seq === sent.body.seq)).toEqual([
        expect.objectContaining({ conversationId, senderId: bob.id, body: 'Engine 3 is back in service', kind: 'text' }),
      ]);
    }
  });

  it('refuses a handshake without a valid token', async () => {
    await expect(connectSocket(server.baseUrl, undefined)).rejects.toThrow('A valid access token is required');
    await expect(connectSocket(server.baseUrl, 'not-a-token')).rejects.toThrow('A valid access token is required');
    const dept = await TestDepartment.create(server);
    const forged = server.tokenFor(dept.admin.id, dept.id + 1000);
    await expect(connectSocket(server.baseUrl, forged)).rejects.toThrow('A valid access token is required');
  });

  it('refuses a handshake while the department has the messages module off', async () => {
    const dept = await TestDepartment.create(server);
    const member = await dept.newMember();
    await dept.switchMessages(false);
    await expect(connect(member)).rejects.toThrow('The messages module is disabled for this department');
    await dept.switchMessages(true);
    const socket = await connect(member);
    expect(socket.connected).toBe(true);
  });

  it('gives a client no way to join a room it does not belong to', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob, eve] = await dept.newMembers(3);
    const created = await dept.as(ann).post('/api/conversations').send({ title: 'Private', memberIds: [bob.id] }).expect(201);
    const conversationId: number = created.body.id;
    const spy = await connect(eve);
    const heard = collect(spy, 'conversation:message');
    // Whatever a client asks for, rooms are chosen by the server only.
    const untyped = spy as unknown as { emit: (event: string, ...args: unknown[]) => void };
    for (const room of [`conversation:${conversationId}`, `user:${ann.id}`, `user:${bob.id}`]) {
      untyped.emit('join', room);
      untyped.emit('subscribe', { room });
    }
    const ack = await spy.timeout(2_000).emitWithAck('conversation:send', { conversationId, body: 'let me in', clientId: 'x' });
    expect(ack).toEqual({ ok: false, error: { statusCode: 404, message: `Conversation ${conversationId} not found` } });

    await dept.as(ann).post(`/api/conversations/${conversationId}/messages`).send({ body: 'just us' }).expect(201);
    await settle(500);
    expect(heard).toEqual([]);
    await dept.as(eve).get(`/api/conversations/${conversationId}/messages`).expect(404);
  });

  it('sends through the socket with an acknowledgement carrying the stored message', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const created = await dept.as(ann).post('/api/conversations').send({ title: 'Shift change', memberIds: [bob.id] }).expect(201);
    const conversationId: number = created.body.id;
    const [annSocket, bobSocket] = await Promise.all([connect(ann), connect(bob)]);
    const arrival = nextEvent(bobSocket, 'conversation:message', (m) => m.kind === 'text');

    const ack = await annSocket.timeout(5_000).emitWithAck('conversation:send', { conversationId, body: 'On my way', clientId: 'c-1' });
    expect(ack).toEqual({ ok: true, data: expect.objectContaining({ conversationId, senderId: ann.id, body: 'On my way', clientId: 'c-1' }) });
    const stored = (ack as { data: ConversationMessagePayload }).data;
    expect(await arrival).toEqual(stored);

    const bad = await annSocket.timeout(5_000).emitWithAck('conversation:send', { conversationId, body: '' });
    expect(bad).toEqual({ ok: false, error: { statusCode: 400, message: expect.stringContaining('body') } });

    const read = await bobSocket.timeout(5_000).emitWithAck('conversation:read', { conversationId, seq: stored.seq });
    expect(read).toEqual({ ok: true, data: { conversationId, seq: stored.seq, unreadCount: 0 } });
  });

  it('closes the socket, saying why, once the department switches the module off, and takes no send after it', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const direct = await dept.as(ann).post('/api/conversations/direct').send({ userId: bob.id }).expect(201);
    const socket = await connect(ann);
    const ended = nextEvent(socket, 'session:ended');
    await dept.switchMessages(false);
    expect(await ended).toEqual({ statusCode: 403, message: 'The messages module is disabled for this department' });
    await eventually(() => !socket.connected, 2_000, 'the socket closed');
    await expect(connect(ann)).rejects.toThrow('The messages module is disabled for this department');
    await dept.switchMessages(true);
    expect(await history(dept, ann, direct.body.id)).toEqual([]);
  });

  it('turns a sent department message into message:new for its recipients only', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, reader, other] = await dept.newMembers(3);
    const [senderSocket, readerSocket, otherSocket] = await Promise.all([sender, reader, other].map(connect));
    const heard = [senderSocket, otherSocket].map((s) => collect(s, 'message:new'));
    const item = {
      id: 77,
      subject: 'Drill tonight',
      senderId: sender.id,
      senderName: sender.name,
      type: 'normal' as const,
      createdAt: new Date().toISOString(),
      isRead: false,
      readAt: null,
      response: null,
      priority: 'normal' as const,
      acknowledgedAt: null,
    };
    const arrival = nextEvent(readerSocket, 'message:new');
    server.app.get(EventBus).publish(new MessageSent(dept.id, sender.id, [reader.id], item));
    expect(await arrival).toEqual(item);
    await settle();
    expect(heard).toEqual([[], []]);
  });

  it('pushes unread:count to the connected users of an UnreadChanged, counted in one call', async () => {
    const dept = await TestDepartment.create(server);
    const [online, offline] = await dept.newMembers(2);
    const socket = await connect(online);
    const counter = server.app.get(UnreadCounter);
    const countFor = jest.spyOn(counter, 'countFor').mockImplementation(async (_d, ids) => new Map(ids.map((id) => [id, 3])));
    try {
      const arrival = nextEvent(socket, 'unread:count');
      server.app.get(EventBus).publish(new UnreadChanged(dept.id, [online.id, offline.id]));
      expect(await arrival).toEqual({ count: 3 });
      expect(countFor).toHaveBeenCalledTimes(1);
      expect(countFor).toHaveBeenCalledWith(dept.id, [online.id]);
    } finally {
      countFor.mockRestore();
    }
  });
});
