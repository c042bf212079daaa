import request from 'supertest';
import { TestDepartment } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
}
interface OpenApi {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
  components: { schemas: Record<string, Schema> };
}

/** The conversation, dispatch record, push, attachment and search routes. */
const OURS = /^\/api\/(conversations|push|attachments|search)\b|^\/api\/dispatches\/\{id\}\/(comment|conversation)$/;
/** Acknowledgements and delivery records belong to urgent messages, which describe their own answers. */
const URGENT = /\/(ack|delivery)$/;

describe('response descriptions in /api/docs', () => {
  let server: TestServer;
  let doc: OpenApi;
  beforeAll(async () => {
    server = await startTestServer();
    doc = (await request(server.baseUrl).get('/api/docs-json').expect(200)).body;
  }, 60_000);
  afterAll(() => server.close());

  const resolve = (schema: Schema): Schema => (schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!] : schema);

  it('describes the answer of every conversation, dispatch record, push, attachment and search route, and every list as { items, nextCursor }', () => {
    const routes = Object.entries(doc.paths)
      .filter(([path]) => OURS.test(path) && !URGENT.test(path))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const undescribed: string[] = [];
    for (const { route, op } of routes) {
      const success = Object.entries(op.responses).filter(([code]) => code.startsWith('2'));
      if (success.length === 0) {
        undescribed.push(route);
        continue;
      }
      for (const [code, response] of success) {
        if (code === '204') continue;
        const content = response.content && Object.values(response.content)[0];
        if (!content) {
          undescribed.push(`${route} ${code}`);
          continue;
        }
        const schema = resolve(content.schema);
        if (schema.type === 'string') continue; // a file
        if (!schema.properties || Object.keys(schema.properties).length === 0) undescribed.push(`${route} ${code}`);
        else if ('items' in schema.properties) expect({ route, keys: Object.keys(schema.properties) }).toEqual({ route, keys: expect.arrayContaining(['items', 'nextCursor']) });
      }
    }
    expect(undescribed).toEqual([]);
  });

  it('documents exactly the fields a conversation list and a history page carry', async () => {
    const dept = await TestDepartment.create(server);
    const [ann, bob] = await dept.newMembers(2);
    const direct = await dept.as(ann).post('/api/conversations/direct').send({ userId: bob.id }).expect(201);
    await dept.as(ann).post(`/api/conversations/${direct.body.id}/messages`).send({ body: 'Radio check' }).expect(201);
    const list = await dept.as(bob).get('/api/conversations').expect(200);
    const history = await dept.as(bob).get(`/api/conversations/${direct.body.id}/messages`).expect(200);

    const documented = (path: string) => {
      const schema = resolve(Object.values(doc.paths[path].get.responses['200'].content!)[0].schema);
      return schema;
    };
    const listSchema = documented('/api/conversations');
    expect(Object.keys(list.body).sort()).toEqual(Object.keys(listSchema.properties!).sort());
    const item = resolve(listSchema.properties!.items.items!);
    expect(Object.keys(list.body.items[0]).sort()).toEqual(Object.keys(item.properties!).sort());
    const historySchema = documented('/api/conversations/{id}/messages');
    expect(Object.keys(history.body).sort()).toEqual(Object.keys(historySchema.properties!).sort());
    const message = resolve(historySchema.properties!.items.items!);
    expect(Object.keys(history.body.items[0]).sort()).toEqual(Object.keys(message.properties!).sort());
  });
});
