import { randomBytes } from 'node:crypto';
import { EventBus } from '@nestjs/cqrs';
import { UnreadChanged } from '../../src/messages/events/mail.events';
import { UnreadCounter } from '../../src/messages/realtime/unread-counter';
import { TestDepartment } from '../support/factories';
import { closeAllSockets, collect, connectSocket, nextEvent } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

describe('two server processes on one Redis', () => {
  let first: TestServer;
  let second: TestServer;
  beforeAll(async () => {
    // A channel prefix of their own, so no other server on this Redis hears these two.
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}` };
    first = await startTestServer(redis);
    second = await startTestServer(redis, first.databaseUrl);
  });
  afterAll(async () => {
    closeAllSockets();
    await second?.close();
    await first?.close();
  });

  it('delivers a message sent through one process to a socket connected to the other', async () => {
    const dept = await TestDepartment.create(first);
    const [ann, bob] = await dept.newMembers(2);
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'Across', memberIds: [bob.id] }).expect(201);
    const annOnFirst = await connectSocket(first.baseUrl, ann.token);
    const bobOnSecond = await connectSocket(second.baseUrl, bob.token);

    const overHttp = nextEvent(bobOnSecond, 'conversation:message', (m) => m.body === 'sent over HTTP to the first');
    await dept.as(ann).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'sent over HTTP to the first' }).expect(201);
    expect(await overHttp).toEqual(expect.objectContaining({ conversationId: conversation.id, senderId: ann.id }));

    const overSocket = nextEvent(annOnFirst, 'conversation:message', (m) => m.body === 'sent on a socket of the second');
    const ack = await bobOnSecond.timeout(5_000).emitWithAck('conversation:send', { conversationId: conversation.id, body: 'sent on a socket of the second', clientId: 'b-1' });
    expect(ack.ok).toBe(true);
    expect(await overSocket).toEqual(expect.objectContaining({ senderId: bob.id }));
  });

  it('reaches every socket of a member on both processes, and none of them from the message after they leave', async () => {
    const dept = await TestDepartment.create(first);
    const [ann, bob, cyd] = await dept.newMembers(3);
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'Across', memberIds: [bob.id, cyd.id] }).expect(201);
    const bobSockets = [await connectSocket(first.baseUrl, bob.token), await connectSocket(second.baseUrl, bob.token)];
    const cydSockets = [await connectSocket(first.baseUrl, cyd.token), await connectSocket(second.baseUrl, cyd.token)];
    const sentTo = (sockets: typeof bobSockets, body: string) =>
      Promise.all(sockets.map((s) => nextEvent(s, 'conversation:message', (m) => m.conversationId === conversation.id && m.body === body)));

    const before = sentTo([...bobSockets, ...cydSockets], 'before anyone left');
    await dept.as(ann).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'before anyone left' }).expect(201);
    await before;

    await dept.as(bob).post(`/api/conversations/${conversation.id}/leave`).expect(200);
    const bobHeard = bobSockets.map((s) => collect(s, 'conversation:message'));
    const afterOverHttp = sentTo(cydSockets, 'right after bob left');
    await dept.as(ann).post(`/api/conversations/${conversation.id}/messages`).send({ body: 'right after bob left' }).expect(201);
    await afterOverHttp;
    const afterOnSocket = sentTo(cydSockets, 'sent on a socket of the second');
    const annOnSecond = await connectSocket(second.baseUrl, ann.token);
    expect((await annOnSecond.timeout(5_000).emitWithAck('conversation:send', { conversationId: conversation.id, body: 'sent on a socket of the second' })).ok).toBe(true);
    // Cyd's socket on each process had them: a socket of Bob's on the same process would have too.
    await afterOnSocket;
    expect(bobHeard.map((heard) => heard.map((m) => m.body))).toEqual([[], []]);
  });

  it('sends conversation:invited at once to an invitee connected to the other process', async () => {
    const dept = await TestDepartment.create(first);
    const [ann, bob] = await dept.newMembers(2);
    const bobOnSecond = await connectSocket(second.baseUrl, bob.token);
    const invited = nextEvent(bobOnSecond, 'conversation:invited');
    const { body: conversation } = await dept.as(ann).post('/api/conversations').send({ title: 'Across', memberIds: [bob.id] }).expect(201);
    expect(await invited).toEqual(expect.objectContaining({ id: conversation.id }));
  });

  it('refreshes the unread counter of a user connected to the other process', async () => {
    const dept = await TestDepartment.create(first);
    const bob = await dept.newMember();
    const bobOnSecond = await connectSocket(second.baseUrl, bob.token);
    const counted = jest.spyOn(second.app.get(UnreadCounter), 'countFor').mockImplementation(async (_d, ids) => new Map(ids.map((id) => [id, 7])));
    try {
      const count = nextEvent(bobOnSecond, 'unread:count');
      first.app.get(EventBus).publish(new UnreadChanged(dept.id, [bob.id]));
      expect(await count).toEqual({ count: 7 });
      expect(counted).toHaveBeenCalledWith(dept.id, [bob.id]);
    } finally {
      counted.mockRestore();
    }
  });
});
