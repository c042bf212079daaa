import { Client } from 'pg';
import request from 'supertest';
import { TestDepartment } from '../support/factories';
import { createDatabase, startTestServer, type TestServer } from '../support/test-server';

describe('the migration that brings stored emails to their normalized form', () => {
  let database: { url: string; drop: () => Promise<void> };
  let server: TestServer | undefined;

  beforeAll(async () => {
    database = await createDatabase();
  });
  afterAll(async () => {
    await server?.app.close();
    await database?.drop();
  });

  it('normalizes each email, and of two that become the same keeps the oldest account and deactivates the other', async () => {
    server = await startTestServer({}, database.url);
    const dept = await TestDepartment.create(server);
    const [older, newer, plain] = (await dept.newMembers(3)).sort((a, b) => a.id - b.id);
    await server.app.close();
    server = undefined;

    // As a database from before the rule could hold them: unique only under PostgreSQL's lower().
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      await db.query('drop index members_email_unique');
      await db.query('create unique index members_email_unique on members (lower(email))');
      await db.query(`update members set email = $2 where id = $1`, [older.id, 'Ｄispatch@Station.example']);
      await db.query(`update members set email = $2 where id = $1`, [newer.id, 'dispatch@station.EXAMPLE']);
      await db.query(`delete from mikro_orm_migrations where name = 'Migration20261201000000_normalized_emails'`);

      server = await startTestServer({}, database.url);

      const { rows } = await db.query<{ id: number; email: string; active: boolean }>('select id, email, active from members where id = any($1) order by id', [
        [older.id, newer.id, plain.id],
      ]);
      expect(rows).toEqual([
        { id: older.id, email: 'dispatch@station.example', active: true },
        { id: newer.id, email: `dispatch@station.EXAMPLE#duplicate-of-dispatch@station.example#${newer.id}`, active: false },
        { id: plain.id, email: plain.email, active: true },
      ]);
    } finally {
      await db.end();
    }
    // The password is the older account's, whichever way the email is written.
    await request(server.baseUrl).post('/api/auth/login').send({ email: 'DISPATCH@station.example', password: 'member-password' }).expect(200);
    await request(server.baseUrl).post('/api/department/members').set('Authorization', dept.admin.auth).send({ name: 'Again', email: 'Dispatch@Station.Example', password: 'member-password' }).expect(409);
  });
});
