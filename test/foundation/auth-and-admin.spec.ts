import request from 'supertest';
import { SqlPool } from '../../src/messages/database/sql-pool';
import { TestDepartment } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';
import { MessagesPermission } from '../../src/messages/messages.permissions';

describe('foundation: auth and the department admin routes', () => {
  let server: TestServer;
  let dept: TestDepartment;

  beforeAll(async () => {
    server = await startTestServer();
    dept = await TestDepartment.create(server);
  });
  afterAll(() => server.close());

  it('answers health while the database is up', async () => {
    const res = await request(server.baseUrl).get('/api/health').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it('answers a sign-up the same whether the email is free or taken, and creates nothing for a taken one', async () => {
    const email = `signup-${Date.now().toString(36)}@test.example`;
    const departments = async () => (await server.app.get(SqlPool).query<{ n: number }>('select count(*)::int as n from departments'))[0].n;
    const signUp = (name: string, address: string, password: string) =>
      request(server.baseUrl).post('/api/departments').send({ name, admin: { name: 'Admin', email: address, password } });

    const before = await departments();
    const fresh = await signUp('First', email, 'first-password');
    const taken = await signUp('Second', email.toUpperCase(), 'second-password');
    const existingMember = await signUp('Third', dept.admin.email, 'third-password');

    for (const res of [taken, existingMember]) expect({ status: res.status, body: res.body }).toEqual({ status: fresh.status, body: fresh.body });
    expect(fresh.status).toBe(202);
    expect(await departments()).toBe(before + 1);
    await request(server.baseUrl).post('/api/auth/login').send({ email, password: 'first-password' }).expect(200);
    await request(server.baseUrl).post('/api/auth/login').send({ email, password: 'second-password' }).expect(401);
  });

  it('logs in with the right password and refuses a wrong one with the same 401', async () => {
    const member = await dept.newMember();
    const ok = await request(server.baseUrl).post('/api/auth/login').send({ email: member.email, password: 'member-password' }).expect(200);
    expect(typeof ok.body.accessToken).toBe('string');
    await request(server.baseUrl).get('/api/department').set('Authorization', `Bearer ${ok.body.accessToken}`).expect(200);

    const wrongPassword = await request(server.baseUrl).post('/api/auth/login').send({ email: member.email, password: 'nope' }).expect(401);
    const wrongEmail = await request(server.baseUrl).post('/api/auth/login').send({ email: 'nobody@test.example', password: 'nope' }).expect(401);
    expect(wrongPassword.body.message).toBe(wrongEmail.body.message);
  });

  it('refuses a request without a token, or with a forged one, with 401', async () => {
    await request(server.baseUrl).get('/api/department').expect(401);
    await request(server.baseUrl).get('/api/department').set('Authorization', 'Bearer not.a.token').expect(401);
  });

  it('refuses admin routes to a member with 403', async () => {
    const member = await dept.newMember();
    const res = await dept.as(member).post('/api/groups').send({ name: 'Station 9' }).expect(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
  });

  it('lists members without password material', async () => {
    const res = await dept.asAdmin().get('/api/department/members').expect(200);
    expect(res.body.length).toBeGreaterThan(0);
    for (const m of res.body) {
      expect(Object.keys(m).sort()).toEqual(['active', 'currentZoneId', 'email', 'id', 'isAdmin', 'name', 'permissions']);
    }
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt|password/i);
  });

  it('gives new members the three messages permissions', async () => {
    const member = await dept.newMember();
    const res = await dept.asAdmin().get('/api/department/members').expect(200);
    expect(res.body.find((m: { id: number }) => m.id === member.id).permissions.sort()).toEqual([MessagesPermission.Create, MessagesPermission.Delete, MessagesPermission.View]);
  });

  it('refuses a duplicate email with 409, whatever its case', async () => {
    const member = await dept.newMember();
    const res = await dept
      .asAdmin()
      .post('/api/department/members')
      .send({ name: 'Again', email: member.email.toUpperCase(), password: 'long-enough' })
      .expect(409);
    expect(res.body.message).toContain('already in use');
  });

  it('answers bad input with a 400 that names the field', async () => {
    const res = await dept.asAdmin().post('/api/department/members').send({ name: 'X', email: 'not-an-email', password: 'short' }).expect(400);
    expect(res.body.message).toMatch(/email/);
    expect(res.body.message).toMatch(/password/);
    const extra = await dept.asAdmin().post('/api/groups').send({ name: 'G', color: 'red' }).expect(400);
    expect(extra.body.message).toMatch(/color/);
  });

  it('answers a malformed path id with 400 and another department’s id with 404', async () => {
    await dept.asAdmin().patch('/api/department/members/abc').send({ active: true }).expect(400);
    const other = await TestDepartment.create(server);
    const outsider = await other.newMember();
    await dept.asAdmin().patch(`/api/department/members/${outsider.id}`).send({ active: false }).expect(404);
    await dept.asAdmin().put(`/api/groups/999999/members`).send({ userIds: [] }).expect(404);
  });

  it('refuses to put another department’s member into a group, naming the id', async () => {
    const other = await TestDepartment.create(server);
    const outsider = await other.newMember();
    const group = await dept.newGroup('Station X');
    const res = await dept.asAdmin().put(`/api/groups/${group}/members`).send({ userIds: [outsider.id] }).expect(400);
    expect(res.body.message).toContain(String(outsider.id));
  });

  it('keeps an inactive member from logging in and from using an old token', async () => {
    const member = await dept.newMember();
    await dept.asAdmin().patch(`/api/department/members/${member.id}`).send({ active: false }).expect(200);
    await request(server.baseUrl).post('/api/auth/login').send({ email: member.email, password: 'member-password' }).expect(403);
    await dept.as(member).get('/api/department').expect(401);
  });

  it('lists groups, roles, shifts and zones with their members', async () => {
    const [a, b] = await dept.newMembers(2);
    const zone = await dept.newZone('North', [a, b]);
    const res = await dept.asAdmin().get('/api/zones').expect(200);
    expect(res.body).toContainEqual({ id: zone, name: 'North', memberIds: [a.id, b.id].sort((x, y) => x - y) });
    await dept.setCurrentZone(a, zone);
    const members = await dept.asAdmin().get('/api/department/members').expect(200);
    expect(members.body.find((m: { id: number }) => m.id === a.id).currentZoneId).toBe(zone);
  });

  it('switches the messages module off and on', async () => {
    await dept.switchMessages(false);
    expect((await dept.asAdmin().get('/api/department').expect(200)).body.modules.messages).toBe(false);
    await dept.switchMessages(true);
    expect((await dept.asAdmin().get('/api/department').expect(200)).body.modules.messages).toBe(true);
  });
});

describe('token expiry', () => {
  it('refuses a token once it has expired, though it was accepted before', async () => {
    const server = await startTestServer({ JWT_EXPIRES_IN: '2s' });
    try {
      const dept = await TestDepartment.create(server);
      const member = await dept.newMember();
      const login = await request(server.baseUrl).post('/api/auth/login').send({ email: member.email, password: 'member-password' }).expect(200);
      const auth = `Bearer ${login.body.accessToken}`;
      await request(server.baseUrl).get('/api/department').set('Authorization', auth).expect(200);
      await request(server.baseUrl).get('/api/department').set('Authorization', auth).expect(200);
      await new Promise((r) => setTimeout(r, 2_500));
      await request(server.baseUrl).get('/api/department').set('Authorization', auth).expect(401);
    } finally {
      await server.close();
    }
  });
});
