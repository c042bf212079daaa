import type { Client } from 'pg';
import { TestDepartment } from '../support/factories';
import type { TestServer } from '../support/test-server';
import { sendOk, useServerAndDatabase } from './mail-support';

const ids = (res: { body: { items: { id: number }[] } }) => res.body.items.map((i) => i.id);

describe('deleting and batch-marking department messages', () => {
  let server: TestServer;
  let db: Client;
  useServerAndDatabase((s, d) => ([server, db] = [s, d]));

  async function world(count = 1) {
    const dept = await TestDepartment.create(server);
    const [sender, reader, other] = await dept.newMembers(3);
    const messages: number[] = [];
    for (let i = 0; i < count; i++) messages.push(await sendOk(dept, sender, { subject: `m${i}`, sendMode: 'specific', userIds: [reader.id, other.id] }));
    return { dept, sender, reader, other, messages };
  }

  it('hides a message from one recipient\'s inbox only, and remembers who removed it', async () => {
    const { dept, sender, reader, other, messages: [id] } = await world();
    expect((await dept.as(reader).delete(`/api/messages/inbox/${id}`).expect(200)).body).toEqual({ affected: 1 });
    expect(ids(await dept.as(reader).get('/api/messages/inbox').expect(200))).toEqual([]);
    await dept.as(reader).get(`/api/messages/${id}`).expect(404);
    expect(ids(await dept.as(other).get('/api/messages/inbox').expect(200))).toEqual([id]);
    expect((await dept.as(sender).get(`/api/messages/${id}`).expect(200)).body.recipientCount).toBe(2);
    const row = await db.query('select deleted_at, deleted_by from mail_recipients where message_id = $1 and user_id = $2', [id, reader.id]);
    expect(row.rows[0]).toEqual({ deleted_at: expect.any(Date), deleted_by: reader.id });
    // Gone is gone: a second delete of the same message is 404.
    await dept.as(reader).delete(`/api/messages/inbox/${id}`).expect(404);
  });

  it('hides a message from the sender\'s outbox only; the recipients keep their copies', async () => {
    const { dept, sender, reader, messages: [id] } = await world();
    expect((await dept.as(sender).delete(`/api/messages/outbox/${id}`).expect(200)).body).toEqual({ affected: 1 });
    expect(ids(await dept.as(sender).get('/api/messages/outbox').expect(200))).toEqual([]);
    await dept.as(sender).get(`/api/messages/${id}`).expect(404);
    expect(ids(await dept.as(reader).get('/api/messages/inbox').expect(200))).toEqual([id]);
    await dept.as(reader).get(`/api/messages/${id}`).expect(200);
    await dept.as(reader).post(`/api/messages/${id}/response`).send({ response: 'yes' }).expect(200);
  });

  it('answers 404 to a single delete of someone else\'s message', async () => {
    const { dept, sender, reader, messages: [id] } = await world();
    const [bystander] = await dept.newMembers(1);
    await dept.as(bystander).delete(`/api/messages/inbox/${id}`).expect(404);
    await dept.as(reader).delete(`/api/messages/outbox/${id}`).expect(404);
    await dept.as(sender).delete(`/api/messages/inbox/${id}`).expect(404);
    expect(ids(await dept.as(reader).get('/api/messages/inbox').expect(200))).toEqual([id]);
  });

  it('deletes a batch from the inbox in one go, skipping ids that are not the caller\'s', async () => {
    const { dept, reader, other, messages } = await world(3);
    const foreign = await world(1);
    const mine = await sendOk(dept, reader, { sendMode: 'specific', userIds: [other.id] });
    const res = await dept.as(reader).delete(`/api/messages/inbox?ids=${messages[0]},${messages[2]},${foreign.messages[0]},${mine},999999`).expect(200);
    expect(res.body).toEqual({ affected: 2 });
    expect(ids(await dept.as(reader).get('/api/messages/inbox').expect(200))).toEqual([messages[1]]);
    expect(ids(await foreign.dept.as(foreign.reader).get('/api/messages/inbox').expect(200))).toEqual(foreign.messages);
    expect(ids(await dept.as(other).get('/api/messages/inbox').expect(200))).toHaveLength(4);
  });

  it('deletes a batch from the outbox, skipping messages the caller did not send', async () => {
    const { dept, sender, reader, messages } = await world(3);
    const foreign = await world(1);
    const res = await dept.as(sender).delete(`/api/messages/outbox?ids=${messages.join(',')},${foreign.messages[0]}`).expect(200);
    expect(res.body).toEqual({ affected: 3 });
    expect(ids(await dept.as(sender).get('/api/messages/outbox').expect(200))).toEqual([]);
    expect(ids(await dept.as(reader).get('/api/messages/inbox').expect(200))).toHaveLength(3);
    expect(ids(await foreign.dept.as(foreign.sender).get('/api/messages/outbox').expect(200))).toEqual(foreign.messages);
  });

  it('marks a batch read, counting only the caller\'s unread copies', async () => {
    const { dept, reader, other, messages } = await world(3);
    const foreign = await world(1);
    await dept.as(reader).get(`/api/messages/${messages[1]}`).expect(200);
    const res = await dept.as(reader).put(`/api/messages/read?ids=${messages.join(',')},${foreign.messages[0]}`).expect(200);
    expect(res.body).toEqual({ affected: 2 });
    expect((await dept.as(reader).get('/api/messages/unread/top').expect(200)).body.count).toBe(0);
    expect((await dept.as(other).get('/api/messages/unread/top').expect(200)).body.count).toBe(3);
    expect((await foreign.dept.as(foreign.reader).get('/api/messages/unread/top').expect(200)).body.count).toBe(1);
  });

  it.each([
    ['missing', ''],
    ['empty', 'ids='],
    ['an empty item', 'ids=1,,2'],
    ['a word', 'ids=a'],
    ['zero', 'ids=0'],
    ['a negative id', 'ids=-1'],
    ['a decimal', 'ids=1.5'],
    ['more than 500 ids', `ids=${Array.from({ length: 501 }, (_, i) => i + 1).join(',')}`],
  ])('refuses ids that are %s with 400 on every batch route', async (_what, query) => {
    const { dept, sender, reader } = await world(1);
    for (const [member, method, path] of [
      [reader, 'delete', '/api/messages/inbox'],
      [sender, 'delete', '/api/messages/outbox'],
      [reader, 'put', '/api/messages/read'],
    ] as const) {
      const res = await dept.as(member)[method](`${path}${query ? `?${query}` : ''}`);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.message).toMatch(/ids/);
    }
    // Nothing was touched.
    expect(ids(await dept.as(reader).get('/api/messages/inbox?unread=true').expect(200))).toHaveLength(1);
  });

  it('accepts exactly 500 ids', async () => {
    const { dept, reader, messages } = await world(1);
    const list = [messages[0], ...Array.from({ length: 499 }, (_, i) => 1_000_000 + i)];
    expect((await dept.as(reader).put(`/api/messages/read?ids=${list.join(',')}`).expect(200)).body).toEqual({ affected: 1 });
  });
});
