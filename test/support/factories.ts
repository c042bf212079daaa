import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DispatchPermission } from '../../src/dispatch/dispatch.permissions';
import { MESSAGES_MEMBER_DEFAULTS } from '../../src/messages/messages.permissions';
import type { TestServer } from './test-server';

export interface TestMember {
  id: number;
  name: string;
  email: string;
  token: string;
  /** `Authorization` header value. */
  auth: string;
}

const unique = () => randomBytes(4).toString('hex');

/**
 * Signs a department up as a client does: the answer is the same whether the email was free, so
 * the new admin logs in, and the token names both ids.
 */
export async function signUp(baseUrl: string, name: string, email: string, password: string): Promise<{ adminId: number; departmentId: number; token: string }> {
  await request(baseUrl).post('/api/departments').send({ name, admin: { name: 'Admin', email, password } }).expect(202);
  const login = await request(baseUrl).post('/api/auth/login').send({ email, password }).expect(200);
  const token: string = login.body.accessToken;
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { sub: number; dept: number };
  return { adminId: claims.sub, departmentId: claims.dept, token };
}

/**
 * A department of its own for a test, made through the real admin API: each test builds its
 * world in a few lines and never steps on another's.
 */
export class TestDepartment {
  private constructor(
    readonly server: TestServer,
    readonly id: number,
    readonly admin: TestMember,
  ) {}

  static async create(server: TestServer, name = `Dept ${unique()}`): Promise<TestDepartment> {
    const email = `admin-${unique()}@test.example`;
    const { adminId, departmentId } = await signUp(server.baseUrl, name, email, 'admin-password');
    const token = server.tokenFor(adminId, departmentId);
    return new TestDepartment(server, departmentId, { id: adminId, name: 'Admin', email, token, auth: `Bearer ${token}` });
  }

  /** Requests as the admin. */
  asAdmin() {
    return this.as(this.admin);
  }

  as(member: TestMember) {
    const agent = request(this.server.baseUrl);
    const auth = member.auth;
    return {
      get: (url: string) => agent.get(url).set('Authorization', auth),
      post: (url: string) => agent.post(url).set('Authorization', auth),
      put: (url: string) => agent.put(url).set('Authorization', auth),
      patch: (url: string) => agent.patch(url).set('Authorization', auth),
      delete: (url: string) => agent.delete(url).set('Authorization', auth),
    };
  }

  async newMember(options: { name?: string; permissions?: string[]; isAdmin?: boolean } = {}): Promise<TestMember> {
    const email = `m-${unique()}@test.example`;
    const name = options.name ?? `Member ${unique()}`;
    const res = await this.asAdmin()
      .post('/api/department/members')
      .send({ name, email, password: 'member-password', ...(options.permissions && { permissions: options.permissions }), ...(options.isAdmin !== undefined && { isAdmin: options.isAdmin }) })
      .expect(201);
    const token = this.server.tokenFor(res.body.id, this.id);
    return { id: res.body.id, name, email, token, auth: `Bearer ${token}` };
  }

  /** A member with the defaults and `Dispatches_Manage`: creates dispatches, assigns and closes. */
  newDispatcher(options: { name?: string } = {}): Promise<TestMember> {
    return this.newMember({ ...options, permissions: [...MESSAGES_MEMBER_DEFAULTS, DispatchPermission.Manage] });
  }

  async newMembers(count: number, options: { permissions?: string[] } = {}): Promise<TestMember[]> {
    return Promise.all(Array.from({ length: count }, (_, i) => this.newMember({ ...options, name: `Member ${i + 1} ${unique()}` })));
  }

  private async newSet(path: string, name: string, members: { id: number }[]): Promise<number> {
    const created = await this.asAdmin().post(`/api/${path}`).send({ name }).expect(201);
    await this.asAdmin()
      .put(`/api/${path}/${created.body.id}/members`)
      .send({ userIds: members.map((m) => m.id) })
      .expect(200);
    return created.body.id;
  }

  newGroup = (name: string, members: { id: number }[] = []) => this.newSet('groups', name, members);
  newRole = (name: string, members: { id: number }[] = []) => this.newSet('roles', name, members);
  newShift = (name: string, members: { id: number }[] = []) => this.newSet('shifts', name, members);
  newZone = (name: string, members: { id: number }[] = []) => this.newSet('zones', name, members);

  async setCurrentZone(member: { id: number }, zoneId: number | null) {
    await this.asAdmin().patch(`/api/department/members/${member.id}`).send({ currentZoneId: zoneId }).expect(200);
  }

  async switchMessages(enabled: boolean) {
    await this.asAdmin().put('/api/department/modules/messages').send({ enabled }).expect(200);
  }
}
