import request from 'supertest';
import { SqlPool } from '../../src/messages/database/sql-pool';
import { TestDepartment } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

const PER_MINUTE = 20;
const LOGINS = 3;
const MASS_SENDS = 2;
const MAX_MEMBERS = 12;

/** How a run of calls was answered, in order. */
async function statuses(count: number, call: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await call(i)).status);
  return seen;
}

const times = (n: number, status: number) => Array.from({ length: n }, () => status);

describe('rate limits', () => {
  let server: TestServer;
  let dept: TestDepartment;
  // The tests' requests all come from loopback: a trusted proxy there gives each test addresses of its own.
  let nextAddress = 1;
  const newAddress = () => `198.51.100.${nextAddress++}`;
  const login = (from: string, email: string, password = 'wrong-password') =>
    request(server.baseUrl).post('/api/auth/login').set('X-Forwarded-For', from).send({ email, password });

  beforeAll(async () => {
    server = await startTestServer({
      RATE_LIMIT: 'on',
      RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
      LOGIN_ATTEMPTS_PER_MINUTE: String(LOGINS),
      MASS_SENDS_PER_MINUTE: String(MASS_SENDS),
      TRUST_PROXY: '127.0.0.1',
    });
    dept = await TestDepartment.create(server);
  });
  afterAll(() => server.close());

  it('answers exactly the limit, then 429 with Retry-After, and counts each user apart', async () => {
    const [busy, quiet] = await dept.newMembers(2);

    expect(await statuses(PER_MINUTE + 1, () => dept.as(busy).get('/api/department'))).toEqual([...times(PER_MINUTE, 200), 429]);
    const limited = await dept.as(busy).get('/api/department').expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.message).toMatch(/Too many requests/);
    await dept.as(quiet).get('/api/department').expect(200);
  });

  it('limits login attempts per email to exactly the limit, whatever the password', async () => {
    const member = await dept.newMember();
    const from = newAddress();

    expect(await statuses(LOGINS, () => login(from, member.email))).toEqual(times(LOGINS, 401));
    const res = await login(newAddress(), member.email, 'member-password').expect(429);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('counts one email however its letters are written, and logs in with any of those forms', async () => {
    const local = `i\u0307nspector-${Date.now().toString(36)}`;
    const created = await dept
      .asAdmin()
      .post('/api/department/members')
      .send({ name: 'Inspector', email: `${local.toUpperCase().replace('I\u0307', '\u0130')}@TEST.example`, password: 'member-password' })
      .expect(201);
    // Stored in the one normalized form.
    expect(created.body.email).toBe(`${local}@test.example`);
    await dept.asAdmin().post('/api/department/members').send({ name: 'Twin', email: `${local}@test.example`, password: 'member-password' }).expect(409);
    await dept.asAdmin().post('/api/department/members').send({ name: 'Twin', email: `\uFF29\u0307${local.slice(2)}@test.example`, password: 'member-password' }).expect(409);

    const ok = await login(newAddress(), `\u0130${local.slice(2)}@test.example`, 'member-password').expect(200);
    expect(ok.body.accessToken).toEqual(expect.any(String));
    // Failures under each spelling fill one bucket.
    await login(newAddress(), `${local}@test.example`).expect(401);
    await login(newAddress(), `\u0130${local.slice(2)}@TEST.EXAMPLE`).expect(401);
    await login(newAddress(), `\uFF49\u0307${local.slice(2)}@test.example`, 'member-password').expect(429);
  });

  it('limits login attempts per address to five times the per-email limit, over different emails', async () => {
    const from = newAddress();
    const emails = Array.from({ length: LOGINS * 5 + 1 }, (_, i) => `nobody-${i}-${nextAddress}@test.example`);

    expect(await statuses(emails.length, (i) => login(from, emails[i]))).toEqual([...times(LOGINS * 5, 401), 429]);
    await login(newAddress(), emails[0]).expect(401);
  });

  it('counts refused requests per address: past the limit every request from it is 429, a valid token too', async () => {
    const [member] = await dept.newMembers(1);
    const from = newAddress();
    const guess = (i: number) => request(server.baseUrl).get('/api/department').set('X-Forwarded-For', from).set('Authorization', `Bearer guess-${i}`);

    expect(await statuses(PER_MINUTE + 1, guess)).toEqual([...times(PER_MINUTE, 401), 429]);
    const blocked = await request(server.baseUrl).get('/api/department').set('X-Forwarded-For', from).set('Authorization', member.auth).expect(429);
    expect(blocked.body.message).toMatch(/^Too many refused requests from your address/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    await request(server.baseUrl).get('/api/department').set('X-Forwarded-For', newAddress()).set('Authorization', member.auth).expect(200);
  });

  it('counts 403s as refused too', async () => {
    const member = await dept.newMember({ permissions: [] });
    const from = newAddress();
    const admin = () => request(server.baseUrl).put('/api/department/modules/messages').set('X-Forwarded-For', from).set('Authorization', member.auth).send({ enabled: true });

    expect(await statuses(PER_MINUTE + 1, admin)).toEqual([...times(PER_MINUTE, 403), 429]);
  });

  it('answers 429 past the mass-send limit, and counts it per user', async () => {
    const [sender, recipient, other] = await dept.newMembers(3);
    const send = (from: typeof sender) =>
      dept.as(from).post('/api/messages').send({ subject: 'Drill', body: 'Tonight', sendMode: 'specific', userIds: [recipient.id] });

    expect(await statuses(MASS_SENDS + 1, () => send(sender))).toEqual([...times(MASS_SENDS, 201), 429]);
    const limited = await send(sender).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await send(other).expect(201);
  });
});

describe('conversations that reach many people', () => {
  let server: TestServer;
  let dept: TestDepartment;
  let crowd: { id: number }[];
  let conversations: () => Promise<number>;

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT: 'on', MASS_SENDS_PER_MINUTE: String(MASS_SENDS), CONVERSATION_MAX_MEMBERS: String(MAX_MEMBERS) });
    dept = await TestDepartment.create(server);
    crowd = await dept.newMembers(MAX_MEMBERS);
    const sql = server.app.get(SqlPool);
    conversations = async () => (await sql.query<{ n: number }>('select count(*)::int as n from conversations where department_id = $1', [dept.id]))[0].n;
  });
  afterAll(() => server.close());

  const ten = () => crowd.slice(0, 10).map((m) => m.id);

  it('puts creating a conversation with ten or more people under the mass-send limit, and a small one not', async () => {
    const [starter] = await dept.newMembers(1);
    const open = (memberIds: number[]) => dept.as(starter).post('/api/conversations').send({ title: 'Recall', memberIds });

    expect(await statuses(MASS_SENDS + 1, () => open(ten()))).toEqual([...times(MASS_SENDS, 201), 429]);
    await open(crowd.slice(0, 9).map((m) => m.id)).expect(201);
  });

  it('puts inviting ten or more people at once under the mass-send limit', async () => {
    const [host] = await dept.newMembers(1);
    const ids = await Promise.all(
      [1, 2, 3].map(async () => (await dept.as(host).post('/api/conversations').send({ title: 'Crew', memberIds: [] }).expect(201)).body.id as number),
    );
    const invite = (i: number) => dept.as(host).post(`/api/conversations/${ids[i]}/invite`).send({ userIds: ten() });

    expect(await statuses(MASS_SENDS + 1, invite)).toEqual([...times(MASS_SENDS, 200), 429]);
  });

  it('refuses a conversation over the size cap with 422, and invitations that would pass it', async () => {
    const [starter] = await dept.newMembers(1);
    const before = await conversations();

    const tooMany = await dept.as(starter).post('/api/conversations').send({ title: 'All', memberIds: crowd.map((m) => m.id) }).expect(422);
    expect(tooMany.body.message).toBe(`A conversation may have at most ${MAX_MEMBERS} members; this one would have ${MAX_MEMBERS + 1}`);
    expect(await conversations()).toBe(before);

    const full = await dept.as(starter).post('/api/conversations').send({ title: 'Most', memberIds: crowd.slice(0, MAX_MEMBERS - 2).map((m) => m.id) }).expect(201);
    await dept.as(starter).post(`/api/conversations/${full.body.id}/invite`).send({ userIds: [crowd[MAX_MEMBERS - 2].id] }).expect(200);
    const over = await dept.as(starter).post(`/api/conversations/${full.body.id}/invite`).send({ userIds: [crowd[MAX_MEMBERS - 1].id] }).expect(422);
    expect(over.body.message).toBe(`A conversation may have at most ${MAX_MEMBERS} members; this one would have ${MAX_MEMBERS + 1}`);
    const members = (await dept.as(starter).get(`/api/conversations/${full.body.id}`).expect(200)).body.members;
    expect(members).toHaveLength(MAX_MEMBERS);
  });
});

