import type { Client } from 'pg';
import { OfflineNotifier } from '../../src/messages/push/offline-notifier';
import { TestDepartment } from '../support/factories';
import type { TestServer } from '../support/test-server';
import { recipientsOf, send, sendOk, useServerAndDatabase } from './mail-support';

describe('sending a department message: all or nothing, once, and safe', () => {
  let server: TestServer;
  let db: Client;
  useServerAndDatabase((s, d) => ([server, db] = [s, d]));

  it('leaves neither the message nor any recipient row when the send fails inside its transaction', async () => {
    const dept = await TestDepartment.create(server);
    const [sender] = await dept.newMembers(4);
    const notifier = server.app.get(OfflineNotifier);
    const failing = jest.spyOn(notifier, 'enqueue').mockRejectedValueOnce(new Error('queue unavailable'));
    try {
      await send(dept, sender, { subject: 'doomed', sendMode: 'all' }).expect(500);
    } finally {
      failing.mockRestore();
    }
    const messages = await db.query(`select id from mail_messages where department_id = $1`, [dept.id]);
    const recipients = await db.query(`select 1 from mail_recipients where department_id = $1`, [dept.id]);
    expect(messages.rowCount).toBe(0);
    expect(recipients.rowCount).toBe(0);
  });

  it('queues the offline notification for every recipient inside the send', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, a, b] = await dept.newMembers(3);
    const enqueue = jest.spyOn(server.app.get(OfflineNotifier), 'enqueue');
    try {
      const id = await sendOk(dept, sender, { subject: 'Heads up', body: '<p>Hydrant <b>test</b> at 9</p>', sendMode: 'specific', userIds: [a.id, b.id] });
      expect(enqueue).toHaveBeenCalledWith(expect.anything(), dept.id, [a.id, b.id].sort((x, y) => x - y), {
        kind: 'message',
        title: 'Heads up',
        preview: 'Hydrant test at 9',
        ids: { messageId: id },
      });
    } finally {
      enqueue.mockRestore();
    }
  });

  it('sends once for the same idempotency key from the same sender, and again for another sender', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, other, a] = await dept.newMembers(3);
    const first = await send(dept, sender, { sendMode: 'specific', userIds: [a.id], idempotencyKey: 'drill-1' }).expect(201);
    const again = await send(dept, sender, { sendMode: 'specific', userIds: [a.id], idempotencyKey: 'drill-1' }).expect(201);
    expect(again.body).toEqual(first.body);
    const byOther = await send(dept, other, { sendMode: 'specific', userIds: [a.id], idempotencyKey: 'drill-1' }).expect(201);
    expect(byOther.body.id).not.toBe(first.body.id);
    const inbox = await dept.as(a).get('/api/messages/inbox').expect(200);
    expect(inbox.body.items).toHaveLength(2);
  });

  it('sends once when two requests with the same key arrive together', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, ...others] = await dept.newMembers(5);
    const fields = { sendMode: 'all', idempotencyKey: 'double-click' };
    const results = await Promise.all(Array.from({ length: 6 }, () => send(dept, sender, fields)));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const { rows } = await db.query(`select count(*)::int as n from mail_messages where sender_id = $1`, [sender.id]);
    expect(rows[0].n).toBe(1);
    expect((await recipientsOf(db, results[0].body.id)).length).toBe(others.length + 1);
  });

  it('sends again with a key first used more than 24 hours ago', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, a] = await dept.newMembers(2);
    const first = await sendOk(dept, sender, { sendMode: 'specific', userIds: [a.id], idempotencyKey: 'weekly' });
    await db.query(`update mail_messages set created_at = now() - interval '25 hours' where id = $1`, [first]);
    const second = await sendOk(dept, sender, { sendMode: 'specific', userIds: [a.id], idempotencyKey: 'weekly' });
    expect(second).not.toBe(first);
  });

  it('strips scripts, event handlers and javascript: links from the body and keeps the formatting', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, a] = await dept.newMembers(2);
    const body =
      '<p onclick="steal()">Hello <b>crew</b><script>alert(1)</script></p>' +
      '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">click</a> <a href="https://example.org/plan">plan</a>' +
      '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>';
    const id = await sendOk(dept, sender, { sendMode: 'specific', userIds: [a.id], body });
    const seen = (await dept.as(a).get(`/api/messages/${id}`).expect(200)).body.body as string;
    expect(seen).not.toMatch(/script|onerror|onclick|javascript:|iframe|<style|alert/i);
    expect(seen).toContain('<b>crew</b>');
    expect(seen).toContain('href="https://example.org/plan"');
    const stored = await db.query<{ body: string }>('select body from mail_messages where id = $1', [id]);
    expect(stored.rows[0].body).toBe(seen);
  });

  it('refuses a body with nothing left once unsafe HTML is removed', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, a] = await dept.newMembers(2);
    const res = await send(dept, sender, { sendMode: 'specific', userIds: [a.id], body: '<script>alert(1)</script>' }).expect(400);
    expect(res.body.message).toMatch(/body/);
  });

  it('checks subject, body, type, send mode, ids and expiry, naming the field', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, a] = await dept.newMembers(2);
    const to = { sendMode: 'specific', userIds: [a.id] };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...to, subject: '' }, /subject/],
      [{ ...to, subject: '   ' }, /subject must not be blank/],
      [{ ...to, subject: 'x'.repeat(201) }, /subject/],
      [{ ...to, body: '' }, /body/],
      [{ ...to, body: 'x'.repeat(20_001) }, /body/],
      [{ ...to, type: 'urgent' }, /type/],
      [{ sendMode: 'some' }, /sendMode/],
      [{ sendMode: 'specific', userIds: [0] }, /userIds must be a positive integer/],
      [{ sendMode: 'specific', userIds: ['a'] }, /userIds must be a positive integer/],
      [{ ...to, expiresAt: 'tomorrow' }, /expiresAt/],
      [{ ...to, expiresAt: new Date(Date.now() - 60_000).toISOString() }, /expiresAt must be in the future/],
      [{ ...to, priority: 'high' }, /priority/],
      [{ sendMode: 'all', userIds: [a.id] }, /"all"/],
    ];
    for (const [fields, message] of cases) {
      const res = await send(dept, sender, fields);
      expect({ fields, status: res.status }).toEqual({ fields, status: 400 });
      expect(res.body.message).toMatch(message);
    }
  });

  it('accepts the limits exactly', async () => {
    const dept = await TestDepartment.create(server);
    const [sender, a] = await dept.newMembers(2);
    await send(dept, sender, { sendMode: 'specific', userIds: [a.id], subject: 's'.repeat(200), body: 'b'.repeat(20_000) }).expect(201);
  });
});
