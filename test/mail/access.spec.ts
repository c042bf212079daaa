import { TestDepartment, type TestMember } from '../support/factories';
import { listRoutes } from '../support/routes';
import { startTestServer, type TestServer } from '../support/test-server';
import { sendOk } from './mail-support';
import { MessagesPermission } from '../../src/messages/messages.permissions';

const MESSAGE_POLICIES = [MessagesPermission.View, MessagesPermission.Create, MessagesPermission.Delete, MessagesPermission.MassText];

type Method = 'get' | 'post' | 'put' | 'delete';
interface MailRoute {
  method: Method;
  /** As declared, for matching the route list. */
  declared: string;
  policy: string;
  /** What else the route needs beside `policy`, where it needs more. */
  alsoNeeds?: string;
  url: (id: number) => string;
  body?: Record<string, unknown>;
}

const ROUTES: MailRoute[] = [
  { method: 'post', declared: '/api/messages', policy: MessagesPermission.Create, alsoNeeds: MessagesPermission.View, url: () => '/api/messages', body: { subject: 's', body: 'b', sendMode: 'all' } },
  { method: 'get', declared: '/api/messages/inbox', policy: MessagesPermission.View, url: () => '/api/messages/inbox' },
  { method: 'get', declared: '/api/messages/outbox', policy: MessagesPermission.View, url: () => '/api/messages/outbox' },
  { method: 'get', declared: '/api/messages/unread/top', policy: MessagesPermission.View, url: () => '/api/messages/unread/top' },
  { method: 'get', declared: '/api/messages/:id', policy: MessagesPermission.View, url: (id) => `/api/messages/${id}` },
  { method: 'post', declared: '/api/messages/:id/response', policy: MessagesPermission.View, url: (id) => `/api/messages/${id}/response`, body: { response: 'yes' } },
  { method: 'delete', declared: '/api/messages/inbox/:id', policy: MessagesPermission.Delete, url: (id) => `/api/messages/inbox/${id}` },
  { method: 'delete', declared: '/api/messages/outbox/:id', policy: MessagesPermission.Delete, url: (id) => `/api/messages/outbox/${id}` },
  { method: 'delete', declared: '/api/messages/inbox', policy: MessagesPermission.Delete, url: (id) => `/api/messages/inbox?ids=${id}` },
  { method: 'delete', declared: '/api/messages/outbox', policy: MessagesPermission.Delete, url: (id) => `/api/messages/outbox?ids=${id}` },
  { method: 'put', declared: '/api/messages/read', policy: MessagesPermission.View, url: (id) => `/api/messages/read?ids=${id}` },
  { method: 'post', declared: '/api/messages/:id/ack', policy: MessagesPermission.View, url: (id) => `/api/messages/${id}/ack` },
  { method: 'get', declared: '/api/messages/:id/recipients', policy: MessagesPermission.View, url: (id) => `/api/messages/${id}/recipients` },
];

describe('who may use department mail', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const call = (dept: TestDepartment, member: TestMember, route: MailRoute, id: number) => {
    const req = dept.as(member)[route.method](route.url(id));
    return route.body ? req.send(route.body) : req;
  };

  it('covers every mail route in these checks', () => {
    const declared = listRoutes(server.app)
      // Admin-only routes (the removal audit) have their own checks in test/hardening; the emailed
      // acknowledgement link is authorised by its signed token alone (test/urgent/urgent-email.spec.ts).
      .filter((r) => r.path.startsWith('/api/messages') && r.access !== 'admin' && r.access !== 'public')
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(ROUTES.map((r) => `${r.method.toUpperCase()} ${r.declared}`).sort()).toEqual(declared);
  });

  it('answers 401 without a token on every mail route', async () => {
    const dept = await TestDepartment.create(server);
    for (const route of ROUTES) {
      const req = dept.as({ auth: 'Bearer nonsense' } as TestMember)[route.method](route.url(1));
      const res = await (route.body ? req.send(route.body) : req);
      expect({ route: route.declared, status: res.status }).toEqual({ route: route.declared, status: 401 });
    }
  });

  it.each(ROUTES.map((r) => [`${r.method.toUpperCase()} ${r.declared}`, r] as const))(
    '%s refuses a member without its policy with 403, and lets one holding only what it needs through',
    async (_name, route) => {
      const dept = await TestDepartment.create(server);
      const without = await dept.newMember({ permissions: MESSAGE_POLICIES.filter((p) => p !== route.policy) });
      const only = await dept.newMember({ permissions: [route.policy, ...(route.alsoNeeds ? [route.alsoNeeds] : [])] });
      const id = await sendOk(dept, dept.admin, { sendMode: 'specific', userIds: [without.id, only.id] });
      const refused = await call(dept, without, route, id);
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe(`This needs the ${route.policy} permission`);
      const allowed = await call(dept, only, route, id);
      expect(allowed.status).not.toBe(403);
      expect(allowed.status).toBeLessThan(500);
    },
  );

  it('refuses every mail route with the exact message while the module is off, and serves again once it is on', async () => {
    const dept = await TestDepartment.create(server);
    const [member] = await dept.newMembers(1);
    const id = await sendOk(dept, dept.admin, { sendMode: 'specific', userIds: [member.id] });
    await dept.switchMessages(false);
    for (const who of [member, dept.admin]) {
      for (const route of ROUTES) {
        const res = await call(dept, who, route, id);
        expect({ route: route.declared, status: res.status }).toEqual({ route: route.declared, status: 403 });
        expect(res.body.message).toBe('The messages module is disabled for this department');
      }
    }
    await dept.switchMessages(true);
    await dept.as(member).get('/api/messages/inbox').expect(200);
  });
});
