import { TestDepartment } from '../support/factories';
import { closeAllSockets, connectSocket, nextEvent, settle } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

describe('department mail, live', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => closeAllSockets());
  afterAll(() => server.close());

  it('shows a new message and the unread count to a connected recipient, and the count drops when it is read', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, reader, bystander] = await dept.newMembers(3);
    const group = await dept.newGroup('Station 1', [reader]);
    const readerSocket = await connectSocket(server.baseUrl, reader.token);
    const bystanderSocket = await connectSocket(server.baseUrl, bystander.token);
    let bystanderHeard = false;
    bystanderSocket.on('message:new', () => (bystanderHeard = true));

    const arrived = nextEvent(readerSocket, 'message:new');
    const counted = nextEvent(readerSocket, 'unread:count', (p) => p.count === 1);
    const sent = await dept
      .as(sender)
      .post('/api/messages')
      .send({ subject: 'Drill tonight', body: '<p>19:00</p>', sendMode: 'specific', groupIds: [group] })
      .expect(201);
    const item = await arrived;
    expect(item).toMatchObject({ id: sent.body.id, subject: 'Drill tonight', senderId: sender.id, senderName: sender.name, isRead: false });
    await counted;

    const dropped = nextEvent(readerSocket, 'unread:count', (p) => p.count === 0);
    await dept.as(reader).get(`/api/messages/${sent.body.id}`).expect(200);
    await dropped;
    await settle();
    expect(bystanderHeard).toBe(false);
  });
});
