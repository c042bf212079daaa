import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, connectSocket } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

const NEEDS_MANAGE = 'This needs the Dispatches_Manage permission';

/** Who may change a dispatch: the holders of Dispatches_Manage; an officer may only clear their own task. */
describe('dispatch access', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ DISPATCH_RELAY_POLL_MS: '50' });
  });
  afterAll(async () => {
    closeAllSockets();
    await server.close();
  });

  async function world() {
    const dept = await TestDepartment.create(server);
    const dispatcher = await dept.newDispatcher();
    const [officer, intruder] = await dept.newMembers(2);
    const zoneId = await dept.newZone('North', [dispatcher, officer]);
    const dispatch = (await dept.as(dispatcher).post('/api/dispatches').send({ number: 'A-1', zoneId, title: 'Cardiac arrest, 4 Oak Lane' }).expect(201)).body;
    const task = (await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: officer.id, description: 'Medic 1' }).expect(201)).body;
    const detail = async () => (await dept.as(dispatcher).get(`/api/dispatches/${dispatch.id}`).expect(200)).body;
    return { dept, dispatcher, officer, intruder, zoneId, dispatch, task, detail };
  }

  const record = (dept: TestDepartment, member: TestMember, dispatchId: number) => dept.as(member).get(`/api/dispatches/${dispatchId}/conversation`);

  it('does not let a member without Dispatches_Manage assign themselves, nor reach the conversation through it', async () => {
    const { dept, intruder, dispatch, detail } = await world();
    const before = await detail();
    const socket = await connectSocket(server.baseUrl, intruder.token);
    const invited: unknown[] = [];
    socket.on('conversation:invited', (c) => invited.push(c));
    const res = await dept.as(intruder).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: intruder.id, description: 'Me too' }).expect(403);
    expect(res.body.message).toBe(NEEDS_MANAGE);
    expect(await detail()).toEqual(before);
    await record(dept, intruder, dispatch.id).expect(404);
    expect((await dept.as(intruder).get('/api/conversations').expect(200)).body.items).toEqual([]);
    expect(invited).toEqual([]);
  });

  it('does not let a member without Dispatches_Manage clear another officer’s task, and lets the officer clear their own', async () => {
    const { dept, officer, intruder, dispatch, task, detail } = await world();
    const res = await dept.as(intruder).post(`/api/dispatches/${dispatch.id}/tasks/${task.id}/clear`).expect(403);
    expect(res.body.message).toBe(`${NEEDS_MANAGE}, or being the task's officer`);
    expect((await detail()).tasks).toEqual([expect.objectContaining({ id: task.id, clearedAt: null })]);
    const cleared = await dept.as(officer).post(`/api/dispatches/${dispatch.id}/tasks/${task.id}/clear`).expect(200);
    expect(cleared.body).toMatchObject({ id: task.id, clearedBy: officer.id, clearedAt: expect.any(String) });
  });

  it('does not let an officer without Dispatches_Manage assign, close, or create dispatches', async () => {
    const { dept, officer, zoneId, dispatch, detail } = await world();
    const before = await detail();
    const attempts = [
      dept.as(officer).post(`/api/dispatches/${dispatch.id}/close`),
      dept.as(officer).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: officer.id, description: 'Again' }),
      dept.as(officer).post('/api/dispatches').send({ number: 'A-2', zoneId, title: 'Made up' }),
    ];
    for (const res of await Promise.all(attempts)) expect({ status: res.status, message: res.body.message }).toEqual({ status: 403, message: NEEDS_MANAGE });
    expect(await detail()).toEqual(before);
    expect((await dept.as(officer).get('/api/dispatches').expect(200)).body.items.map((d: { number: string }) => d.number)).toEqual(['A-1']);
  });

  it('lets every member read dispatches, and an admin manage them without the permission', async () => {
    const { dept, intruder, dispatch } = await world();
    await dept.as(intruder).get('/api/dispatches').expect(200);
    await dept.as(intruder).get(`/api/dispatches/${dispatch.id}`).expect(200);
    await dept.asAdmin().post(`/api/dispatches/${dispatch.id}/close`).expect(200);
  });
});
