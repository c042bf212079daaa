import { createECDH, createHash, randomBytes, randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import webpush from 'web-push';
import { SERVER_CATALOG } from '../../src/app.access';
import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, connectSocket, settle, type MessagesClient } from '../support/sockets';
import { listRoutes, type RouteDeclaration } from '../support/routes';
import { startTestServer, TEST_JWT_SECRET, type TestServer } from '../support/test-server';
import { MessagesPermission } from '../../src/messages/messages.permissions';

const tag = () => randomBytes(5).toString('hex');

/** A token signed as the server signs them (same key id scheme), with the claims given. */
function signRaw(claims: object, secret = TEST_JWT_SECRET): string {
  const kid = createHash('sha256').update(secret).digest('base64url').slice(0, 12);
  return new JwtService({}).sign(claims, { secret, algorithm: 'HS256', keyid: kid });
}

interface Caller {
  name: string;
  auth?: string;
  member?: TestMember;
  /** How far this caller gets: not at all, another department, or the victim's own department. */
  reach: 'none' | 'other-department' | 'same-department';
}

interface Call {
  caller: string;
  route: string;
  status: number;
  body: string;
}

/**
 * Every route the router knows, called on the victim department's ids by callers who must not
 * get its data: no token, an expired, endless or forged token, another department's admin, a
 * member without the route's permissions, and a member of the department who takes no part in
 * the thing. After every call the victim's state (mail, read state and answers, outbox,
 * conversation and its members, dispatch, roster, sets, devices, sessions) is read back and
 * must be as it was.
 */
