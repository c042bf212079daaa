import { ACCESS_TABLE, permissionsMessage, moduleDisabledMessage, type AccessRule, type AccessTable } from '../../src/common/access';
import { DispatchPermission } from '../../src/dispatch/dispatch.permissions';
import { MESSAGES_MODULE, MessagesPermission } from '../../src/messages/messages.permissions';
import { SERVER_CATALOG } from '../../src/app.access';
import { TestDepartment, type TestMember } from '../support/factories';
import { listRoutes, type RouteDeclaration } from '../support/routes';
import { closeAllSockets, connectSocket } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

/** The victim objects each path parameter names, so a call that got past the rules would reach something real. */
interface World {
  dept: TestDepartment;
  ids: Record<string, number | string>;
  /** For each permission, a member holding every other one, who takes part in everything. */
  lacking: Map<string, TestMember>;
  plain: TestMember;
  conversationId: number;
}

async function buildWorld(server: TestServer): Promise<World> {
  const dept = await TestDepartment.create(server);
  const dispatcher = await dept.newDispatcher();
  const lacking = new Map<string, TestMember>();
  for (const permission of SERVER_CATALOG.permissions) {
    lacking.set(permission, await dept.newMember({ name: `Without ${permission}`, permissions: SERVER_CATALOG.permissions.filter((p) => p !== permission) }));
  }
  const plain = await dept.newMember({ name: 'Plain member' });
  const everyone = [dispatcher, plain, ...lacking.values()];
  const zoneId = await dept.newZone('North', everyone);
  const groupId = await dept.newGroup('Station 1', everyone);
  const roleId = await dept.newRole('EMT', everyone);
  const shiftId = await dept.newShift('A-shift', everyone);
  for (const m of everyone) await dept.setCurrentZone(m, zoneId);
  const message = await dept.as(dispatcher).post('/api/messages').send({ subject: 'Drill', body: 'Tonight', type: 'poll', sendMode: 'all' }).expect(201);
  const conversation = await dept
    .as(dispatcher)
    .post('/api/conversations')
    .send({ title: 'Crew', memberIds: everyone.filter((m) => m !== dispatcher).map((m) => m.id) })
    .expect(201);
  const dispatch = await dept.as(dispatcher).post('/api/dispatches').send({ number: 'T-1', zoneId, title: 'Fire' }).expect(201);
  const task = await dept.as(dispatcher).post(`/api/dispatches/${dispatch.body.id}/tasks`).send({ officerId: plain.id, description: 'Hose' }).expect(201);
  const massText = await dept.as(lacking.get(DispatchPermission.Manage)!).post('/api/conversations/mass-text').send({ body: 'Roll call', userIds: [plain.id] }).expect(201);
  const attachment = await dept.as(dispatcher).post('/api/attachments').attach('file', Buffer.from('Hydrant 12 is dry\n'), { filename: 'note.txt', contentType: 'text/plain' }).expect(201);
  return {
    dept,
    lacking,
    plain,
    conversationId: conversation.body.id,
    ids: {
      messages: message.body.id,
      conversations: conversation.body.id,
      dispatches: dispatch.body.id,
      groups: groupId,
      roles: roleId,
      shifts: shiftId,
      zones: zoneId,
      department: plain.id,
      taskId: task.body.id,
      attachments: attachment.body.id,
      'mass-texts': massText.body.massTextId,
      // The conversation's first message (its creation's system line).
      seq: 1,
      module: MESSAGES_MODULE,
    },
  };
}

/** The route's path with each parameter replaced by the world's object for it; a parameter without one fails the test. */
function urlOf(route: RouteDeclaration, world: World): string {
  return route.params.reduce((path, param) => {
    const key = param === 'id' ? route.path.split('/')[2] : param;
    const id = world.ids[key];
    if (id === undefined) throw new Error(`No object for :${param} of ${route.method} ${route.path}; add one to the world`);
    return path.replace(`:${param}`, String(id));
  }, route.path);
}

async function call(server: TestServer, member: TestMember, route: RouteDeclaration, world: World) {
  const res = await fetch(`${server.baseUrl}${urlOf(route, world)}`, { method: route.method, headers: { authorization: member.auth } });
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  return { status: res.status, message: body.message };
}

/**
 * Generated from the access table: every action that needs a permission, over HTTP and over the
 * socket, called by a member who holds everything else and takes part in the victim's objects.
 * A new table entry is covered here without anyone listing it.
 */
