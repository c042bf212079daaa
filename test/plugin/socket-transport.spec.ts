import request from 'supertest';
import { startTestServer, type TestServer } from '../support/test-server';

/** The socket server as the messages module sets it up from its options, with no adapter installed by the host. */
describe("the messages module's socket server", () => {
  let server: TestServer;
  const allowed = 'https://console.department.example';
  const polling = '/socket.io/?EIO=4&transport=polling';

  beforeAll(async () => {
    server = await startTestServer({ CORS_ORIGINS: allowed });
  });
  afterAll(() => server?.close());

  it('lets the configured browser origins open a long-polling socket, and no other', async () => {
    const preflight = await request(server.baseUrl).options(polling).set('Origin', allowed).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(allowed);
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type');

    const open = await request(server.baseUrl).get(polling).set('Origin', allowed).expect(200);
    expect(open.headers['access-control-allow-origin']).toBe(allowed);
    expect(open.text).toContain('"sid"');

    const other = await request(server.baseUrl).get(polling).set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
