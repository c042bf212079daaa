// Soak run: starts the built server (dist/), sends and reads steadily for SOAK_SECONDS, and reports
// the server's memory (after a full GC) at the start, every minute and at the end, then whether
// the retained heap grew with the number of messages processed. Members without a live socket get
// Web Push through a push service on loopback that accepts every push.
//
//   npm run soak                       # 60 s
//   SOAK_SECONDS=600 npm run soak      # ten minutes
//
// Environment: SOAK_SECONDS (60), SOAK_CONCURRENCY (8 request loops), SOAK_SOCKETS (40 live sockets),
// SOAK_SAMPLE_SECONDS (60), DATABASE_URL (a server to create a throwaway database on; default the
// local PostgreSQL on 127.0.0.1:5432). Exit code 1 when the heap grew with the work done.
import { spawn } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { io } from 'socket.io-client';
import webpush from 'web-push';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
const SOCKETS = Number(process.env.SOAK_SOCKETS ?? 40);
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 60);
const WARM_UP_SECONDS = Math.min(15, Math.max(3, Math.round(SECONDS / 10)));
const MEMBERS = 60;
const CONVERSATIONS = 6;

const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A throwaway database on the given (or local) PostgreSQL server.
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `soak_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect();
await admin.query(`create database ${dbName}`);
await admin.end();
const mailDomain = `${dbName.replaceAll('_', '-')}.example`;
const databaseUrl = Object.assign(new URL(baseUrl), { pathname: `/${dbName}` }).toString();

// A push service that accepts every push: members without a live socket get Web Push through it.
let pushes = 0;
const pushService = createHttpServer((req, res) => {
  req.resume();
  req.on('end', () => {
    pushes++;
    res.writeHead(201).end();
  });
});
await new Promise((resolve) => pushService.listen(0, '127.0.0.1', resolve));
const pushUrl = `http://127.0.0.1:${pushService.address().port}`;
const vapid = webpush.generateVAPIDKeys();

const port = await freePort();
const server = spawn(process.execPath, ['--expose-gc', '-r', join(root, 'bench', 'soak-probe.cjs'), join(root, 'dist', 'main.js')], {
  cwd: root,
  env: {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    DEPARTMENT_SIGNUP: 'open',
    RATE_LIMIT: 'off',
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    PUSH_ENDPOINT_ALLOWLIST: pushUrl,
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
});
// The server's errors reach the console; its start-up chatter does not.
let pending = '';
server.stdout.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop();
  for (const line of lines) if (/"level":(50|60)/.test(line)) console.log(`server: ${line.slice(0, 500)}`);
});
const url = `http://127.0.0.1:${port}`;
let exited = false;
server.once('exit', () => (exited = true));

const cleanup = async () => {
  pushService.closeAllConnections();
  pushService.close();
  if (!exited) {
    server.kill('SIGTERM');
    await Promise.race([new Promise((r) => server.once('exit', r)), pause(10_000)]);
    if (!exited) server.kill('SIGKILL');
  }
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  await c.query(`drop database if exists ${dbName} with (force)`);
  await c.end();
};

const memory = () =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not report its memory')), 10_000);
    server.once('message', (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    server.send('memory');
  });

