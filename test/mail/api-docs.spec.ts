import request from 'supertest';
import { startTestServer, type TestServer } from '../support/test-server';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}

/** Every department mail route says in /api/docs what it answers, with a schema that names each field. */
describe('mail routes in the API documentation', () => {
  let server: TestServer;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
  beforeAll(async () => {
    server = await startTestServer();
    doc = (await request(server.baseUrl).get('/api/docs-json').expect(200)).body;
  });
  afterAll(() => server?.close());

  const routes: [string, string, string, string[]][] = [
    ['post', '/api/messages', '201', ['id', 'recipientCount']],
    ['get', '/api/messages/inbox', '200', ['items', 'nextCursor']],
    ['get', '/api/messages/outbox', '200', ['items', 'nextCursor']],
    ['get', '/api/messages/unread/top', '200', ['count', 'items']],
    ['put', '/api/messages/read', '200', ['affected']],
    ['delete', '/api/messages/inbox', '200', ['affected']],
    ['delete', '/api/messages/outbox', '200', ['affected']],
    ['delete', '/api/messages/inbox/{id}', '200', ['affected']],
    ['delete', '/api/messages/outbox/{id}', '200', ['affected']],
    ['get', '/api/messages/{id}', '200', ['id', 'subject', 'body', 'recipients', 'recipientsNextCursor', 'responses', 'delivery']],
    ['get', '/api/messages/{id}/audit', '200', ['messageId', 'removals']],
    ['post', '/api/messages/{id}/response', '200', ['messageId', 'response', 'note', 'respondedAt']],
    ['post', '/api/messages/{id}/ack', '200', ['messageId', 'acknowledgedAt']],
    ['get', '/api/messages/{id}/recipients', '200', ['summary', 'items', 'nextCursor']],
  ];

  it.each(routes)('%s %s documents its %s response', (method, path, status, fields) => {
    const operation = doc.paths[path]?.[method];
    expect(operation).toBeDefined();
    const ref = operation.responses[status]?.content?.['application/json']?.schema?.$ref;
    expect(ref).toBeDefined();
    const schema = doc.components.schemas[ref!.replace('#/components/schemas/', '')];
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(fields));
  });
});
