import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startTestServer, type TestServer } from '../support/test-server';

describe('HTTP hygiene', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ CORS_ORIGINS: 'https://console.department.example' });
  });
  afterAll(() => server.close());

  it('sends security headers', async () => {
    const res = await request(server.baseUrl).get('/api/health').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    // Connections (the API, the socket) go to the server's own origin only, not to any ws: host.
    expect(res.headers['content-security-policy']).toMatch(/(^|;)connect-src 'self'(;|$)/);
    expect(res.headers['content-security-policy']).not.toMatch(/connect-src[^;]*(ws:|wss:|\*)/);
    expect(res.headers['strict-transport-security']).toBeDefined();
  });

  it('asks browsers to upgrade to https only for requests that came over TLS', async () => {
    const plain = await request(server.baseUrl).get('/api/health').expect(200);
    expect(plain.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    // Without TRUST_PROXY a forwarded protocol is the client's word, and changes nothing.
    const claimed = await request(server.baseUrl).get('/api/health').set('X-Forwarded-Proto', 'https').expect(200);
    expect(claimed.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('allows cross-origin calls only from the configured origins', async () => {
    const allowed = await request(server.baseUrl).options('/api/auth/login').set('Origin', 'https://console.department.example').set('Access-Control-Request-Method', 'POST');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://console.department.example');
    const other = await request(server.baseUrl).options('/api/auth/login').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses an oversized body with 413 and malformed JSON with 400', async () => {
    const huge = JSON.stringify({ email: 'a@b.example', password: 'x'.repeat(300 * 1024) });
    const tooBig = await request(server.baseUrl).post('/api/auth/login').set('Content-Type', 'application/json').send(huge);
    expect(tooBig.status).toBe(413);
    const broken = await request(server.baseUrl).post('/api/auth/login').set('Content-Type', 'application/json').send('{"email": ');
    expect(broken.status).toBe(400);
    expect(broken.body.statusCode).toBe(400);
  });

  it('serves the OpenAPI description', async () => {
    const res = await request(server.baseUrl).get('/api/docs-json').expect(200);
    expect(res.body.paths['/api/auth/login']).toBeDefined();
  });
});

describe('the web app’s source maps', () => {
  let webAppDir: string;
  beforeAll(() => {
    webAppDir = mkdtempSync(join(tmpdir(), 'web-app-'));
    mkdirSync(join(webAppDir, 'assets'));
    writeFileSync(join(webAppDir, 'index.html'), '<!doctype html><title>Messages</title>');
    writeFileSync(join(webAppDir, 'assets', 'app.js'), 'console.log(1);\n//# sourceMappingURL=app.js.map');
    writeFileSync(join(webAppDir, 'assets', 'app.js.map'), '{"version":3,"sources":["src/app.tsx"]}');
  });
  afterAll(() => rmSync(webAppDir, { recursive: true, force: true }));

  it.each([
    ['production', 404],
    ['development', 200],
  ] as const)('with NODE_ENV=%s answer %i, while the bundle is served', async (nodeEnv, status) => {
    const server = await startTestServer({ NODE_ENV: nodeEnv }, undefined, { webAppDir });
    try {
      await request(server.baseUrl).get('/assets/app.js').expect(200);
      await request(server.baseUrl).get('/assets/app.js.map').expect(status);
    } finally {
      await server.close();
    }
  });
});

describe('HTTP hygiene behind a TLS proxy', () => {
  let behind: TestServer;
  let always: TestServer;
  beforeAll(async () => {
    [behind, always] = await Promise.all([startTestServer({ TRUST_PROXY: '1' }), startTestServer({ CSP_UPGRADE_INSECURE_REQUESTS: 'on' })]);
  });
  afterAll(() => Promise.all([behind?.close(), always?.close()]));

  it('adds upgrade-insecure-requests when a trusted proxy says the request came over TLS, keeping the rest of the policy', async () => {
    const tls = await request(behind.baseUrl).get('/api/health').set('X-Forwarded-Proto', 'https').expect(200);
    expect(tls.headers['content-security-policy']).toContain("default-src 'self'");
    expect(tls.headers['content-security-policy']).toMatch(/;\s*upgrade-insecure-requests$/);
    const plain = await request(behind.baseUrl).get('/api/health').set('X-Forwarded-Proto', 'http').expect(200);
    expect(plain.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('adds it to every answer with CSP_UPGRADE_INSECURE_REQUESTS=on', async () => {
    const res = await request(always.baseUrl).get('/api/health').expect(200);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });
});
