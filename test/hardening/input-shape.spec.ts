import { Client } from 'pg';
import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, connectSocket, settle } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

/** `levels` objects inside each other, `leaf` at the bottom, as JSON text (built as text: no stack needed). */
const nested = (levels: number, leaf = '1') => `${'{"a":'.repeat(levels - 1)}{"a":${leaf}}${'}'.repeat(levels - 1)}`;
const LONE = '\uD800';

describe('input of a shape no route accepts', () => {
  let server: TestServer;
  let db: Client;
  let dept: TestDepartment;
  let other: TestDepartment;
  let sender: TestMember;
  let outsider: TestMember;
  let ids: { conversation: number; message: number; dispatch: number; zone: number; shift: number };
  let theirs: { conversation: number; message: number; dispatch: number; member: number; zone: number; shift: number };

  beforeAll(async () => {
    server = await startTestServer();
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    const setUp = async (d: TestDepartment) => {
      // The sender dispatches too, so the dispatch routes reach their validation.
      const [a, b, c] = await Promise.all([d.newDispatcher(), d.newMember(), d.newMember()]);
      const zone = await d.newZone('North', [a, b, c]);
      const conversation = (await d.as(a).post('/api/conversations').send({ title: 'Crew', memberIds: [b.id] }).expect(201)).body.id;
      const message = (await d.as(a).post('/api/messages').send({ subject: 'Drill', body: 'Tonight', type: 'poll', sendMode: 'specific', userIds: [b.id] }).expect(201)).body.id;
      const dispatch = (await d.as(a).post('/api/dispatches').send({ number: 'B-1', zoneId: zone, title: 'Fire' }).expect(201)).body.id;
      const shift = await d.newShift('A-shift', [b]);
      return { members: [a, b, c], ids: { conversation, message, dispatch, zone, shift } };
    };
    dept = await TestDepartment.create(server);
    other = await TestDepartment.create(server);
    const mine = await setUp(dept);
    const foreign = await setUp(other);
    [sender, , outsider] = mine.members;
    ids = mine.ids;
    theirs = { ...foreign.ids, member: foreign.members[0].id };
  });
  afterAll(async () => {
    closeAllSockets();
    await db?.end();
    await server?.close();
  });

  /** Row counts and digests of every table in the database. */
  async function everyTable(): Promise<Record<string, string>> {
    const { rows: tables } = await db.query<{ name: string }>(`select quote_ident(schemaname) || '.' || quote_ident(tablename) as name from pg_tables where schemaname = 'public' order by 1`);
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const { rows } = await db.query(`select count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as digest from ${name} x`);
      out[name] = `${rows[0].n}:${rows[0].digest}`;
    }
    return out;
  }

  async function send(method: string, path: string, raw: string, as?: TestMember) {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(as && { authorization: as.auth }) },
      body: raw,
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as { message?: string } | null };
  }

  const routes = () => [
    { name: 'log in (public)', method: 'POST', path: '/api/auth/login', as: undefined },
    { name: 'sign up (public)', method: 'POST', path: '/api/departments', as: undefined },
    { name: 'compose', method: 'POST', path: '/api/messages', as: sender },
    { name: 'post in a conversation', method: 'POST', path: `/api/conversations/${ids.conversation}/messages`, as: sender },
    { name: 'leave (a route without a body)', method: 'POST', path: `/api/conversations/${ids.conversation}/leave`, as: outsider },
  ];

  it.each([65, 3_000, 30_000])('refuses a body nested %i levels deep on every kind of route with 400, changing nothing', async (levels) => {
    const before = await everyTable();
    for (const route of routes()) {
      const res = await send(route.method, route.path, nested(levels), route.as);
      expect({ route: route.name, status: res.status, message: res.body?.message }).toEqual({
        route: route.name,
        status: 400,
        message: 'The request body is nested deeper than 64 levels',
      });
    }
    expect(await everyTable()).toEqual(before);
  });

  it('reads a body of exactly 64 levels, and refuses it for what it says', async () => {
    const res = await send('POST', '/api/messages', `{"subject":"Drill","body":"x","sendMode":"specific","userIds":[1],"extra":${nested(63)}}`, sender);
    expect(res.status).toBe(400);
    expect(res.body?.message).toMatch(/property extra should not exist$/);
  });

  it.each([
    ['a value', (lone: string) => `{"body":"hi ${lone} there"}`, 'body must be well-formed Unicode (it has a lone surrogate)'],
    ['a key', (lone: string) => `{"body":"hi","x${lone}":1}`, 'a key must be well-formed Unicode (it has a lone surrogate)'],
    ['a low surrogate alone', () => `{"body":"\\udc00 first"}`, 'body must be well-formed Unicode (it has a lone surrogate)'],
  ])('refuses a lone surrogate in %s with 400 naming it, changing nothing', async (_, raw, message) => {
    const before = await everyTable();
    const escaped = raw('\\ud800');
    const res = await send('POST', `/api/conversations/${ids.conversation}/messages`, escaped, sender);
    expect({ status: res.status, message: res.body?.message }).toEqual({ status: 400, message });
    expect(await everyTable()).toEqual(before);
  });

  it('refuses lone surrogates on public routes too', async () => {
    const login = await send('POST', '/api/auth/login', `{"email":"a\\ud800@test.example","password":"x"}`);
    expect({ status: login.status, message: login.body?.message }).toEqual({ status: 400, message: 'email must be well-formed Unicode (it has a lone surrogate)' });
    const signUp = await send('POST', '/api/departments', `{"name":"D\\udfff","admin":{"name":"A","email":"s@test.example","password":"password-123"}}`);
    expect({ status: signUp.status, message: signUp.body?.message }).toEqual({ status: 400, message: 'name must be well-formed Unicode (it has a lone surrogate)' });
    // A route that takes no body refuses one all the same.
    const leave = await send('POST', `/api/conversations/${ids.conversation}/leave`, `{"x\\ud800":1}`, sender);
    expect({ status: leave.status, message: leave.body?.message }).toEqual({ status: 400, message: 'a key must be well-formed Unicode (it has a lone surrogate)' });
    // A surrogate pair is fine: the text is well formed.
    const pair = await send('POST', `/api/conversations/${ids.conversation}/messages`, `{"body":"engine \\ud83d\\ude92"}`, sender);
    expect(pair.status).toBe(201);
  });

  it('refuses a socket event with a lone surrogate or deep nesting, naming the problem', async () => {
    const socket = await connectSocket(server.baseUrl, sender.token);
    // Connecting hands over pending invitations: the state to keep is the one after that.
    await settle(500);
    const before = await everyTable();
    const ack = (payload: unknown) => socket.timeout(5000).emitWithAck('conversation:send', payload as never);

    expect(await ack({ conversationId: ids.conversation, body: `hi ${LONE}`, clientId: 'c1' })).toEqual({
      ok: false,
      error: { statusCode: 400, message: 'body must be well-formed Unicode (it has a lone surrogate)' },
    });
    expect(await ack({ conversationId: ids.conversation, body: 'hi', clientId: 'c2', [`k${LONE}`]: 1 })).toEqual({
      ok: false,
      error: { statusCode: 400, message: 'a key must be well-formed Unicode (it has a lone surrogate)' },
    });
    expect(await ack({ conversationId: ids.conversation, body: 'hi', clientId: 'c3', deep: JSON.parse(nested(200)) })).toEqual({
      ok: false,
      error: { statusCode: 400, message: expect.stringMatching(/nested deeper than 64 levels$/) },
    });
    expect(await everyTable()).toEqual(before);
    socket.disconnect();
  });

  describe('path ids are resolved before the body is read', () => {
    const badBody = '{"nonsense": true}';

    it.each([
      ["another department's conversation", () => `/api/conversations/${theirs.conversation}/messages`, 'Conversation'],
      ['a conversation the caller is not in', () => `/api/conversations/${ids.conversation}/messages`, 'Conversation'],
      ['an invitation into a conversation the caller is not in', () => `/api/conversations/${ids.conversation}/invite`, 'Conversation'],
      ['marking read a conversation the caller is not in', () => `/api/conversations/${ids.conversation}/read`, 'Conversation'],
      ['an answer to a message the caller did not receive', () => `/api/messages/${ids.message}/response`, 'Message'],
      ["an answer to another department's message", () => `/api/messages/${theirs.message}/response`, 'Message'],
      ["a comment on another department's dispatch", () => `/api/dispatches/${theirs.dispatch}/comment`, 'Dispatch'],
    ])('%s answers 404, not 400 about the body', async (_, path, what) => {
      const res = await send('POST', path(), badBody, outsider);
      expect({ status: res.status, message: res.body?.message }).toEqual({ status: 404, message: expect.stringMatching(new RegExp(`^${what} \\d+ not found$`)) });
    });

    it("a task on another department's dispatch answers a dispatcher 404, not 400 about the body", async () => {
      const res = await send('POST', `/api/dispatches/${theirs.dispatch}/tasks`, badBody, sender);
      expect({ status: res.status, message: res.body?.message }).toEqual({ status: 404, message: expect.stringMatching(/^Dispatch \d+ not found$/) });
    });

    it("another department's member answers an admin 404, not 400 about the body", async () => {
      const res = await send('PATCH', `/api/department/members/${theirs.member}`, badBody, dept.admin);
      expect({ status: res.status, message: res.body?.message }).toEqual({ status: 404, message: `Member ${theirs.member} not found` });
    });

    type SetIds = { zone: number; shift: number };
    it.each([
      ['zone members', 'PUT', (of: SetIds) => `/api/zones/${of.zone}/members`, 'Zone'],
      ['shift members', 'PUT', (of: SetIds) => `/api/shifts/${of.shift}/members`, 'Shift'],
      ['shift schedule', 'PUT', (of: SetIds) => `/api/shifts/${of.shift}/schedule`, 'Shift'],
    ] as const)("another department's %s answers an admin 404, not 400 about the body", async (_, method, path, what) => {
      const res = await send(method, path(theirs), badBody, dept.admin);
      expect({ status: res.status, message: res.body?.message }).toEqual({ status: 404, message: expect.stringMatching(new RegExp(`^${what} \\d+ not found$`)) });
      // The admin's own set gets its body validated.
      expect((await send(method, path(ids), badBody, dept.admin)).status).toBe(400);
    });

    it('a path id the caller may see gets the body validated: 400 naming the field', async () => {
      const res = await send('POST', `/api/conversations/${ids.conversation}/messages`, badBody, sender);
      expect(res.status).toBe(400);
      expect(res.body?.message).toMatch(/nonsense should not exist/);
      const malformedId = await send('POST', '/api/conversations/0x1/messages', badBody, sender);
      expect({ status: malformedId.status, message: malformedId.body?.message }).toEqual({ status: 400, message: 'id must be a positive integer' });
    });
  });
});