describe('rate limits with X-Forwarded-For from an untrusted peer', () => {
  let server: TestServer;

  beforeAll(async () => {
    // TRUST_PROXY is off by default: the address is the peer that connected.
    server = await startTestServer({ RATE_LIMIT: 'on', RATE_LIMIT_PER_MINUTE: String(PER_MINUTE), LOGIN_ATTEMPTS_PER_MINUTE: '2' });
  });
  afterAll(() => server.close());

  it('lets a rotating header change nothing: logins and refused requests count for the peer', async () => {
    const rotating = (i: number) => `203.0.113.${i + 1}, 10.0.0.${i + 1}`;
    const login = (i: number) =>
      request(server.baseUrl).post('/api/auth/login').set('X-Forwarded-For', rotating(i)).send({ email: `rotating-${i}@test.example`, password: 'wrong-password' });

    expect(await statuses(11, login)).toEqual([...times(10, 401), 429]);
    // Ten of the address's refusals are spent; ten more bad tokens and it is closed.
    const guess = (i: number) => request(server.baseUrl).get('/api/department').set('X-Forwarded-For', rotating(i + 50)).set('Authorization', `Bearer guess-${i}`);
    expect(await statuses(11, guess)).toEqual([...times(PER_MINUTE - 10, 401), 429]);
  });
});

describe('rate limits switched off', () => {
  it('never answers 429 with RATE_LIMIT=off', async () => {
    const server = await startTestServer({ RATE_LIMIT: 'off', RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const dept = await TestDepartment.create(server);
      for (let i = 0; i < 5; i++) await dept.asAdmin().get('/api/department').expect(200);
      for (let i = 0; i < 5; i++) await request(server.baseUrl).get('/api/department').set('Authorization', 'Bearer guess').expect(401);
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
