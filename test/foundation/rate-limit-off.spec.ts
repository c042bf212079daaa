import { TestDepartment } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

describe('RATE_LIMIT=off', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT: 'off', MASS_SENDS_PER_MINUTE: '1', LOGIN_ATTEMPTS_PER_MINUTE: '1' });
  });
  afterAll(() => server?.close());

  it('lifts the mass-send limit too', async () => {
    const dept = await TestDepartment.create(server);
    const [amy] = await dept.newMembers(1);
    for (let i = 0; i < 3; i++) {
      await dept.asAdmin().post('/api/messages').send({ subject: `Drill ${i}`, body: 'Tonight', sendMode: 'specific', userIds: [amy.id] }).expect(201);
    }
  });

  it('lifts the login limits too', async () => {
    for (let i = 0; i < 3; i++) {
      await server.http().post('/api/auth/login').send({ email: 'nobody@test.example', password: 'wrong-password' }).expect(401);
    }
  });
});
