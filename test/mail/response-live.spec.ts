import { TestDepartment } from '../support/factories';
import { closeAllSockets, connectSocket, nextEvent, settle } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

describe('poll answers, live', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => closeAllSockets());
  afterAll(() => server.close());

  it("reaches the sender's sockets as each recipient answers, and no other recipient's", async () => {
    const dept = await TestDepartment.create(server);
    const [sender, ann, bob] = await dept.newMembers(3);
    const sent = await dept.as(sender).post('/api/messages').send({ subject: 'Drill?', body: 'Tonight', type: 'poll', sendMode: 'specific', userIds: [ann.id, bob.id] }).expect(201);
    const [senderSocket, bobSocket] = await Promise.all([connectSocket(server.baseUrl, sender.token), connectSocket(server.baseUrl, bob.token)]);
    let bobHeard = 0;
    bobSocket.on('message:response', () => bobHeard++);
    const answered = nextEvent(senderSocket, 'message:response');
    await dept.as(ann).post(`/api/messages/${sent.body.id}/response`).send({ response: 'yes' }).expect(200);
    expect(await answered).toEqual(expect.objectContaining({ messageId: sent.body.id, userId: ann.id, response: 'yes' }));
    await settle();
    expect(bobHeard).toBe(0);
  });
});
