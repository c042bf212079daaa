import request from 'supertest';
import { TestDepartment, type TestMember } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

describe('dispatch routes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  /** A department with a zone, a dispatcher and two officers. */
  async function world() {
    const dept = await TestDepartment.create(server);
    const dispatcher = await dept.newDispatcher();
    const [officerA, officerB] = await dept.newMembers(2);
    const zoneId = await dept.newZone('North', [dispatcher, officerA, officerB]);
    const open = (number: string, as: TestMember = dispatcher) =>
      dept.as(as).post('/api/dispatches').send({ number, zoneId, title: `Call ${number}` }).expect(201).then((r) => r.body);
    return { dept, dispatcher, officerA, officerB, zoneId, open };
  }

  describe('creating', () => {
    it('opens a dispatch with the caller as its dispatcher', async () => {
      const { dept, dispatcher, zoneId } = await world();
      const res = await dept.as(dispatcher).post('/api/dispatches').send({ number: ' F26-0001 ', zoneId, title: 'Structure fire' }).expect(201);
      expect(res.body).toMatchObject({
        number: 'F26-0001',
        zoneId,
        title: 'Structure fire',
        dispatcherId: dispatcher.id,
        status: 'open',
        closedAt: null,
        tasks: [],
        taskCount: 0,
        openTaskCount: 0,
      });
      expect(res.body.id).toEqual(expect.any(Number));
      expect(new Date(res.body.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    });

    it('refuses a number already used in the department, whatever its case, with 409', async () => {
      const { dept, dispatcher, zoneId, open } = await world();
      await open('E-100');
      const res = await dept.as(dispatcher).post('/api/dispatches').send({ number: 'e-100', zoneId, title: 'Again' }).expect(409);
      expect(res.body.message).toBe('A dispatch numbered "e-100" already exists in this department');
    });

    it('lets another department use the same number', async () => {
      const first = await world();
      const second = await world();
      await first.open('SHARED-1');
      await second.open('SHARED-1');
    });

    it('gives one 201 and one 409 to two simultaneous creations of the same number', async () => {
      const { dept, dispatcher, zoneId } = await world();
      const send = () => dept.as(dispatcher).post('/api/dispatches').send({ number: 'RACE-1', zoneId, title: 'Race' });
      const statuses = (await Promise.all([send(), send()])).map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409]);
    });

    it('refuses a zone of another department with 400 naming zoneId', async () => {
      const { dept, dispatcher } = await world();
      const other = await world();
      const res = await dept.as(dispatcher).post('/api/dispatches').send({ number: 'X-1', zoneId: other.zoneId, title: 'Elsewhere' }).expect(400);
      expect(res.body.message).toBe(`zoneId ${other.zoneId} is not a zone of this department`);
    });

    it('refuses a member set that is not a zone with 400', async () => {
      const { dept, dispatcher } = await world();
      const groupId = await dept.newGroup('Station 1');
      const res = await dept.as(dispatcher).post('/api/dispatches').send({ number: 'X-2', zoneId: groupId, title: 'Group' }).expect(400);
      expect(res.body.message).toBe(`zoneId ${groupId} is not a zone of this department`);
    });

    it('names the malformed fields', async () => {
      const { dept, dispatcher, zoneId } = await world();
      const missing = await dept.as(dispatcher).post('/api/dispatches').send({ zoneId, title: '   ' }).expect(400);
      expect(missing.body.message).toContain('number must be 1 to 40 characters');
      expect(missing.body.message).toContain('title must be 1 to 200 characters');
      const numeric = await dept.as(dispatcher).post('/api/dispatches').send({ number: 12, zoneId: 'north', title: 'T' }).expect(400);
      expect(numeric.body.message).toContain('number must be a string');
      expect(numeric.body.message).toContain('zoneId must be a positive integer');
      const extra = await dept.as(dispatcher).post('/api/dispatches').send({ number: 'N', zoneId, title: 'T', status: 'closed' }).expect(400);
      expect(extra.body.message).toContain('status');
    });

    it('needs a bearer token', async () => {
      await request(server.baseUrl).post('/api/dispatches').send({ number: 'A', zoneId: 1, title: 'T' }).expect(401);
      await request(server.baseUrl).get('/api/dispatches').expect(401);
    });
  });

  describe('tasks', () => {
    it('assigns an officer and answers with the task and its id', async () => {
      const { dept, dispatcher, officerA, open } = await world();
      const dispatch = await open('T-1');
      const res = await dept
        .as(dispatcher)
        .post(`/api/dispatches/${dispatch.id}/tasks`)
        .send({ officerId: officerA.id, description: 'Engine 3: fire attack' })
        .expect(201);
      expect(res.body).toMatchObject({
        id: expect.any(Number),
        dispatchId: dispatch.id,
        officerId: officerA.id,
        description: 'Engine 3: fire attack',
        assignedBy: dispatcher.id,
        clearedAt: null,
      });
      const detail = await dept.as(officerA).get(`/api/dispatches/${dispatch.id}`).expect(200);
      expect(detail.body.tasks.map((t: { id: number }) => t.id)).toEqual([res.body.id]);
      expect(detail.body).toMatchObject({ taskCount: 1, openTaskCount: 1 });
    });

    it('refuses an officer of another department with 400 naming officerId', async () => {
      const { dept, dispatcher, open } = await world();
      const other = await world();
      const dispatch = await open('T-2');
      const res = await dept
        .as(dispatcher)
        .post(`/api/dispatches/${dispatch.id}/tasks`)
        .send({ officerId: other.officerA.id, description: 'Borrowed' })
        .expect(400);
      expect(res.body.message).toBe(`officerId ${other.officerA.id} is not a member of this department`);
      const detail = await dept.as(dispatcher).get(`/api/dispatches/${dispatch.id}`).expect(200);
      expect(detail.body.tasks).toEqual([]);
    });

    it('refuses an officer who is no longer active with 400', async () => {
      const { dept, dispatcher, officerB, open } = await world();
      const dispatch = await open('T-3');
      await dept.asAdmin().patch(`/api/department/members/${officerB.id}`).send({ active: false }).expect(200);
      const res = await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: officerB.id, description: 'Off duty' }).expect(400);
      expect(res.body.message).toBe(`officerId ${officerB.id} is not an active member`);
    });

    it('clears a task once; clearing it again is 409', async () => {
      const { dept, dispatcher, officerA, open } = await world();
      const dispatch = await open('T-4');
      const task = (await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: officerA.id, description: 'Search' }).expect(201)).body;
      const cleared = await dept.as(officerA).post(`/api/dispatches/${dispatch.id}/tasks/${task.id}/clear`).expect(200);
      expect(cleared.body).toMatchObject({ id: task.id, clearedBy: officerA.id, clearedAt: expect.any(String) });
      const again = await dept.as(officerA).post(`/api/dispatches/${dispatch.id}/tasks/${task.id}/clear`).expect(409);
      expect(again.body.message).toBe(`Task ${task.id} is already cleared`);
      const detail = await dept.as(dispatcher).get(`/api/dispatches/${dispatch.id}`).expect(200);
      expect(detail.body).toMatchObject({ taskCount: 1, openTaskCount: 0 });
    });

    it('does not find a task under another dispatch', async () => {
      const { dept, dispatcher, officerA, open } = await world();
      const first = await open('T-5');
      const second = await open('T-6');
      const task = (await dept.as(dispatcher).post(`/api/dispatches/${first.id}/tasks`).send({ officerId: officerA.id, description: 'Here' }).expect(201)).body;
      const res = await dept.as(dispatcher).post(`/api/dispatches/${second.id}/tasks/${task.id}/clear`).expect(404);
      expect(res.body.message).toBe(`Task ${task.id} not found on dispatch ${second.id}`);
    });

    it('names a malformed task body or path', async () => {
      const { dept, dispatcher, open } = await world();
      const dispatch = await open('T-7');
      const res = await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: -1 }).expect(400);
      expect(res.body.message).toContain('officerId must be a positive integer');
      expect(res.body.message).toContain('description must be 1 to 500 characters');
      const path = await dept.as(dispatcher).post('/api/dispatches/abc/tasks').send({ officerId: 1, description: 'x' }).expect(400);
      expect(path.body.message).toBe('id must be a positive integer');
    });
  });

  describe('closing', () => {
    it('closes once, clears the open tasks with it, and answers 409 to a second close', async () => {
      const { dept, dispatcher, officerA, officerB, open } = await world();
      const dispatch = await open('C-1');
      const a = (await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: officerA.id, description: 'A' }).expect(201)).body;
      await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks/${a.id}/clear`).expect(200);
      await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: officerB.id, description: 'B' }).expect(201);
      const closed = await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/close`).expect(200);
      expect(closed.body).toMatchObject({ status: 'closed', closedBy: dispatcher.id, closedAt: expect.any(String), taskCount: 2, openTaskCount: 0 });
      expect(closed.body.tasks.map((t: { clearedBy: number }) => t.clearedBy)).toEqual([dispatcher.id, dispatcher.id]);
      const again = await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/close`).expect(409);
      expect(again.body.message).toBe('Dispatch C-1 is already closed');
    });

    it('refuses new tasks and clears on a closed dispatch with 409', async () => {
      const { dept, dispatcher, officerA, open } = await world();
      const dispatch = await open('C-2');
      const task = (await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: officerA.id, description: 'A' }).expect(201)).body;
      await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/close`).expect(200);
      const assign = await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: officerA.id, description: 'Late' }).expect(409);
      expect(assign.body.message).toBe('Dispatch C-2 is closed');
      const clear = await dept.as(dispatcher).post(`/api/dispatches/${dispatch.id}/tasks/${task.id}/clear`).expect(409);
      expect(clear.body.message).toBe('Dispatch C-2 is closed; its tasks were cleared when it closed');
    });
  });

  describe("another department's dispatch", () => {
    it('is not found, for reading and for every change', async () => {
      const mine = await world();
      const theirs = await world();
      const dispatch = await theirs.open('THEIRS-1');
      const task = (await theirs.dept.as(theirs.dispatcher).post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: theirs.officerA.id, description: 'x' }).expect(201)).body;
      const me = mine.dept.as(mine.dispatcher);
      const notFound = `Dispatch ${dispatch.id} not found`;
      expect((await me.get(`/api/dispatches/${dispatch.id}`).expect(404)).body.message).toBe(notFound);
      expect((await me.post(`/api/dispatches/${dispatch.id}/tasks`).send({ officerId: mine.officerA.id, description: 'x' }).expect(404)).body.message).toBe(notFound);
      expect((await me.post(`/api/dispatches/${dispatch.id}/tasks/${task.id}/clear`).expect(404)).body.message).toBe(notFound);
      expect((await me.post(`/api/dispatches/${dispatch.id}/close`).expect(404)).body.message).toBe(notFound);
      const list = await me.get('/api/dispatches').expect(200);
      expect(list.body.items.map((d: { id: number }) => d.id)).not.toContain(dispatch.id);
      const still = await theirs.dept.as(theirs.dispatcher).get(`/api/dispatches/${dispatch.id}`).expect(200);
      expect(still.body).toMatchObject({ status: 'open', openTaskCount: 1 });
    });
  });

  describe('listing', () => {
    it('lists open dispatches first, each group newest first, page by page', async () => {
      const { dept, dispatcher, open } = await world();
      const made = [];
      for (const n of ['L-1', 'L-2', 'L-3', 'L-4', 'L-5']) made.push(await open(n));
      await dept.as(dispatcher).post(`/api/dispatches/${made[1].id}/close`).expect(200);
      await dept.as(dispatcher).post(`/api/dispatches/${made[3].id}/close`).expect(200);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await dept
          .as(dispatcher)
          .get(`/api/dispatches?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
          .expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((d: { number: string }) => d.number));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['L-5', 'L-3', 'L-1', 'L-4', 'L-2']);
    });

    it('filters by status and counts tasks', async () => {
      const { dept, dispatcher, officerA, open } = await world();
      const a = await open('S-1');
      const b = await open('S-2');
      await dept.as(dispatcher).post(`/api/dispatches/${a.id}/tasks`).send({ officerId: officerA.id, description: 'x' }).expect(201);
      await dept.as(dispatcher).post(`/api/dispatches/${b.id}/close`).expect(200);
      const openOnes = await dept.as(dispatcher).get('/api/dispatches?status=open').expect(200);
      expect(openOnes.body.items).toEqual([expect.objectContaining({ number: 'S-1', taskCount: 1, openTaskCount: 1 })]);
      const closed = await dept.as(dispatcher).get('/api/dispatches?status=closed').expect(200);
      expect(closed.body.items).toEqual([expect.objectContaining({ number: 'S-2', status: 'closed' })]);
    });

    it('refuses a malformed cursor, limit or status with 400', async () => {
      const { dept, dispatcher } = await world();
      expect((await dept.as(dispatcher).get('/api/dispatches?cursor=garbage').expect(400)).body.message).toBe('cursor is not one this list returned');
      expect((await dept.as(dispatcher).get('/api/dispatches?limit=0').expect(400)).body.message).toBe('limit must be an integer from 1 to 100');
      expect((await dept.as(dispatcher).get('/api/dispatches?status=pending').expect(400)).body.message).toBe('status must be open or closed');
    });
  });
});