describe('the access table, action by action', () => {
  let server: TestServer;
  let table: AccessTable;
  let world: World;
  beforeAll(async () => {
    server = await startTestServer();
    table = server.app.get(ACCESS_TABLE);
    world = await buildWorld(server);
  }, 60_000);
  afterAll(async () => {
    closeAllSockets();
    await server.close();
  });

  const ruleOf = (route: RouteDeclaration): AccessRule => {
    if (!route.rule) throw new Error(`${route.method} ${route.path} is not in the access table`);
    return route.rule;
  };

  it('refuses each route with 403 naming the one permission the caller lacks', async () => {
    let calls = 0;
    for (const route of listRoutes(server.app)) {
      for (const permission of ruleOf(route).permissions ?? []) {
        const member = world.lacking.get(permission);
        if (!member) throw new Error(`${permission} is not in the catalog of grantable permissions`);
        const { status, message } = await call(server, member, route, world);
        calls++;
        const expected = ruleOf(route).orIf ? `${permissionsMessage([permission])}, or being ${ruleOf(route).orIf}` : permissionsMessage([permission]);
        expect(`${route.method} ${route.path} without ${permission}: ${status} ${message}`).toBe(`${route.method} ${route.path} without ${permission}: 403 ${expected}`);
      }
    }
    expect(calls).toBeGreaterThanOrEqual(35);
  });

  it('refuses each admin route to a member with 403', async () => {
    for (const route of listRoutes(server.app).filter((r) => ruleOf(r).admin)) {
      const { status, message } = await call(server, world.lacking.get(DispatchPermission.Manage)!, route, world);
      expect(`${route.method} ${route.path}: ${status} ${message}`).toBe(`${route.method} ${route.path}: 403 Only department admins may do this`);
    }
  });

  it('refuses each socket event with 403 naming the permission, at connect when staying connected needs it', async () => {
    const connectRule = table['socket connect'];
    const events = Object.entries(table).filter(([action]) => action.startsWith('socket ') && action !== 'socket connect');
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const [action, rule] of [['socket connect', connectRule] as const, ...events]) {
      const event = action.slice('socket '.length);
      for (const permission of rule.permissions ?? []) {
        const member = world.lacking.get(permission)!;
        if (connectRule.permissions?.includes(permission)) {
          const refused = await connectSocket(server.baseUrl, member.token).then(
            () => null,
            (error: Error & { data?: unknown }) => error,
          );
          expect({ action, permission, refused: refused?.data }).toEqual({ action, permission, refused: { statusCode: 403, message: permissionsMessage([permission]) } });
          continue;
        }
        const socket = await connectSocket(server.baseUrl, member.token);
        const ack = await socket
          .timeout(5_000)
          .emitWithAck(event as 'conversation:send', { conversationId: world.conversationId, body: 'without permission', clientId: `w-${permission}` });
        expect({ action, permission, ack }).toEqual({ action, permission, ack: { ok: false, error: { statusCode: 403, message: permissionsMessage([permission]) } } });
        socket.disconnect();
      }
    }
  });

  it('refuses every action of a switched-off module, to admins too, over HTTP and the socket', async () => {
    const dept = await TestDepartment.create(server);
    const offWorld = { ...world, dept };
    await dept.switchMessages(false);
    const inModule = listRoutes(server.app).filter((r) => ruleOf(r).module === MESSAGES_MODULE);
    expect(inModule.length).toBeGreaterThanOrEqual(25);
    for (const route of inModule) {
      const { status, message } = await call(server, dept.admin, route, offWorld);
      expect(`${route.method} ${route.path}: ${status} ${message}`).toBe(`${route.method} ${route.path}: 403 ${moduleDisabledMessage(MESSAGES_MODULE)}`);
    }
    const refused = await connectSocket(server.baseUrl, dept.admin.token).then(
      () => null,
      (error: Error & { data?: unknown }) => error,
    );
    expect(refused?.data).toEqual({ statusCode: 403, message: moduleDisabledMessage(MESSAGES_MODULE) });
  });

  it('lets the same members through where they hold what is needed, so the refusals above come from the rules', async () => {
    const withoutMassText = world.lacking.get(MessagesPermission.MassText)!;
    await world.dept.as(withoutMassText).get('/api/conversations').expect(200);
    await world.dept.as(withoutMassText).post(`/api/conversations/${world.conversationId}/messages`).send({ body: 'allowed' }).expect(201);
    const socket = await connectSocket(server.baseUrl, withoutMassText.token);
    const ack = await socket.timeout(5_000).emitWithAck('conversation:read', { conversationId: world.conversationId, seq: 1 });
    expect(ack.ok).toBe(true);
  });
});

describe('the permissions and modules an admin can hand out', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('grants the mounted modules’ permissions, refuses an unknown one with 400 naming it, and switches only known modules', async () => {
    const dept = await TestDepartment.create(server);
    const member = await dept.newMember();
    const roster = async () => (await dept.asAdmin().get('/api/department/members').expect(200)).body.find((m: { id: number }) => m.id === member.id);
    expect((await roster()).permissions.sort()).toEqual([MessagesPermission.Create, MessagesPermission.Delete, MessagesPermission.View]);

    const unknown = await dept.asAdmin().patch(`/api/department/members/${member.id}`).send({ permissions: [MessagesPermission.View, 'Dispatches_Everything'] }).expect(400);
    expect(unknown.body.message).toContain('permissions: Dispatches_Everything is not one of');
    expect((await roster()).permissions).toHaveLength(3);
    await dept.asAdmin().patch(`/api/department/members/${member.id}`).send({ permissions: [DispatchPermission.Manage] }).expect(200);
    expect((await roster()).permissions).toEqual([DispatchPermission.Manage]);

    const module = await dept.asAdmin().put('/api/department/modules/payroll').send({ enabled: false }).expect(404);
    expect(module.body.message).toBe('No module named payroll');
    expect((await dept.asAdmin().get('/api/department').expect(200)).body.modules).toEqual({ messages: true });
  });
});
