import { TestDepartment } from '../support/factories';
import { closeAllSockets, connectSocket, settle, type MessagesClient } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

const PER_USER = 3;

/** What the server said when it refused a handshake, or "connected". */
const outcome = (baseUrl: string, token: string) =>
  connectSocket(baseUrl, token).then(
    (socket) => ({ socket, result: 'connected' as const }),
    (error: Error & { data?: { statusCode: number } }) => ({ socket: null, result: `${error.data?.statusCode} ${error.message}` }),
  );

describe('sockets one member may open', () => {
  let server: TestServer;
  let second: TestServer;
  let dept: TestDepartment;

  beforeAll(async () => {
    server = await startTestServer({ SOCKETS_PER_USER: String(PER_USER) });
    second = await startTestServer({ SOCKETS_PER_USER: String(PER_USER) }, server.databaseUrl);
    dept = await TestDepartment.create(server);
  });
  afterAll(async () => {
    closeAllSockets();
    await second?.app.close();
    await server?.close();
  });

  it(`admits ${PER_USER} sockets of one member and refuses the next with 429, until one closes`, async () => {
    const [member, other] = await dept.newMembers(2);
    const open: MessagesClient[] = [];
    for (let i = 0; i < PER_USER; i++) open.push(await connectSocket(server.baseUrl, member.token));

    expect((await outcome(server.baseUrl, member.token)).result).toBe(`429 You have ${PER_USER} connections open already; close one to open another`);
    // Another member is not held back by this one.
    expect((await outcome(server.baseUrl, other.token)).result).toBe('connected');

    open[0].disconnect();
    await settle(300);
    expect((await outcome(server.baseUrl, member.token)).result).toBe('connected');
  });

  it('lets no more than the cap through a burst of parallel handshakes', async () => {
    const [member] = await dept.newMembers(1);
    const results = await Promise.all(Array.from({ length: 12 }, () => outcome(server.baseUrl, member.token)));

    expect(results.filter((r) => r.result === 'connected')).toHaveLength(PER_USER);
    expect(new Set(results.filter((r) => r.result !== 'connected').map((r) => r.result))).toEqual(
      new Set([`429 You have ${PER_USER} connections open already; close one to open another`]),
    );
  });

  it('counts the sockets a member has on every process', async () => {
    const [member] = await dept.newMembers(1);
    await connectSocket(server.baseUrl, member.token);
    await connectSocket(server.baseUrl, member.token);
    await connectSocket(second.baseUrl, member.token);
    // Each process records its sockets as they connect; give the last record a moment.
    await settle(300);

    expect((await outcome(second.baseUrl, member.token)).result).toMatch(/^429 /);
    expect((await outcome(server.baseUrl, member.token)).result).toMatch(/^429 /);
  });
});

describe('socket handshakes from one address', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT: 'on', SOCKET_HANDSHAKES_PER_MINUTE: '5' });
  });
  afterAll(async () => {
    closeAllSockets();
    await server?.close();
  });

  it('counts each handshake, a refused one too, and past the limit refuses even a valid token with 429', async () => {
    const dept = await TestDepartment.create(server);
    const [member] = await dept.newMembers(1);

    const results: string[] = [];
    for (let i = 0; i < 4; i++) results.push((await outcome(server.baseUrl, `guess-${i}`)).result);
    results.push((await outcome(server.baseUrl, member.token)).result);
    results.push((await outcome(server.baseUrl, member.token)).result);

    expect(results).toEqual([
      ...Array.from({ length: 4 }, () => '401 A valid access token is required'),
      'connected',
      expect.stringMatching(/^429 Too many connection attempts from your address; try again in \d+ s$/),
    ]);
  });
});
