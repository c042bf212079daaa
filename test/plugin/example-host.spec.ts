import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DepartmentDirectory } from '../../src/messages/directory/department-directory';
import { startMinimalHost } from '../../examples/minimal-host/minimal-host';
import { closeAllSockets, connectSocket, nextEvent } from '../support/sockets';
import { createDatabase } from '../support/test-server';

/** docs/plugin.md's example host, booted as written: it must keep compiling and working. */
describe('the example host of docs/plugin.md', () => {
  let app: NestFastifyApplication;
  let database: { url: string; drop: () => Promise<void> };
  let baseUrl: string;
  const as = (token: string) => ({
    get: (url: string) => request(baseUrl).get(url).set('Authorization', `Bearer ${token}`),
    post: (url: string) => request(baseUrl).post(url).set('Authorization', `Bearer ${token}`),
  });

  beforeAll(async () => {
    database = await createDatabase();
    app = await startMinimalHost({ databaseUrl: database.url });
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    closeAllSockets();
    await app?.close();
    await database?.drop();
  });

  it('sends to a group through its directory; the recipient sees it live and in the inbox', async () => {
    const ben = await connectSocket(baseUrl, 'token-ben');
    const arrived = nextEvent(ben, 'message:new');
    const sent = await as('token-ann').post('/api/messages').send({ subject: 'Shift change at 07:00', body: 'Relief at the station', sendMode: 'specific', groupIds: [10], excludeShiftIds: [20] }).expect(201);
    expect(sent.body.recipientCount).toBe(1);
    expect(await arrived).toMatchObject({ id: sent.body.id, subject: 'Shift change at 07:00' });
    const inbox = await as('token-ben').get('/api/messages/inbox').expect(200);
    expect(inbox.body.items).toEqual([expect.objectContaining({ id: sent.body.id, senderName: 'Ann Dispatcher' })]);
    expect((await as('token-cy').get('/api/messages/inbox').expect(200)).body.items).toEqual([]);
  });

  it('refuses what its authenticator and the access rules refuse', async () => {
    await request(baseUrl).get('/api/messages/inbox').expect(401);
    await as('token-ben').post('/api/messages').send({ subject: 's', body: 'b', sendMode: 'all' }).expect(403);
    const res = await as('token-ann').post('/api/messages').send({ subject: 's', body: 'b', sendMode: 'specific', userIds: [4] }).expect(400);
    expect(res.body.message).toContain('4');
    await expect(connectSocket(baseUrl, 'not-a-token')).rejects.toThrow();
  });

  it("answers who is on duty from its own shift rule", async () => {
    const directory = app.get(DepartmentDirectory);
    expect(await directory.onDutyMemberIds(1, new Date('2026-12-01T08:00:00Z'))).toEqual([3]);
    expect(await directory.onDutyMemberIds(1, new Date('2026-12-01T20:00:00Z'))).toEqual([]);
  });
});