describe('authorization matrix', () => {
  let server: TestServer;
  beforeAll(async () => {
    // With push configured, so its routes answer as in production.
    const keys = webpush.generateVAPIDKeys();
    server = await startTestServer({ VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey, PUSH_WORKERS: 'off' });
  });
  afterAll(async () => {
    closeAllSockets();
    await server.close();
  });

  it('gives no caller 2xx with data that is not theirs, and never 5xx, on any route', async () => {
    const t = tag();
    // Strings that identify the victim's data: private ones only its participants may see,
    // department-wide ones any member of that department may see.
    const privateMarkers = {
      subject: `SecretSubject${t}`,
      body: `SecretBody${t}`,
      note: `SecretNote${t}`,
      conversation: `SecretRoom${t}`,
      chat: `SecretChat${t}`,
    };
    const departmentMarkers = {
      department: `VictimDept${t}`,
      dispatch: `VictimDispatch${t}`,
      group: `VictimGroup${t}`,
      member: `VictimMember${t}`,
      zone: `VictimZone${t}`,
    };

    const victim = await TestDepartment.create(server, departmentMarkers.department);
    // The sender dispatches too: every permission there is.
    const sender = await victim.newMember({ name: `${departmentMarkers.member} Sender`, permissions: [...SERVER_CATALOG.permissions] });
    const recipient = await victim.newMember({ name: `${departmentMarkers.member} Recipient` });
    const bystander = await victim.newMember({ name: `${departmentMarkers.member} Bystander` });
    const powerless = await victim.newMember({ name: `${departmentMarkers.member} Powerless`, permissions: [] });
    const departed = await victim.newMember({ name: `${departmentMarkers.member} Departed` });
    await victim.asAdmin().patch(`/api/department/members/${departed.id}`).send({ active: false }).expect(200);
    const groupId = await victim.newGroup(departmentMarkers.group, [sender, recipient]);
    const roleId = await victim.newRole(`${departmentMarkers.group}Role`, [recipient]);
    const shiftId = await victim.newShift(`${departmentMarkers.group}Shift`, [recipient]);
    const zoneId = await victim.newZone(departmentMarkers.zone, [sender, recipient, bystander, powerless]);
    for (const m of [sender, recipient, bystander, powerless]) await victim.setCurrentZone(m, zoneId);

    const sent = await victim
      .as(sender)
      .post('/api/messages')
      .send({ subject: privateMarkers.subject, body: `<p>${privateMarkers.body}</p>`, type: 'poll', sendMode: 'specific', userIds: [recipient.id] })
      .expect(201);
    const messageId: number = sent.body.id;
    await victim.as(recipient).post(`/api/messages/${messageId}/response`).send({ response: 'yes', note: privateMarkers.note }).expect(200);
    const opened = await victim.as(sender).post('/api/conversations').send({ title: privateMarkers.conversation, memberIds: [recipient.id] }).expect(201);
    const conversationId: number = opened.body.id;
    const chat = await victim.as(sender).post(`/api/conversations/${conversationId}/messages`).send({ body: privateMarkers.chat }).expect(201);
    const chatSeq: number = chat.body.seq;
    const upload = await victim.as(sender).post('/api/attachments').attach('file', Buffer.from(privateMarkers.chat), 'note.txt').expect(201);
    const attachmentId: number = upload.body.id;
    await victim.as(sender).post(`/api/conversations/${conversationId}/messages`).send({ body: 'See the note', attachmentIds: [attachmentId] }).expect(201);
    const dispatch = await victim.as(sender).post('/api/dispatches').send({ number: `V-${t}`, zoneId, title: departmentMarkers.dispatch }).expect(201);
    const dispatchId: number = dispatch.body.id;
    const task = await victim.as(sender).post(`/api/dispatches/${dispatchId}/tasks`).send({ officerId: recipient.id, description: departmentMarkers.dispatch }).expect(201);
    const taskId: number = task.body.id;

    const attackers = await TestDepartment.create(server, `Attackers ${t}`);
    const now = Math.floor(Date.now() / 1000);
    const callers: Caller[] = [
      { name: 'no token', reach: 'none' },
      { name: 'expired token', auth: `Bearer ${signRaw({ sub: victim.admin.id, dept: victim.id, sv: 0, jti: randomUUID(), iat: now - 7200, exp: now - 3600 })}`, reach: 'none' },
      { name: 'token without an expiry', auth: `Bearer ${signRaw({ sub: victim.admin.id, dept: victim.id, sv: 0, jti: randomUUID(), iat: now })}`, reach: 'none' },
      {
        name: 'token signed with another secret',
        auth: `Bearer ${signRaw({ sub: victim.admin.id, dept: victim.id, sv: 0, jti: randomUUID(), iat: now, exp: now + 600 }, `${TEST_JWT_SECRET}-but-not-quite`)}`,
        reach: 'none',
      },
      { name: 'token of a deactivated member', auth: departed.auth, reach: 'none' },
      {
        name: "token naming a member with another department's id",
        auth: `Bearer ${signRaw({ sub: sender.id, dept: attackers.id, sv: 0, jti: randomUUID(), iat: now, exp: now + 600 })}`,
        reach: 'none',
      },
      { name: "another department's admin", auth: attackers.admin.auth, member: attackers.admin, reach: 'other-department' },
      { name: 'a member without any policy', auth: powerless.auth, member: powerless, reach: 'same-department' },
      { name: 'a member who takes no part', auth: bystander.auth, member: bystander, reach: 'same-department' },
    ];

    // The victim's object for each resource a path names; a route on a new resource fails here
    // until it is given one, so it cannot slip past the matrix.
    const idFor = (route: RouteDeclaration, param: string): number | string => {
      if (param === 'taskId') return taskId;
      if (param === 'module') return 'messages';
      // The victim's conversation message; acknowledging or editing it is the conversation's route.
      if (param === 'seq') return chatSeq;
      const resource = route.path.split('/')[2];
      const ids: Record<string, number> = {
        messages: messageId,
        conversations: conversationId,
        dispatches: dispatchId,
        groups: groupId,
        roles: roleId,
        shifts: shiftId,
        zones: zoneId,
        department: recipient.id,
        attachments: attachmentId,
      };
      if (param !== 'id' || ids[resource] === undefined) throw new Error(`No victim object for :${param} of ${route.method} ${route.path}`);
      return ids[resource];
    };

    // Bodies and queries that would succeed for the victim's own members, so a refusal comes
    // from access rules and not from validation.
    // A real P-256 point and secret, so the route's access rule is reached and not a 400 about the key.
    const subscription = (endpoint = `https://push.example/send/${tag()}`) => {
      const device = createECDH('prime256v1');
      device.generateKeys();
      return { endpoint, keys: { p256dh: device.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } };
    };
    const victimEndpoint = `https://push.example/send/victim-${tag()}`;
    await victim.as(recipient).post('/api/push/subscriptions').send(subscription(victimEndpoint)).expect(201);
    const requestFor = (key: string, caller: Caller): { body?: unknown; query?: string } => {
      const self = caller.member?.id ?? sender.id;
      switch (key) {
        case 'POST /api/auth/login':
          return { body: { email: sender.email, password: 'not-the-password' } };
        case 'POST /api/departments':
          return { body: { name: `Dept ${tag()}`, admin: { name: 'A', email: `a-${tag()}@test.example`, password: 'password-123' } } };
        case 'PUT /api/department/modules/messages':
          return { body: { enabled: true } };
        case 'POST /api/department/members':
          return { body: { name: 'New', email: `n-${tag()}@test.example`, password: 'password-123' } };
        case 'PATCH /api/department/members/:id':
          return { body: { permissions: [MessagesPermission.View, MessagesPermission.Create, MessagesPermission.Delete, MessagesPermission.MassText], isAdmin: true } };
        case 'POST /api/groups':
        case 'POST /api/roles':
        case 'POST /api/shifts':
        case 'POST /api/zones':
          return { body: { name: `Set ${tag()}` } };
        case 'PUT /api/shifts/:id/schedule':
          return { body: { startTime: '07:00', lengthHours: 24, onDays: 1, offDays: 2, anchorDate: '2026-01-01' } };
        case 'PUT /api/groups/:id/members':
        case 'PUT /api/roles/:id/members':
        case 'PUT /api/shifts/:id/members':
        case 'PUT /api/zones/:id/members':
          return { body: { userIds: [self] } };
        case 'POST /api/dispatches':
          return { body: { number: `A-${tag()}`, zoneId, title: 'Intrusion' } };
        case 'POST /api/dispatches/:id/tasks':
          return { body: { officerId: self, description: 'Intrusion' } };
        case 'POST /api/messages':
          return { body: { subject: 'Intrusion', body: 'x', sendMode: 'specific', userIds: [recipient.id] } };
        case 'POST /api/messages/:id/response':
          return { body: { response: 'no', note: 'Intrusion' } };
        case 'PUT /api/messages/read':
        case 'DELETE /api/messages/inbox':
        case 'DELETE /api/messages/outbox':
          return { query: `ids=${messageId}` };
        case 'GET /api/messages/inbox':
          return { query: 'unread=false&limit=100' };
        case 'GET /api/conversations/:id/messages':
          return { query: 'after=0' };
        case 'GET /api/search':
          // The victim's own words: nobody else may find them.
          return { query: `q=${privateMarkers.chat} or ${privateMarkers.subject}&limit=50` };
        case 'POST /api/conversations':
          return { body: { title: 'Intrusion', memberIds: [recipient.id] } };
        case 'POST /api/conversations/direct':
          return { body: { userId: recipient.id } };
        case 'POST /api/conversations/mass-text':
          return { body: { body: 'Intrusion', userIds: [recipient.id] } };
        case 'POST /api/conversations/:id/messages':
          return { body: { body: 'Intrusion' } };
        case 'POST /api/conversations/:id/invite':
          return { body: { userIds: [self] } };
        case 'POST /api/conversations/:id/read':
          return { body: { seq: 2 } };
        case 'PATCH /api/conversations/:id/messages/:seq':
          return { body: { body: 'Intrusion' } };
        case 'PUT /api/conversations/:id/notifications':
          return { body: { level: 'none' } };
        case 'POST /api/push/subscriptions':
          return { body: subscription() };
        case 'DELETE /api/push/subscriptions':
          return { body: { endpoint: victimEndpoint } };
        case 'PUT /api/department/members/:id/password':
          return { body: { password: 'taken-over-password' } };
        case 'POST /api/auth/password':
          return { body: { currentPassword: 'not-the-password', newPassword: 'taken-over-password' } };
        default:
          return {};
      }
    };

    // Logout ends the caller's own token: last, so every other route is tried with it first.
    const routes = listRoutes(server.app).sort((a, b) => Number(a.path === '/api/auth/logout') - Number(b.path === '/api/auth/logout'));

    // What the victim's people hold, read back after every call: a refused call, or one that
    // answered 2xx on someone else's ids, must leave all of it as it was.
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    // The people whose things are attacked (the callers' own sessions and devices are theirs to change).
    const victims = [sender, recipient, departed, victim.admin].map((m) => m.id);
    const victimState = async () => {
      const read = async (as: TestMember, url: string) => (await victim.as(as).get(url).expect(200)).body;
      const [message, outbox, inbox, conversation, history, recipientList, dispatchNow, dispatchList, roster, department, ...sets] = await Promise.all([
        read(sender, `/api/messages/${messageId}`),
        read(sender, '/api/messages/outbox?limit=100'),
        read(recipient, '/api/messages/inbox?limit=100'),
        read(sender, `/api/conversations/${conversationId}`),
        read(recipient, `/api/conversations/${conversationId}/messages?after=0&limit=100`),
        read(recipient, '/api/conversations'),
        read(victim.admin, `/api/dispatches/${dispatchId}`),
        read(victim.admin, '/api/dispatches?limit=100'),
        read(victim.admin, '/api/department/members'),
        read(victim.admin, '/api/department'),
        ...['groups', 'roles', 'shifts', 'zones'].map((path) => read(victim.admin, `/api/${path}`)),
      ]);
      const { rows: devices } = await db.query('select user_id, endpoint, p256dh, auth from push_subscriptions where user_id = any($1) order by endpoint', [victims]);
      const { rows: sessions } = await db.query(
        `select m.id, m.session_version, m.password_hash, (select count(*) from revoked_tokens r where r.member_id = m.id) as revoked
           from members m where m.id = any($1) order by m.id`,
        [victims],
      );
      return JSON.stringify({
        message,
        outbox: outbox.items.find((i: { id: number }) => i.id === messageId),
        inbox: inbox.items.find((i: { id: number }) => i.id === messageId),
        conversation,
        history,
        recipientView: recipientList.items.find((c: { id: number }) => c.id === conversationId),
        dispatch: dispatchNow,
        dispatches: dispatchList.items.map((d: { id: number }) => d.id),
        roster,
        department,
        sets,
        devices,
        sessions,
      });
    };
    let baseline = await victimState();
    // The state read can see a change: the victim's own recipient answering differently shows in it.
    await victim.as(recipient).post(`/api/messages/${messageId}/response`).send({ response: 'no' }).expect(200);
    expect(await victimState()).not.toEqual(baseline);
    await victim.as(recipient).post(`/api/messages/${messageId}/response`).send({ response: 'yes', note: privateMarkers.note }).expect(200);
    baseline = await victimState();
    const calls: Call[] = [];
    const call = async (caller: Caller, route: RouteDeclaration): Promise<Call> => {
      const key = `${route.method} ${route.path}`;
      const url = route.params.reduce((p, param) => p.replace(`:${param}`, String(idFor(route, param))), route.path);
      const { body, query } = requestFor(key, caller);
      const headers: Record<string, string> = {};
      if (caller.auth) headers.authorization = caller.auth;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${server.baseUrl}${url}${query ? `?${query}` : ''}`, {
        method: route.method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const made = { caller: caller.name, route: key, status: res.status, body: await res.text() };
      calls.push(made);
      return made;
    };

    const problems: string[] = [];
    const leaked = (made: Call, markers: Record<string, string>) => Object.values(markers).filter((m) => made.body.includes(m));
    const check = (caller: Caller, route: RouteDeclaration, made: Call) => {
      const at = `${made.caller} -> ${made.route}: ${made.status}`;
      if (made.status >= 500) problems.push(`${at} (server error) ${made.body.slice(0, 200)}`);
      if (route.access === 'public') {
        const seen = leaked(made, { ...privateMarkers, ...departmentMarkers });
        if (seen.length) problems.push(`${at} shows ${seen.join(', ')}`);
        return;
      }
      if (caller.reach === 'none') {
        if (made.status !== 401) problems.push(`${at}, expected 401`);
        return;
      }
      const mustNotSee = caller.reach === 'other-department' ? { ...privateMarkers, ...departmentMarkers } : privateMarkers;
      const seen = made.status < 300 ? leaked(made, mustNotSee) : [];
      if (seen.length) problems.push(`${at} shows ${seen.join(', ')}`);
      if (caller.member === powerless && route.rule?.permissions?.length && made.status !== 403) problems.push(`${at}, expected 403`);
      if (caller.reach === 'same-department' && route.access === 'admin' && made.status !== 403) problems.push(`${at}, expected 403`);
      // Another department's ids behave as if they did not exist.
      if (caller.reach === 'other-department' && route.params.length && made.status < 300) problems.push(`${at} on the victim's id`);
    };

    for (const caller of callers) {
      for (const route of routes) {
        check(caller, route, await call(caller, route));
        const now = await victimState();
        if (now !== baseline) {
          problems.push(`${caller.name} -> ${route.method} ${route.path} changed the victim's state`);
          baseline = now;
        }
      }
    }
    await db.end();

    // The leak check can see: the victim's own participants get these very markers back.
    const own = await victim.as(sender).get(`/api/messages/${messageId}`).expect(200);
    expect(JSON.stringify(own.body)).toContain(privateMarkers.note);
    const history = await victim.as(recipient).get(`/api/conversations/${conversationId}/messages?after=0`).expect(200);
    const found = await victim.as(recipient).get(`/api/search?q=${privateMarkers.chat}`).expect(200);
    expect(JSON.stringify(found.body)).toContain(privateMarkers.chat);
    expect(JSON.stringify(history.body)).toContain(privateMarkers.chat);
    // Nobody wrote into the victim's mail or conversation.
    expect(history.body.items ?? history.body).toEqual(expect.not.arrayContaining([expect.objectContaining({ body: 'Intrusion' })]));
    expect(own.body.recipients).toEqual([expect.objectContaining({ userId: recipient.id, response: 'yes', note: privateMarkers.note })]);
    const members = await victim.as(sender).get(`/api/conversations/${conversationId}`).expect(200);
    expect(members.body.members.map((m: { userId: number }) => m.userId).sort()).toEqual([sender.id, recipient.id].sort());
    const roster = await victim.asAdmin().get('/api/department/members').expect(200);
    expect(roster.body.find((m: { id: number }) => m.id === recipient.id)).toMatchObject({ isAdmin: false, permissions: [MessagesPermission.View, MessagesPermission.Create, MessagesPermission.Delete] });

    // The socket gateway is a way in too: the same callers on the victim's conversation.
    const listening: { caller: string; socket: MessagesClient; heard: unknown[] }[] = [];
    for (const caller of callers) {
      // The matrix ended with logout: a caller of its own comes back with a fresh token.
      const token = caller.member ? server.tokenFor(caller.member.id, caller.member === attackers.admin ? attackers.id : victim.id) : caller.auth?.slice('Bearer '.length);
      const connecting = connectSocket(server.baseUrl, token);
      if (caller.reach === 'none') {
        await expect(connecting).rejects.toThrow();
        continue;
      }
      if (caller.member === powerless) {
        await expect(connecting).rejects.toThrow('This needs the Messages_View permission');
        continue;
      }
      const socket = await connecting;
      const heard: unknown[] = [];
      socket.onAny((_event, payload) => heard.push(payload));
      listening.push({ caller: caller.name, socket, heard });
      const sendAck = await socket.emitWithAck('conversation:send', { conversationId, body: 'Intrusion', clientId: `i-${tag()}` });
      const readAck = await socket.emitWithAck('conversation:read', { conversationId, seq: 2 });
      for (const ack of [sendAck, readAck]) {
        calls.push({ caller: caller.name, route: 'socket', status: ack.ok ? 200 : ack.error.statusCode, body: JSON.stringify(ack) });
        if (ack.ok || ack.error.statusCode !== 404) problems.push(`${caller.name} -> socket on the victim's conversation: ${JSON.stringify(ack)}`);
      }
    }
    // A participant's socket, to show that what the others did not hear was said.
    const participant = await connectSocket(server.baseUrl, recipient.token);
    const participantHeard: unknown[] = [];
    participant.onAny((_event, payload) => participantHeard.push(payload));
    const later = `LaterChat${t}`;
    await victim.as(sender).post(`/api/conversations/${conversationId}/messages`).send({ body: later }).expect(201);
    await victim.as(sender).post('/api/messages').send({ subject: privateMarkers.subject, body: later, sendMode: 'specific', userIds: [recipient.id] }).expect(201);
    await settle(500);
    expect(JSON.stringify(participantHeard)).toContain(later);
    for (const { caller, heard } of listening) {
      const text = JSON.stringify(heard);
      for (const marker of [later, ...Object.values(privateMarkers)]) if (text.includes(marker)) problems.push(`${caller} heard ${marker} on its socket`);
    }

    const statuses = calls.reduce<Record<number, number>>((acc, c) => ({ ...acc, [c.status]: (acc[c.status] ?? 0) + 1 }), {});
    console.log(`authorization matrix: ${routes.length} routes, ${callers.length} callers, ${calls.length} calls; statuses ${JSON.stringify(statuses)}`);
    expect(problems).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(50);
  }, 300_000);
});