async function call(method, path, token, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

try {
  for (let i = 0; ; i++) {
    if (exited) throw new Error('the server exited while starting');
    if (await fetch(`${url}/api/health`).then((r) => r.status === 200, () => false)) break;
    if (i > 300) throw new Error('the server did not start within 30 s');
    await pause(100);
  }

  // The department, its members, a group of all of them and a few conversations.
  const password = 'soak-password-1';
  const signup = await call('POST', '/api/departments', null, { name: 'Soak', admin: { name: 'Admin', email: `admin@${mailDomain}`, password } });
  const adminToken = (await call('POST', '/api/auth/login', null, { email: `admin@${mailDomain}`, password })).accessToken;
  const members = [];
  for (let i = 0; i < MEMBERS; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, MEMBERS - i) }, (_, j) =>
        call('POST', '/api/department/members', adminToken, { name: `Member ${i + j}`, email: `m${i + j}@${mailDomain}`, password }),
      ),
    );
    for (const m of batch) {
      const { accessToken } = await call('POST', '/api/auth/login', null, { email: m.email, password });
      members.push({ id: m.id, token: accessToken });
    }
  }
  const group = await call('POST', '/api/groups', adminToken, { name: 'Everyone' });
  await call('PUT', `/api/groups/${group.id}/members`, adminToken, { userIds: members.map((m) => m.id) });
  const conversations = [];
  for (let c = 0; c < CONVERSATIONS; c++) {
    const per = MEMBERS / CONVERSATIONS;
    const mine = members.slice(c * per, (c + 1) * per);
    const created = await call('POST', '/api/conversations', mine[0].token, { title: `Crew ${c}`, memberIds: mine.slice(1).map((m) => m.id) });
    conversations.push({ id: created.id, members: mine });
  }
  void signup;
  // Every member has a device; those without a live socket are pushed to.
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const keys = { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
  for (const m of members) await call('POST', '/api/push/subscriptions', m.token, { endpoint: `${pushUrl}/push/${m.id}`, keys });

  // Live sockets; a few of them drop and come back all the time.
  const sockets = [];
  let events = 0;
  const openSocket = (member) =>
    new Promise((resolve) => {
      const s = io(`${url}/messages`, { auth: { token: member.token }, transports: ['websocket'], forceNew: true, reconnection: false });
      s.onAny(() => events++);
      s.once('connect', () => resolve(s));
      s.once('connect_error', () => resolve(s));
    });
  for (let i = 0; i < SOCKETS; i++) sockets.push(await openSocket(members[i % MEMBERS]));

  const counts = { sends: 0, recipients: 0, chat: 0, reads: 0, errors: 0 };
  const processed = () => counts.sends + counts.chat;
  let running = true;
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const loop = async () => {
    while (running) {
      const r = Math.random();
      try {
        if (r < 0.15) {
          const sender = pick(members);
          const sent = await call('POST', '/api/messages', sender.token, {
            subject: `Roll call ${counts.sends}`,
            body: `<p>Report to <b>station ${counts.sends % 7}</b> by 19:00</p>`,
            sendMode: 'specific',
            groupIds: [group.id],
          });
          counts.sends++;
          counts.recipients += sent.recipientCount;
        } else if (r < 0.55) {
          const c = pick(conversations);
          await call('POST', `/api/conversations/${c.id}/messages`, pick(c.members).token, { body: `status ${counts.chat}`, clientId: randomBytes(8).toString('hex') });
          counts.chat++;
        } else if (r < 0.7) {
          await call('GET', '/api/messages/inbox?limit=20', pick(members).token);
          counts.reads++;
        } else if (r < 0.8) {
          await call('GET', '/api/messages/unread/top', pick(members).token);
          counts.reads++;
        } else if (r < 0.9) {
          const c = pick(conversations);
          await call('GET', `/api/conversations/${c.id}/messages?limit=50`, pick(c.members).token);
          counts.reads++;
        } else {
          const me = pick(members);
          const page = await call('GET', '/api/messages/inbox?limit=5&unread=true', me.token);
          if (page.items.length) await call('PUT', `/api/messages/read?ids=${page.items.map((i) => i.id).join(',')}`, me.token);
          counts.reads++;
        }
      } catch (error) {
        counts.errors++;
        if (counts.errors <= 5) console.error(`request failed: ${error.message}`);
        await pause(100);
      }
    }
  };
  const churn = async () => {
    while (running) {
      await pause(500);
      const i = Math.floor(Math.random() * sockets.length);
      sockets[i].disconnect();
      sockets[i] = await openSocket(members[i % MEMBERS]);
    }
  };

  const started = Date.now();
  const loops = [...Array.from({ length: CONCURRENCY }, loop), churn()];
  const samples = [];
  const sample = async (label) => {
    const m = await memory();
    const s = { label, seconds: Math.round((Date.now() - started) / 1000), processed: processed(), ...m };
    samples.push(s);
    console.log(
      `${label.padEnd(8)} t=${String(s.seconds).padStart(5)} s  messages=${String(s.processed).padStart(7)}  rss=${mb(m.rss)} MB  heapUsed=${mb(m.heapUsed)} MB  heapTotal=${mb(m.heapTotal)} MB  external=${mb(m.external)} MB`,
    );
  };

  console.log(`soak: ${SECONDS} s, ${CONCURRENCY} request loops, ${SOCKETS} sockets, ${MEMBERS} members; memory measured after a full GC`);
  await pause(WARM_UP_SECONDS * 1000);
  await sample('start');
  let next = started + WARM_UP_SECONDS * 1000 + SAMPLE_SECONDS * 1000;
  const end = started + SECONDS * 1000;
  while (Date.now() < end) {
    if (exited) throw new Error('the server exited during the run');
    if (Date.now() >= next) {
      await sample(SAMPLE_SECONDS === 60 ? 'minute' : 'sample');
      next += SAMPLE_SECONDS * 1000;
    }
    await pause(Math.min(1000, Math.max(0, end - Date.now())));
  }
  await sample('end');
  running = false;
  await Promise.all(loops);
  for (const s of sockets) s.disconnect();

  // Retained heap against messages processed: least squares over the samples.
  const first = samples[0];
  const last = samples[samples.length - 1];
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s.processed, 0) / n;
  const my = samples.reduce((a, s) => a + s.heapUsed, 0) / n;
  const sxx = samples.reduce((a, s) => a + (s.processed - mx) ** 2, 0);
  const slope = sxx ? samples.reduce((a, s) => a + (s.processed - mx) * (s.heapUsed - my), 0) / sxx : 0;
  const work = last.processed - first.processed;
  const growth = last.heapUsed - first.heapUsed;
  // Noise allowance: a few MB of caches filling up (prepared statements, the principal cache) is not a leak.
  const grows = growth > Math.max(8 * 1024 * 1024, first.heapUsed * 0.15) && slope > 0;
  const elapsed = (Date.now() - started) / 1000;
  console.log(
    `\nprocessed: ${counts.sends} sends (${counts.recipients} recipient rows), ${counts.chat} conversation messages, ${counts.reads} reads, ` +
      `${counts.errors} errors in ${elapsed.toFixed(0)} s (${((counts.sends + counts.chat + counts.reads) / elapsed).toFixed(0)} requests/s); ${events} socket events received; ${pushes} pushes delivered`,
  );
  console.log(
    `heap after GC: ${mb(first.heapUsed)} MB at the start, ${mb(last.heapUsed)} MB at the end (${growth >= 0 ? '+' : ''}${mb(growth)} MB over ${work} messages, ` +
      `trend ${slope.toFixed(1)} bytes per message); rss ${mb(first.rss)} MB -> ${mb(last.rss)} MB`,
  );
  console.log(grows ? 'verdict: the retained heap GREW with the messages processed' : 'verdict: memory did not grow with the messages processed');
  await cleanup();
  process.exit(grows || counts.errors > 0 ? 1 : 0);
} catch (error) {
  console.error(error);
  await cleanup().catch(() => undefined);
  process.exit(1);
}
