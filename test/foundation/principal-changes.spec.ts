import request from 'supertest';
import { TestDepartment } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';
import { MessagesPermission } from '../../src/messages/messages.permissions';

/** Status codes of `path` on `server` for `token`, until `expected` or 1.5 s: well inside the old 5 s cache. */
async function statusOn(server: TestServer, path: string, token: string, expected: number): Promise<number> {
  const deadline = Date.now() + 1_500;
  for (;;) {
    const { status } = await request(server.baseUrl).get(path).set('Authorization', `Bearer ${token}`);
    if (status === expected || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('changes to members and modules reach every server process at once', () => {
  let first: TestServer;
  let second: TestServer;
  beforeAll(async () => {
    first = await startTestServer();
    second = await startTestServer({}, first.databaseUrl);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('refuses a member deactivated through the other process, though this one had just served them', async () => {
    const dept = await TestDepartment.create(first);
    const member = await dept.newMember();
    expect(await statusOn(second, '/api/messages/inbox', member.token, 200)).toBe(200);
    await dept.asAdmin().patch(`/api/department/members/${member.id}`).send({ active: false }).expect(200);
    expect(await statusOn(second, '/api/messages/inbox', member.token, 401)).toBe(401);
  });

  it('applies a permission taken away through the other process', async () => {
    const dept = await TestDepartment.create(first);
    const member = await dept.newMember();
    expect(await statusOn(second, '/api/messages/inbox', member.token, 200)).toBe(200);
    await dept.asAdmin().patch(`/api/department/members/${member.id}`).send({ permissions: [MessagesPermission.Create] }).expect(200);
    expect(await statusOn(second, '/api/messages/inbox', member.token, 403)).toBe(403);
  });

  it('applies the messages module switched off through the other process', async () => {
    const dept = await TestDepartment.create(first);
    const member = await dept.newMember();
    expect(await statusOn(second, '/api/messages/inbox', member.token, 200)).toBe(200);
    await dept.switchMessages(false);
    expect(await statusOn(second, '/api/messages/inbox', member.token, 403)).toBe(403);
    await dept.switchMessages(true);
    expect(await statusOn(second, '/api/messages/inbox', member.token, 200)).toBe(200);
  });
});
