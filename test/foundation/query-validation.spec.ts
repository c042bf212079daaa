import { startTestServer, type TestServer } from '../support/test-server';
import { TestDepartment, type TestMember } from '../support/factories';

/** Valid query strings are remembered once validated: a repeat must answer exactly as the first did. */
describe('query strings asked again', () => {
  let server: TestServer;
  let dept: TestDepartment;
  let member: TestMember;

  beforeAll(async () => {
    server = await startTestServer();
    dept = await TestDepartment.create(server);
    member = await dept.newMember();
    const other = await dept.newMember();
    for (const subject of ['First', 'Second', 'Third']) {
      await dept.as(other).post('/api/messages').send({ subject, body: '<p>Roll call</p>', sendMode: 'specific', userIds: [member.id] }).expect(201);
    }
  });
  afterAll(() => server?.close());

  it('a valid query answers alike each time, with its own defaults', async () => {
    const first = await dept.as(member).get('/api/messages/inbox?limit=2').expect(200);
    const again = await dept.as(member).get('/api/messages/inbox?limit=2').expect(200);
    expect(again.body).toEqual(first.body);
    expect(first.body.items).toHaveLength(2);
    const next = await dept.as(member).get(`/api/messages/inbox?limit=2&cursor=${first.body.nextCursor}`).expect(200);
    expect(next.body.items).toHaveLength(1);
    // No query at all: the DTO's defaults, both times.
    for (let k = 0; k < 2; k++) expect((await dept.as(member).get('/api/messages/inbox').expect(200)).body.items).toHaveLength(3);
  });

  it('a refused query is refused each time with the same message, also after a valid one', async () => {
    await dept.as(member).get('/api/messages/unread/top?limit=3').expect(200);
    for (let k = 0; k < 2; k++) {
      expect((await dept.as(member).get('/api/messages/unread/top?limit=0').expect(400)).body.message).toBe('limit must be an integer from 1 to 50');
      expect((await dept.as(member).get('/api/messages/unread/top?limit=3&extra=1').expect(400)).body.message).toBe('extra: property extra should not exist');
    }
  });
});
