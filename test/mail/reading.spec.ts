import { EventBus } from '@nestjs/cqrs';
import type { Client } from 'pg';
import { SqlPool } from '../../src/messages/database/sql-pool';
import { MailDeliveryChanged } from '../../src/messages/urgent/urgent.events';
import { MessageSent, UnreadChanged } from '../../src/messages/events/mail.events';
import { TestDepartment } from '../support/factories';
import type { TestServer } from '../support/test-server';
import { sendOk, useServerAndDatabase } from './mail-support';

describe('reading department messages', () => {
  let server: TestServer;
  let db: Client;
  useServerAndDatabase((s, d) => ([server, db] = [s, d]));

  async function pair() {
    const dept = await TestDepartment.create(server);
    const [sender, reader, bystander] = await dept.newMembers(3);
    return { dept, sender, reader, bystander };
  }

  it('lists the inbox newest first with the contract fields', async () => {
    const { dept, sender, reader } = await pair();
    const first = await sendOk(dept, sender, { subject: 'First', sendMode: 'specific', userIds: [reader.id] });
    const second = await sendOk(dept, sender, { subject: 'Second', type: 'poll', sendMode: 'specific', userIds: [reader.id] });
    const res = await dept.as(reader).get('/api/messages/inbox').expect(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((i: { id: number }) => i.id)).toEqual([second, first]);
    expect(res.body.items[0]).toEqual({
      id: second,
      subject: 'Second',
      senderId: sender.id,
      senderName: sender.name,
      type: 'poll',
      createdAt: expect.any(String),
      isRead: false,
      readAt: null,
      response: null,
      priority: 'normal',
      acknowledgedAt: null,
    });
  });

  it('pages the inbox by cursor without gaps or repeats, and filters unread', async () => {
    const { dept, sender, reader } = await pair();
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(await sendOk(dept, sender, { subject: `n${i}`, sendMode: 'specific', userIds: [reader.id] }));
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: { id: number }[]; nextCursor: string | null } } = await dept.as(reader).get(`/api/messages/inbox?limit=3${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      seen.push(...res.body.items.map((i: { id: number }) => i.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());

    await dept.as(reader).put(`/api/messages/read?ids=${ids[6]},${ids[2]}`).expect(200);
    const unread = await dept.as(reader).get('/api/messages/inbox?unread=true&limit=100').expect(200);
    expect(unread.body.items.map((i: { id: number }) => i.id)).toEqual([ids[5], ids[4], ids[3], ids[1], ids[0]]);
  });

  it('refuses bad paging parameters with 400 naming them', async () => {
    const { dept, reader } = await pair();
    for (const query of ['limit=0', 'limit=101', 'limit=x', 'cursor=abc', 'cursor=-1', 'unread=maybe']) {
      const res = await dept.as(reader).get(`/api/messages/inbox?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.message).toContain(query.split('=')[0]);
    }
    await dept.as(reader).get('/api/messages/outbox?limit=101').expect(400);
    await dept.as(reader).get('/api/messages/unread/top?limit=51').expect(400);
  });

  it('lists the outbox with read counts and response tallies, paged', async () => {
    const { dept, sender, reader, bystander } = await pair();
    const older = await sendOk(dept, sender, { subject: 'Older', sendMode: 'specific', userIds: [reader.id] });
    const poll = await sendOk(dept, sender, { subject: 'Poll', type: 'poll', sendMode: 'specific', userIds: [reader.id, bystander.id] });
    await dept.as(reader).post(`/api/messages/${poll}/response`).send({ response: 'yes' }).expect(200);
    await dept.as(bystander).get(`/api/messages/${poll}`).expect(200);
    const page1 = await dept.as(sender).get('/api/messages/outbox?limit=1').expect(200);
    expect(page1.body.items).toEqual([
      {
        id: poll,
        subject: 'Poll',
        type: 'poll',
        createdAt: expect.any(String),
        expiresAt: null,
        recipientCount: 2,
        readCount: 2,
        responses: { yes: 1, no: 0, maybe: 0 },
      },
    ]);
    const page2 = await dept.as(sender).get(`/api/messages/outbox?limit=1&cursor=${page1.body.nextCursor}`).expect(200);
    expect(page2.body.items.map((i: { id: number }) => i.id)).toEqual([older]);
    expect(page2.body.nextCursor).toBeNull();
    // The outbox is the sender's alone.
    expect((await dept.as(reader).get('/api/messages/outbox').expect(200)).body.items).toEqual([]);
  });

  it('answers 404 to a member who is neither sender nor recipient, to another department, and for a missing id', async () => {
    const { dept, sender, reader, bystander } = await pair();
    const id = await sendOk(dept, sender, { sendMode: 'specific', userIds: [reader.id] });
    const res = await dept.as(bystander).get(`/api/messages/${id}`).expect(404);
    expect(res.body.message).toBe(`Message ${id} not found`);
    const other = await TestDepartment.create(server);
    await other.asAdmin().get(`/api/messages/${id}`).expect(404);
    await dept.as(reader).get(`/api/messages/2000000000`).expect(404);
    await dept.as(reader).get(`/api/messages/abc`).expect(400);
    await dept.as(reader).get(`/api/messages/0`).expect(400);
  });

  it('marks the message read when a recipient views it, and the unread count drops', async () => {
    const { dept, sender, reader } = await pair();
    const id = await sendOk(dept, sender, { subject: 'Read me', body: '<p>Body</p>', sendMode: 'specific', userIds: [reader.id] });
    await sendOk(dept, sender, { subject: 'Another', sendMode: 'specific', userIds: [reader.id] });
    expect((await dept.as(reader).get('/api/messages/unread/top').expect(200)).body.count).toBe(2);
    const view = await dept.as(reader).get(`/api/messages/${id}`).expect(200);
    expect(view.body).toMatchObject({ id, subject: 'Read me', body: '<p>Body</p>', senderId: sender.id, readAt: expect.any(String) });
    expect(view.body.recipients).toBeUndefined();
    const top = await dept.as(reader).get('/api/messages/unread/top').expect(200);
    expect(top.body.count).toBe(1);
    expect(top.body.items.map((i: { id: number }) => i.id)).not.toContain(id);
    const inbox = await dept.as(reader).get('/api/messages/inbox').expect(200);
    expect(inbox.body.items.find((i: { id: number }) => i.id === id)).toMatchObject({ isRead: true, readAt: view.body.readAt });
  });

  it('shows the sender each recipient with name, read time and response, and the tallies', async () => {
    const { dept, sender, reader, bystander } = await pair();
    const id = await sendOk(dept, sender, { type: 'callback', sendMode: 'specific', userIds: [reader.id, bystander.id] });
    await dept.as(reader).post(`/api/messages/${id}/response`).send({ response: 'maybe', note: 'after 18:00' }).expect(200);
    const view = await dept.as(sender).get(`/api/messages/${id}`).expect(200);
    expect(view.body).toMatchObject({ recipientCount: 2, readCount: 1, responses: { yes: 0, no: 0, maybe: 1 } });
    expect(view.body.recipients).toEqual(
      [
        { userId: reader.id, name: reader.name, readAt: expect.any(String), response: 'maybe', note: 'after 18:00', respondedAt: expect.any(String) },
        { userId: bystander.id, name: bystander.name, readAt: null, response: null, note: null, respondedAt: null },
      ].sort((a, b) => a.userId - b.userId),
    );
    // Another recipient sees neither the tally nor the notes.
    const theirs = await dept.as(bystander).get(`/api/messages/${id}`).expect(200);
    expect(theirs.body.recipients).toBeUndefined();
    expect(theirs.body.responses).toBeUndefined();
    expect(theirs.body.note).toBeNull();
  });

  it('answers 304 to a matching If-None-Match, and a new message or a read changes the ETag', async () => {
    const { dept, sender, reader } = await pair();
    const id = await sendOk(dept, sender, { sendMode: 'specific', userIds: [reader.id] });
    const first = await dept.as(reader).get('/api/messages/unread/top').expect(200);
    const etag = first.headers.etag;
    expect(etag).toBeTruthy();
    expect(first.body).toEqual({ count: 1, items: [expect.objectContaining({ id, isRead: false })] });
    const queries = jest.spyOn(server.app.get(SqlPool), 'query');
    const again = await dept.as(reader).get('/api/messages/unread/top').set('If-None-Match', etag).expect(304);
    // The process knows the reader's current version: no query at all.
    expect(queries).not.toHaveBeenCalled();
    queries.mockRestore();
    expect(again.text).toBe('');
    expect(again.headers.etag).toBe(etag);

    const newer = await sendOk(dept, sender, { sendMode: 'specific', userIds: [reader.id] });
    const changed = await dept.as(reader).get('/api/messages/unread/top').set('If-None-Match', etag).expect(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.body.items.map((i: { id: number }) => i.id)).toEqual([newer, id]);

    await dept.as(reader).put(`/api/messages/read?ids=${id}`).expect(200);
    const afterRead = await dept.as(reader).get('/api/messages/unread/top').set('If-None-Match', changed.headers.etag).expect(200);
    expect(afterRead.body.count).toBe(1);
    // A different limit is a different answer.
    await dept.as(reader).get('/api/messages/unread/top?limit=1').set('If-None-Match', afterRead.headers.etag).expect(200);
  });

  it('takes expired messages out of the inbox and the unread count, and refuses answers to them', async () => {
    const { dept, sender, reader } = await pair();
    const soon = new Date(Date.now() + 1_500);
    const id = await sendOk(dept, sender, { type: 'callback', expiresAt: soon.toISOString(), sendMode: 'specific', userIds: [reader.id] });
    const first = await dept.as(reader).get('/api/messages/unread/top').expect(200);
    expect(first.body.count).toBe(1);
    // The expiry job runs at the expiry time (its queue is polled every second).
    await new Promise((resolve) => setTimeout(resolve, soon.getTime() - Date.now() + 2_500));
    const top = await dept.as(reader).get('/api/messages/unread/top').set('If-None-Match', first.headers.etag).expect(200);
    expect(top.body).toEqual({ count: 0, items: [] });
    expect((await dept.as(reader).get('/api/messages/inbox').expect(200)).body.items).toEqual([]);
    const answer = await dept.as(reader).post(`/api/messages/${id}/response`).send({ response: 'yes' }).expect(409);
    expect(answer.body.message).toMatch(new RegExp(`Message ${id} expired at .*; it can no longer be answered`));
  });

  it('publishes MessageSent and UnreadChanged for the recipients after a send, and UnreadChanged after a read', async () => {
    const { dept, sender, reader, bystander } = await pair();
    const seen: unknown[] = [];
    const subscription = server.app.get(EventBus).subscribe((e) => seen.push(e));
    try {
      const id = await sendOk(dept, sender, { subject: 'Evented', sendMode: 'specific', userIds: [reader.id, bystander.id] });
      const recipients = [reader.id, bystander.id].sort((a, b) => a - b);
      expect(seen).toContainEqual(
        new MessageSent(dept.id, sender.id, recipients, expect.objectContaining({ id, subject: 'Evented', senderName: sender.name, isRead: false })),
      );
      expect(seen).toContainEqual(new UnreadChanged(dept.id, recipients));
      seen.length = 0;
      await dept.as(reader).get(`/api/messages/${id}`).expect(200);
      expect(seen).toEqual([
        new UnreadChanged(dept.id, [reader.id]),
        new MailDeliveryChanged(dept.id, sender.id, { messageId: id, userId: reader.id, state: 'read', at: expect.any(String) }),
      ]);
      seen.length = 0;
      // Viewing again changes nothing, so nothing is published.
      await dept.as(reader).get(`/api/messages/${id}`).expect(200);
      expect(seen).toEqual([]);
    } finally {
      subscription.unsubscribe();
    }
  });
});
