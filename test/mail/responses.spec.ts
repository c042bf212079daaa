import { TestDepartment } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';
import { sendOk } from './mail-support';

describe('responding to a department message', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  async function poll() {
    const dept = await TestDepartment.create(server);
    const [sender, reader, other, bystander] = await dept.newMembers(4);
    const id = await sendOk(dept, sender, { type: 'poll', subject: 'Overtime Saturday?', sendMode: 'specific', userIds: [reader.id, other.id] });
    return { dept, sender, reader, other, bystander, id };
  }

  it('records a recipient\'s answer and note, and reading it marks the message read', async () => {
    const { dept, reader, id } = await poll();
    const res = await dept.as(reader).post(`/api/messages/${id}/response`).send({ response: 'no', note: 'on leave' }).expect(200);
    expect(res.body).toEqual({ messageId: id, response: 'no', note: 'on leave', respondedAt: expect.any(String) });
    const inbox = await dept.as(reader).get('/api/messages/inbox').expect(200);
    expect(inbox.body.items[0]).toMatchObject({ id, response: 'no', isRead: true });
    expect((await dept.as(reader).get('/api/messages/unread/top').expect(200)).body.count).toBe(0);
  });

  it('keeps the last answer', async () => {
    const { dept, sender, reader, id } = await poll();
    await dept.as(reader).post(`/api/messages/${id}/response`).send({ response: 'yes', note: 'first thought' }).expect(200);
    await dept.as(reader).post(`/api/messages/${id}/response`).send({ response: 'maybe' }).expect(200);
    const view = await dept.as(sender).get(`/api/messages/${id}`).expect(200);
    expect(view.body.responses).toEqual({ yes: 0, no: 0, maybe: 1 });
    expect(view.body.recipients.find((r: { userId: number }) => r.userId === reader.id)).toMatchObject({ response: 'maybe', note: null });
  });

  it('lets only recipients answer: 404 for a bystander or another department, 403 for the sender', async () => {
    const { dept, sender, bystander, id } = await poll();
    await dept.as(bystander).post(`/api/messages/${id}/response`).send({ response: 'yes' }).expect(404);
    const other = await TestDepartment.create(server);
    await other.asAdmin().post(`/api/messages/${id}/response`).send({ response: 'yes' }).expect(404);
    const own = await dept.as(sender).post(`/api/messages/${id}/response`).send({ response: 'yes' }).expect(403);
    expect(own.body.message).toBe(`Only the recipients of message ${id} may respond to it; you sent it`);
  });

  it('refuses an answer to a message the recipient deleted', async () => {
    const { dept, reader, id } = await poll();
    await dept.as(reader).delete(`/api/messages/inbox/${id}`).expect(200);
    await dept.as(reader).post(`/api/messages/${id}/response`).send({ response: 'yes' }).expect(404);
  });

  it('refuses an answer once the message has expired', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, reader] = await dept.newMembers(2);
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const id = await sendOk(dept, sender, { type: 'callback', expiresAt, sendMode: 'specific', userIds: [reader.id] });
    await dept.as(reader).post(`/api/messages/${id}/response`).send({ response: 'yes' }).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    const late = await dept.as(reader).post(`/api/messages/${id}/response`).send({ response: 'no' }).expect(409);
    expect(late.body.message).toContain('can no longer be answered');
    const view = await dept.as(sender).get(`/api/messages/${id}`).expect(200);
    expect(view.body).toMatchObject({ expired: true, responses: { yes: 1, no: 0, maybe: 0 } });
  });

  it('checks the answer: one of yes, no, maybe, and a note of at most 1000 characters', async () => {
    const { dept, reader, id } = await poll();
    const bad = await dept.as(reader).post(`/api/messages/${id}/response`).send({ response: 'sure' }).expect(400);
    expect(bad.body.message).toMatch(/response/);
    await dept.as(reader).post(`/api/messages/${id}/response`).send({}).expect(400);
    await dept.as(reader).post(`/api/messages/${id}/response`).send({ response: 'yes', note: 'x'.repeat(1001) }).expect(400);
    await dept.as(reader).post(`/api/messages/x/response`).send({ response: 'yes' }).expect(400);
  });
});
