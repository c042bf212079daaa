import { TestDepartment } from '../support/factories';
import { closeAllSockets, connectSocket, nextEvent } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

describe('dispatch board events', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ DISPATCH_RELAY_POLL_MS: '50', DISPATCH_RELAY_RETRY_MS: '200' });
  });
  afterEach(() => closeAllSockets());
  afterAll(() => server.close());

  it('tells every connected member of the department, and only them, as a dispatch is created, tasked, cleared and closed', async () => {
    const dept = await TestDepartment.create(server);
    const dispatcher = await dept.newDispatcher();
    const [officer, bystander] = await dept.newMembers(2);
    const zoneId = await dept.newZone('North', [dispatcher, officer]);
    const other = await TestDepartment.create(server);
    const outsider = await other.newMember();
    const [boardSocket, bystanderSocket, outsiderSocket] = await Promise.all([dispatcher, bystander, outsider].map((m) => connectSocket(server.baseUrl, m.token)));
    let outsiderHeard = 0;
    outsiderSocket.on('dispatch:changed', () => outsiderHeard++);

    const created = nextEvent(bystanderSocket, 'dispatch:changed', (e) => e.change === 'created');
    const dispatch = await dept.as(dispatcher).post('/api/dispatches').send({ number: 'B-1', zoneId, title: 'Smoke in a stairwell', address: ' 4 Quay Street ' }).expect(201);
    expect(dispatch.body.address).toBe('4 Quay Street');
    expect(await created).toEqual(expect.objectContaining({ dispatchId: dispatch.body.id, change: 'created' }));
    expect((await dept.as(bystander).get(`/api/dispatches/${dispatch.body.id}`).expect(200)).body).toEqual(expect.objectContaining({ number: 'B-1', address: '4 Quay Street' }));
    // Found by its number, whatever the case, as a URL names it; another department's number finds nothing.
    expect((await dept.as(bystander).get('/api/dispatches?number=b-1').expect(200)).body.items.map((d: { id: number }) => d.id)).toEqual([dispatch.body.id]);
    expect((await other.asAdmin().get('/api/dispatches?number=B-1').expect(200)).body.items).toEqual([]);

    const assigned = nextEvent(boardSocket, 'dispatch:changed', (e) => e.change === 'task-assigned');
    const task = await dept.as(dispatcher).post(`/api/dispatches/${dispatch.body.id}/tasks`).send({ officerId: officer.id, description: 'Ladder' }).expect(201);
    expect(await assigned).toEqual(expect.objectContaining({ dispatchId: dispatch.body.id, officerId: officer.id, taskId: task.body.id }));

    const cleared = nextEvent(boardSocket, 'dispatch:changed', (e) => e.change === 'task-cleared');
    await dept.as(officer).post(`/api/dispatches/${dispatch.body.id}/tasks/${task.body.id}/clear`).expect(200);
    expect(await cleared).toEqual(expect.objectContaining({ taskId: task.body.id }));

    const closed = nextEvent(bystanderSocket, 'dispatch:changed', (e) => e.change === 'closed');
    await dept.as(dispatcher).post(`/api/dispatches/${dispatch.body.id}/close`).expect(200);
    expect(await closed).toEqual(expect.objectContaining({ dispatchId: dispatch.body.id }));
    expect(outsiderHeard).toBe(0);
  });
});
