import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { DepartmentDirectory, MessagesDatabase } from '../../src/messages';
import { TestDepartment } from '../support/factories';
import { eventually } from '../support/push-service';
import { startTestServer, type TestServer } from '../support/test-server';

const APPLICATION_NAME = `shared-pool-${process.pid}`;

describe("the host's one database pool, as the messages module uses it", () => {
  let server: TestServer;
  let admin: Client;

  beforeAll(async () => {
    server = await startTestServer({ DATABASE_APPLICATION_NAME: APPLICATION_NAME });
    admin = new Client({ connectionString: server.databaseUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await server?.close();
  });

  it('lets a directory read join the caller’s transaction: it sees the transaction’s own writes, others do not', async () => {
    const dept = await TestDepartment.create(server);
    const [member] = await dept.newMembers(1);
    const database = server.app.get(MessagesDatabase);
    const directory = server.app.get(DepartmentDirectory);
    const seen = await database.transaction(async (tx) => {
      await tx.query('update members set name = $1 where id = $2', ['Renamed Inside', member.id]);
      const [inside] = await directory.members(dept.id, [member.id], tx);
      const [outside] = await directory.members(dept.id, [member.id]);
      throw Object.assign(new Error('roll back'), { seen: { inside: inside.name, outside: outside.name } });
    }).catch((error: { seen?: { inside: string; outside: string } }) => error.seen);
    expect(seen).toEqual({ inside: 'Renamed Inside', outside: member.name });
    // Rolled back: nobody ever sees the name.
    expect((await directory.members(dept.id, [member.id]))[0].name).toBe(member.name);
  });

  it('answers raw SQL with pg’s own types (a timestamp is a Date), on connections named for the process', async () => {
    const database = server.app.get(MessagesDatabase);
    const [row] = await database.query<{ at: Date; name: string }>('select now() as at, current_setting($1) as name', ['application_name'], 'shared_pool_probe');
    expect(row.at).toBeInstanceOf(Date);
    expect(row.name).toBe(APPLICATION_NAME);
    const { rows } = await admin.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name <> $1 and pid <> pg_backend_pid()',
      [APPLICATION_NAME],
    );
    expect(rows[0].n).toBe(0);
  });

  it('delivers NOTIFY payloads on any channel, and says when the listening connection is lost and back', async () => {
    const database = server.app.get(MessagesDatabase);
    const heard: string[] = [];
    const events: string[] = [];
    const subscription = await database.listen('shared_pool_test', (payload) => heard.push(payload), {
      onLost: () => events.push('lost'),
      onRestored: () => events.push('restored'),
    });
    try {
      expect(subscription.listening).toBe(true);
      await admin.query(`select pg_notify('shared_pool_test', 'first')`);
      expect(await eventually(async () => heard.includes('first'), 5_000)).toBe(true);

      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen %'`);
      expect(await eventually(async () => events.join() === 'lost,restored', 10_000)).toBe(true);
      expect(subscription.listening).toBe(true);
      await admin.query(`select pg_notify('shared_pool_test', 'second')`);
      expect(await eventually(async () => heard.includes('second'), 5_000)).toBe(true);
    } finally {
      await subscription.close();
    }
  });
  it('hands connections from one raw statement to the next, yet the ORM gets its turn while raw statements keep every connection busy', async () => {
    const database = server.app.get(MessagesDatabase);
    const orm = server.app.get(MikroORM);
    const deadline = Date.now() + 3_000;
    let rawStatements = 0;
    // Far more raw statements in flight than the pool has connections, for three seconds.
    const raw = Array.from({ length: 40 }, async () => {
      while (Date.now() < deadline) {
        await database.query('select pg_sleep(0.001)');
        rawStatements++;
      }
    });
    const ormWaits: number[] = [];
    const ormSide = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      while (Date.now() < deadline - 300) {
        const started = performance.now();
        await orm.em.fork().getConnection().execute('select 1');
        ormWaits.push(performance.now() - started);
      }
    })();
    await Promise.all([...raw, ormSide]);
    expect(rawStatements).toBeGreaterThan(500);
    // Each ORM statement waited its turn among the raw ones, never until the raw load ended.
    expect(ormWaits.length).toBeGreaterThan(5);
    expect(Math.max(...ormWaits)).toBeLessThan(1_000);
  });
});
