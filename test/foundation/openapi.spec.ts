import request from 'supertest';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Path prefixes whose routes are not yet checked: the messages module's, until its routes
 * declare their response types. Empty it once they do; every route must then have one.
 */

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** "GET /api/department" for each operation whose 2xx answer has no schema (204 has no body, so none is needed). */
function routesWithoutSchema(paths: Record<string, Record<string, Operation>>): string[] {
  const lacking: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const success = Object.entries(operation.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
      const described =
        success.length > 0 && success.every(([status, response]) => status === '204' || Object.values(response.content ?? {}).some((media) => media.schema !== undefined));
      if (!described) lacking.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return lacking.sort();
}

describe('OpenAPI document', () => {
  let server: TestServer;
  let paths: Record<string, Record<string, Operation>>;

  beforeAll(async () => {
    server = await startTestServer();
    const res = await request(server.baseUrl).get('/api/docs-json').expect(200);
    paths = (res.body as { paths: Record<string, Record<string, Operation>> }).paths;
  });
  afterAll(() => server?.close());

  it('describes the answer of every route: a schema for each 2xx response with a body', () => {
    expect(routesWithoutSchema(paths)).toEqual([]);
  });

  it('lists the host routes it checks', () => {
    // A document that lost its routes would pass the check above with nothing in it.
    for (const path of ['/api/auth/login', '/api/department', '/api/department/members', '/api/groups', '/api/roles', '/api/shifts', '/api/zones', '/api/dispatches', '/api/health']) {
      expect(Object.keys(paths)).toContain(path);
    }
  });
});
