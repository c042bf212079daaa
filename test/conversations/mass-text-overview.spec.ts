import { MessagesPermission } from '../../src/messages/messages.permissions';
import { TestDepartment } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

describe('mass text overview', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('shows its sender one entry per mass text with who read it and who replied, and nobody else', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob, cai] = await dept.newMembers(3);
    const sender = await dept.newMember({ name: 'Dispatch desk', permissions: [MessagesPermission.View, MessagesPermission.Create, MessagesPermission.MassText] });
    const sent = await dept.as(sender).post('/api/conversations/mass-text').send({ body: 'Roll call: reply when in quarters', userIds: [ann.id, bob.id, cai.id] }).expect(201);
    const id: number = sent.body.massTextId;

    const annDirect = (await dept.as(ann).get('/api/conversations').expect(200)).body.items.find((c: { kind: string }) => c.kind === 'direct');
    await dept.as(ann).post(`/api/conversations/${annDirect.id}/messages`).send({ body: 'Ann in quarters' }).expect(201);
    const bobDirect = (await dept.as(bob).get('/api/conversations').expect(200)).body.items.find((c: { kind: string }) => c.kind === 'direct');
    await dept.as(bob).post(`/api/conversations/${bobDirect.id}/read`).send({ seq: bobDirect.lastMessage.seq }).expect(200);

    const list = await dept.as(sender).get('/api/conversations/mass-texts').expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ id, body: 'Roll call: reply when in quarters', recipientCount: 3, readCount: 2, repliedCount: 1, conversationIds: expect.arrayContaining([annDirect.id, bobDirect.id]) }),
    ]);

    const overview = await dept.as(sender).get(`/api/conversations/mass-texts/${id}`).expect(200);
    const byName = Object.fromEntries(overview.body.recipients.map((r: { name: string }) => [r.name, r]));
    expect(byName[ann.name]).toEqual(expect.objectContaining({ userId: ann.id, conversationId: annDirect.id, read: true, replied: true, lastReply: expect.objectContaining({ body: 'Ann in quarters' }) }));
    expect(byName[bob.name]).toEqual(expect.objectContaining({ read: true, replied: false, lastReply: null }));
    expect(byName[cai.name]).toEqual(expect.objectContaining({ read: false, replied: false }));

    // A recipient, and anyone else, does not see the sender's overview.
    const refused = await dept.as(ann).get(`/api/conversations/mass-texts/${id}`).expect(404);
    expect(refused.body.message).toBe(`Mass text ${id} not found`);
    expect((await dept.as(ann).get('/api/conversations/mass-texts').expect(200)).body.items).toEqual([]);
    const other = await TestDepartment.create(server);
    await other.asAdmin().get(`/api/conversations/mass-texts/${id}`).expect(404);
  });
});
