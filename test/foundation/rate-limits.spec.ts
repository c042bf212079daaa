import request from 'supertest';
import { TestDepartment } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

describe('rate limits', () => {
  let server: TestServer;
  let dept: TestDepartment;

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT: 'on', RATE_LIMIT_PER_MINUTE: '20', LOGIN_ATTEMPTS_PER_MINUTE: '3' });
    dept = await TestDepartment.create(server);
  });
  afterAll(() => server.close());

  it('answers 429 with Retry-After once a user is over the limit, and counts each user apart', async () => {
    const [busy, quiet] = await dept.newMembers(2);
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await dept.as(busy).get('/api/department')).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    const limited = await dept.as(busy).get('/api/department').expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.message).toMatch(/Too many requests/);
    await dept.as(quiet).get('/api/department').expect(200);
  });

  it('limits login attempts per email, whatever the password', async () => {
    const member = await dept.newMember();
    for (let i = 0; i < 3; i++) {
      await request(server.baseUrl).post('/api/auth/login').send({ email: member.email, password: 'wrong-password' }).expect(401);
    }
    const res = await request(server.baseUrl).post('/api/auth/login').send({ email: member.email, password: 'member-password' }).expect(429);
    expect(res.headers['retry-after']).toBeDefined();
  });
});

describe('rate limits switched off', () => {
  it('never answers 429 with RATE_LIMIT=off', async () => {
    const server = await startTestServer({ RATE_LIMIT: 'off', RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const dept = await TestDepartment.create(server);
      for (let i = 0; i < 5; i++) await dept.asAdmin().get('/api/department').expect(200);
    } finally {
      await server.close();
    }
  });
});

describe('rate limits across processes', () => {
  it('shares one limit per user between two processes on one Redis', async () => {
    const env = { RATE_LIMIT: 'on', RATE_LIMIT_PER_MINUTE: '10', REDIS_URL: 'redis://127.0.0.1:6379' };
    const first = await startTestServer(env);
    const second = await startTestServer(env, first.databaseUrl);
    try {
      const dept = await TestDepartment.create(first);
      const member = await dept.newMember();
      const call = (server: TestServer) => request(server.baseUrl).get('/api/department').set('Authorization', member.auth);
      for (let i = 0; i < 5; i++) {
        await call(first).expect(200);
        await call(second).expect(200);
      }
      await call(second).expect(429);
      await call(first).expect(429);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
