// Takes the screenshots of the main screens into docs/screenshots/ (`npm run screenshots`).
// It starts the built server with the demo department on a fresh database, fills it through the
// API, and drives Debian's Chromium. Routes the server does not serve yet are answered with
// sample data inside the browser, so every screen can still be shown; the run says which.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { findFreePort } from '../test/support/free-port.mjs';

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'demo-password';

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  process.exit(1);
}

// ---- the server ----
async function freshDatabase() {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `screens_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 1500 });
  try {
    await admin.connect();
    await admin.query(`create database ${name}`);
  } catch {
    return null; // no PostgreSQL answering: main.js starts its embedded one
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

const database = await freshDatabase();
const dataDir = mkdtempSync(join(tmpdir(), 'screens-'));
const port = await findFreePort(3300);
const baseUrl = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [join(root, 'dist', 'main.js'), '--demo'], {
  cwd: root,
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMIT: 'off', JWT_SECRET: randomBytes(32).toString('hex'), ...(database && { DATABASE_URL: database.url }) },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const stopServer = async () => {
  server.kill('SIGTERM');
  await new Promise((done) => (server.exitCode !== null ? done() : server.once('exit', done)));
  await database?.drop().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
};

async function waitForServer() {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the server did not start');
}

// ---- the API, as the demo people ----
async function call(token, method, path, body) {
  const res = await fetch(`${baseUrl}/api${path}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${json?.message ?? ''}`), { status: res.status, json });
  return json;
}
const login = async (email) => (await call(null, 'POST', '/auth/login', { email, password: PASSWORD })).accessToken;

/** The server has this route: anything but Nest's "Cannot GET ..." 404. */
async function serves(token, method, path) {
  const res = await fetch(`${baseUrl}/api${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
  if (res.status !== 404) return true;
  const body = await res.json().catch(() => ({}));
  return !String(body.message ?? '').startsWith('Cannot ');
}

// ---- sample data for routes the server does not serve yet ----
function sampleData(people, groups, zones) {
  const [admin, dispatcher, m1, m2, m3, m4, m5, m6] = people;
  const ago = (minutes) => new Date(Date.now() - minutes * 60_000).toISOString();
  const inbox = [
    { id: 108, subject: 'Can you cover B-shift on Friday?', senderId: admin.id, senderName: admin.name, type: 'callback', createdAt: ago(4), isRead: false, readAt: null, response: null },
    { id: 107, subject: 'Hydrant out of service on Elm St', senderId: dispatcher.id, senderName: dispatcher.name, type: 'alert', createdAt: ago(38), isRead: false, readAt: null, response: null },
    { id: 106, subject: 'New SCBA fit tests next week', senderId: admin.id, senderName: admin.name, type: 'poll', createdAt: ago(95), isRead: false, readAt: null, response: null },
    { id: 104, subject: 'Station 1 kitchen rota', senderId: m3.id, senderName: m3.name, type: 'normal', createdAt: ago(60 * 26), isRead: true, readAt: ago(60 * 25), response: null },
    { id: 101, subject: 'Quarterly EMT refresher: sign-up', senderId: admin.id, senderName: admin.name, type: 'poll', createdAt: ago(60 * 50), isRead: true, readAt: ago(60 * 49), response: 'yes' },
    { id: 99, subject: 'Engine 7 back in service', senderId: dispatcher.id, senderName: dispatcher.name, type: 'normal', createdAt: ago(60 * 75), isRead: true, readAt: ago(60 * 74), response: null },
  ];
  const recipients = [m1, m2, m3, m4, m5, m6].map((p, i) => ({
    userId: p.id,
    name: p.name,
    readAt: i < 4 ? ago(3 - i * 0.5) : null,
    response: ['yes', 'no', 'yes', 'maybe', null, null][i],
    note: ['I can take it', 'On leave Friday', '', 'Only after 10:00', null, null][i] || null,
  }));
  const outbox = [
    { id: 108, subject: 'Can you cover B-shift on Friday?', type: 'callback', createdAt: ago(4), recipientCount: 10, readCount: 4, responses: { yes: 2, no: 1, maybe: 1 } },
    { id: 106, subject: 'New SCBA fit tests next week', type: 'poll', createdAt: ago(95), recipientCount: 30, readCount: 21, responses: { yes: 14, no: 3, maybe: 2 } },
    { id: 101, subject: 'Quarterly EMT refresher: sign-up', type: 'poll', createdAt: ago(60 * 50), recipientCount: 15, readCount: 15, responses: { yes: 12, no: 2, maybe: 1 } },
  ];
  const full = (id, viewer) => {
    const item = inbox.find((i) => i.id === id) ?? inbox[0];
    const mine = item.senderId === viewer;
    return {
      ...item,
      body: '<p>Engine 7 needs a driver for B-shift on Friday from 07:00.</p><p>Answer <strong>yes</strong> if you can take it; add a note if only part of the shift.</p>',
      expiresAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      note: null,
      ...(mine && { recipientCount: 10, recipients }),
    };
  };
  const north = zones.find((z) => z.name === 'North') ?? zones[0];
  const msg = (conversationId, seq, senderId, body, minutes, kind = 'text') => ({ conversationId, seq, senderId, body, kind, createdAt: ago(minutes) });
  const dispatchMessages = [
    msg(501, 1, null, `${dispatcher.name} opened the conversation for D-2041`, 14, 'system'),
    msg(501, 2, null, `${m1.name} joined`, 13, 'system'),
    msg(501, 3, dispatcher.id, 'Structure fire, 12 Elm St. Smoke showing from the second floor.', 13),
    msg(501, 4, m1.id, 'Engine 7 responding, ETA 4 minutes.', 12),
    msg(501, 5, dispatcher.id, 'Hydrant on Elm is out of service; use the one on Oak and 3rd.', 11),
    msg(501, 6, m1.id, 'Copy, laying supply from Oak and 3rd.', 9),
    msg(501, 7, m2.id, 'Ladder 2 on scene, starting primary search.', 6),
    msg(501, 8, dispatcher.id, 'Copy. Medic 4 staging at the corner of Elm and 2nd.', 2),
  ];
  const conversations = [
    { id: 501, kind: 'dispatch', title: 'D-2041', dispatchId: 41, zoneId: north.id, unreadCount: 2, lastMessage: dispatchMessages.at(-1), memberIds: [dispatcher.id, m1.id, m2.id] },
    { id: 502, kind: 'personal', title: 'Station 1 officers', unreadCount: 0, lastMessage: msg(502, 12, m3.id, 'Apparatus checks done for today.', 45), memberIds: [dispatcher.id, m3.id, m4.id] },
    { id: 503, kind: 'direct', title: null, unreadCount: 1, lastMessage: msg(503, 3, m4.id, 'Thanks, see you at 7.', 70), memberIds: [dispatcher.id, m4.id] },
    { id: 504, kind: 'dispatch', title: 'D-2039', dispatchId: 39, zoneId: north.id, unreadCount: 0, archived: true, lastMessage: msg(504, 9, null, 'The dispatch was closed', 60 * 5, 'system'), memberIds: [dispatcher.id] },
  ];
  const history = { 501: dispatchMessages, 502: [msg(502, 12, m3.id, 'Apparatus checks done for today.', 45)], 503: [msg(503, 1, dispatcher.id, 'Can you start at 7 tomorrow?', 80), msg(503, 2, m4.id, 'Yes, no problem.', 72), msg(503, 3, m4.id, 'Thanks, see you at 7.', 70)], 504: [] };
  const dispatches = [
    { id: 41, number: 'D-2041', title: 'Structure fire, 12 Elm St', zoneId: north.id, closedAt: null },
    { id: 40, number: 'D-2040', title: 'Medical call, 88 Harbor Rd', zoneId: north.id, closedAt: null },
    { id: 39, number: 'D-2039', title: 'Vehicle fire, Route 9', zoneId: north.id, closedAt: ago(60 * 5) },
  ];
  return { inbox, outbox, full, conversations, history, dispatches, groups };
}

async function useSamples(context, features, sample, viewerId) {
  const json = (route, body, headers = {}) => route.fulfill({ status: 200, contentType: 'application/json', headers, body: JSON.stringify(body) });
  if (!features.mail) {
    await context.route(/\/api\/messages(\/|\?|$)/, (route) => {
      const url = new URL(route.request().url());
      const p = url.pathname.replace(/^\/api/, '');
      if (p === '/messages/unread/top') return json(route, { count: 3, items: sample.inbox.filter((i) => !i.isRead) }, { etag: '"sample"' });
      if (p === '/messages/inbox') return json(route, { items: sample.inbox, nextCursor: 'sample' });
      if (p === '/messages/outbox') return json(route, { items: sample.outbox, nextCursor: null });
      const m = p.match(/^\/messages\/(\d+)$/);
      if (m) return json(route, sample.full(Number(m[1]), viewerId));
      return json(route, {});
    });
  }
  if (!features.conversations) {
    await context.route(/\/api\/conversations(\/|\?|$)/, (route) => {
      const p = new URL(route.request().url()).pathname.replace(/^\/api/, '');
      if (p === '/conversations') return json(route, sample.conversations);
      const m = p.match(/^\/conversations\/(\d+)\/messages$/);
      if (m) return json(route, { items: sample.history[m[1]] ?? [] });
      return json(route, {});
    });
  }
  if (!features.dispatch) {
    await context.route(/\/api\/dispatches(\/|\?|$)/, (route) => {
      const p = new URL(route.request().url()).pathname.replace(/^\/api/, '');
      if (p === '/dispatches') return json(route, sample.dispatches);
      const m = p.match(/^\/dispatches\/(\d+)\/conversation$/);
      if (m) {
        const c = sample.conversations.find((x) => x.dispatchId === Number(m[1])) ?? sample.conversations[0];
        return json(route, { conversation: c, messages: sample.history[c.id] ?? [] });
      }
      return json(route, {});
    });
  }
}

// ---- real data, where the server has the routes ----
async function seedReal(features, tokens, people, groups, roles, shifts, zones) {
  const [, dispatcher, m1, m2, m3] = people;
  const station1 = groups.find((g) => g.name === 'Station 1');
  const emt = roles.find((r) => r.name === 'EMT');
  const ids = {};
  if (features.mail) {
    const none = { userIds: [], groupIds: [], roleIds: [], excludeShiftIds: [] };
    const older = [
      [tokens.dispatcher, { subject: 'Engine 7 back in service', body: '<p>Repairs done; Engine 7 is back on the board.</p>', type: 'normal', sendMode: 'all', ...none }],
      [tokens.m3, { subject: 'Station 1 kitchen rota', body: '<p>The rota for December is on the board.</p>', type: 'normal', sendMode: 'specific', ...none, groupIds: [station1.id] }],
      [tokens.admin, { subject: 'Quarterly EMT refresher: sign-up', body: '<p>Saturday 09:00 in the training room.</p>', type: 'poll', sendMode: 'specific', ...none, groupIds: [station1.id] }],
    ];
    for (const [token, message] of older) {
      const sent = await call(token, 'POST', '/messages', message);
      await call(tokens.m1, 'GET', `/messages/${sent.id}`).catch(() => undefined);
      if (message.type === 'poll') await call(tokens.m1, 'POST', `/messages/${sent.id}/response`, { response: 'yes' }).catch(() => undefined);
    }
    await call(tokens.dispatcher, 'POST', '/messages', { subject: 'Hydrant out of service on Elm St', body: '<p>Use Oak and 3rd until further notice.</p>', type: 'alert', sendMode: 'all', userIds: [], groupIds: [], roleIds: [], excludeShiftIds: [] });
    await call(tokens.admin, 'POST', '/messages', { subject: 'New SCBA fit tests next week', body: '<p>Can you make Tuesday 10:00?</p>', type: 'poll', sendMode: 'match', userIds: [], groupIds: [station1.id], roleIds: [emt.id], excludeShiftIds: [] });
    const callback = await call(tokens.admin, 'POST', '/messages', {
      subject: 'Can you cover B-shift on Friday?',
      body: '<p>Engine 7 needs a driver for B-shift on Friday from 07:00.</p><p>Answer <strong>yes</strong> if you can take it.</p>',
      type: 'callback',
      sendMode: 'specific',
      userIds: [],
      groupIds: [station1.id],
      roleIds: [],
      excludeShiftIds: [],
      expiresAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    });
    ids.callback = callback.id;
    for (const [who, response, note] of [
      [tokens.m2, 'yes', 'I can take it'],
      [tokens.m3, 'no', 'On leave Friday'],
    ]) {
      await call(who, 'GET', `/messages/${callback.id}`).catch(() => undefined);
      await call(who, 'POST', `/messages/${callback.id}/response`, { response, note }).catch((e) => console.warn(e.message));
    }
  }
  if (features.dispatch) {
    const north = zones.find((z) => z.name === 'North');
    const south = zones.find((z) => z.name === 'South') ?? north;
    const d = await call(tokens.dispatcher, 'POST', '/dispatches', { number: 'D-2041', zoneId: north.id, title: 'Structure fire', address: '12 Elm St' });
    await call(tokens.dispatcher, 'POST', `/dispatches/${d.id}/tasks`, { officerId: m1.id, description: 'First engine in' });
    await call(tokens.dispatcher, 'POST', `/dispatches/${d.id}/tasks`, { officerId: m2.id, description: 'Ladder: primary search' }).catch((e) => console.warn(e.message));
    await call(tokens.dispatcher, 'POST', '/dispatches', { number: 'D-2040', zoneId: north.id, title: 'Medical call', address: '88 Harbor Rd' });
    await call(tokens.dispatcher, 'POST', '/dispatches', { number: 'D-2042', zoneId: south.id, title: 'Alarm sounding', address: '4 Quay Street' });
    const older = await call(tokens.dispatcher, 'POST', '/dispatches', { number: 'D-2039', zoneId: north.id, title: 'Vehicle fire', address: 'Route 9, mile 14' });
    await call(tokens.dispatcher, 'POST', `/dispatches/${older.id}/close`);
    const { conversation } = await call(tokens.dispatcher, 'GET', `/dispatches/${d.id}/conversation`);
    ids.dispatch = d.id;
    ids.dispatchConversation = conversation.id;
    const say = (token, body) => call(token, 'POST', `/conversations/${conversation.id}/messages`, { body });
    await say(tokens.dispatcher, 'Structure fire, 12 Elm St. Smoke showing from the second floor.');
    await say(tokens.m1, 'Engine 7 responding, ETA 4 minutes.');
    await say(tokens.dispatcher, 'Hydrant on Elm is out of service; use the one on Oak and 3rd.');
    await say(tokens.m1, 'Copy, laying supply from Oak and 3rd.');
    await say(tokens.m2, 'Ladder 2 on scene, starting primary search.');
    await call(tokens.m3, 'POST', `/dispatches/${d.id}/comment`, { body: 'Medic 4 staging at Elm and 2nd.' }).catch((e) => console.warn(e.message));
  }
  if (features.conversations) {
    const crew = await call(tokens.dispatcher, 'POST', '/conversations', { title: 'Station 1 officers', memberIds: [m1.id, m2.id, m3.id] }).catch((e) => console.warn(e.message));
    if (crew) {
      ids.chat = crew.id;
      const say = (token, body) => call(token, 'POST', `/conversations/${crew.id}/messages`, { body }).catch((e) => console.warn(e.message));
      await say(tokens.dispatcher, 'Morning all. Engine 7 is back from the shop.');
      await say(tokens.m1, 'Great, I will run the apparatus check at 08:00.');
      await say(tokens.m3, 'Hose testing moved to Thursday.');
      await say(tokens.m2, 'Noted. Who has the keys to the training room?');
      await say(tokens.dispatcher, 'They are in the watch office, top drawer.');
    }
    const massText = await call(tokens.dispatcher, 'POST', '/conversations/mass-text', { body: 'Station 1: radio check at 18:00, reply when done.', groupIds: [station1.id] }).catch((e) => console.warn(e.message));
    if (massText?.massTextId) {
      ids.massText = massText.massTextId;
      for (const token of [tokens.m1, tokens.m3]) {
        const list = await call(token, 'GET', '/conversations?kind=direct');
        const mine = list.items.find((c) => c.lastMessage?.body?.startsWith('Station 1: radio check'));
        if (mine) await call(token, 'POST', `/conversations/${mine.id}/messages`, { body: token === tokens.m1 ? 'Radio check done, loud and clear.' : 'Done, Station 1 portable 3 is weak.' });
      }
    }
    const direct = await call(tokens.dispatcher, 'POST', '/conversations/direct', { userId: m2.id }).catch(() => null);
    if (direct) {
      await call(tokens.dispatcher, 'POST', `/conversations/${direct.id}/messages`, { body: 'Can you start at 7 tomorrow?' }).catch(() => undefined);
      await call(tokens.m2, 'POST', `/conversations/${direct.id}/messages`, { body: 'Yes, see you at 7.' }).catch(() => undefined);
    }
  }
  return ids;
}

// ---- the pictures ----
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});

try {
  await waitForServer();
  mkdirSync(outDir, { recursive: true });
  const tokens = {
    admin: await login('admin@demo.example'),
    dispatcher: await login('dispatch@demo.example'),
    m1: await login('member1@demo.example'),
    m2: await login('member2@demo.example'),
    m3: await login('member3@demo.example'),
  };
  const members = await call(tokens.admin, 'GET', '/department/members');
  const byEmail = (e) => members.find((m) => m.email === e);
  const people = ['admin@demo.example', 'dispatch@demo.example', ...Array.from({ length: 8 }, (_, i) => `member${i + 1}@demo.example`)].map(byEmail);
  const [groups, roles, shifts, zones] = await Promise.all(['/groups', '/roles', '/shifts', '/zones'].map((p) => call(tokens.admin, 'GET', p)));
  const features = {
    mail: await serves(tokens.admin, 'GET', '/messages/unread/top'),
    conversations: await serves(tokens.admin, 'GET', '/conversations'),
    dispatch: await serves(tokens.admin, 'GET', '/dispatches/1/conversation'),
  };
  const missing = Object.entries(features).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length) console.log(`The server does not serve ${missing.join(', ')} yet: those screens show sample data.`);
  const ids = await seedReal(features, tokens, people, groups, roles, shifts, zones);
  const sample = sampleData(people, groups, zones);

  const shoot = async (name, email, steps, { phone = false } = {}) => {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: phone ? { width: 390, height: 760 } : { width: 1180, height: 760 }, deviceScaleFactor: 1, isMobile: phone, hasTouch: phone });
    context.setDefaultTimeout(10_000);
    const viewer = email && byEmail(email);
    await useSamples(context, features, sample, viewer?.id);
    const page = await context.newPage();
    page.on("pageerror", (e) => console.warn(`${name}: ${e.stack}`)); page.on("console", (m) => m.type() === "error" && console.warn(`${name} console: ${m.text().slice(0, 600)}`));
    if (email) {
      await page.goto('/');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
    }
    await steps(page);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(outDir, `${name}.png`) });
    await context.close();
    console.log(`docs/screenshots/${name}.png`);
  };

  await shoot('login', null, async (page) => {
    await page.goto('/');
    await page.getByLabel('Email').fill('dispatch@demo.example');
  });
  await shoot('inbox', 'member1@demo.example', async (page) => {
    await page.getByRole('list', { name: 'Inbox' }).waitFor();
    await page.getByRole('checkbox', { name: /Select “Station 1 kitchen rota”|Select “Engine 7 back in service”/ }).first().check().catch(() => undefined);
  });
  await shoot('unread-menu', 'member1@demo.example', async (page) => {
    await page.getByRole('list', { name: 'Inbox' }).waitFor();
    await page.getByTestId('unread-count').click();
    await page.getByRole('menu').waitFor();
  });
  await shoot('compose', 'admin@demo.example', async (page) => {
    await page.goto('/compose');
    await page.getByLabel('Subject').fill('EMT refresher at Station 1');
    await page.getByLabel('Type').selectOption('poll');
    await page.getByLabel('Message', { exact: true }).fill('Saturday 09:00 in the training room. Can you make it?');
    await page.getByRole('radio', { name: 'Role at group' }).check();
    await page.getByRole('group', { name: /^Groups/ }).getByLabel('Station 1').check();
    await page.getByRole('group', { name: /^Roles/ }).getByLabel('EMT').check();
    await page.getByRole('group', { name: /^Leave out shifts/ }).getByLabel('A-shift').check();
  });
  const callbackId = ids.callback ?? 108;
  await shoot('message-sender', 'admin@demo.example', async (page) => {
    await page.goto(`/messages/${callbackId}`);
    await page.getByRole('heading', { name: 'Recipients' }).waitFor();
  });
  await shoot(
    'message-answer-phone',
    'member1@demo.example',
    async (page) => {
      await page.goto(`/messages/${callbackId}`);
      await page.getByLabel('Yes').check();
      await page.getByLabel('Note (optional)').fill('I can take it, back by 19:00');
      await page.getByRole('button', { name: /Send answer|Change answer/ }).focus();
    },
    { phone: true },
  );
  const chatId = ids.dispatchConversation ?? ids.chat ?? 501;
  await shoot('chat', 'dispatch@demo.example', async (page) => {
    await page.goto(`/chat/${chatId}`);
    await page.getByRole('log').waitFor();
  });
  await shoot(
    'chat-phone',
    'dispatch@demo.example',
    async (page) => {
      await page.goto(`/chat/${chatId}`);
      await page.getByRole('log').waitFor();
    },
    { phone: true },
  );
  // The dispatcher console: the board, the selected dispatch and its Messages panel docked beside them.
  await shoot('dispatches', 'dispatch@demo.example', async (page) => {
    await page.goto('/dispatches/D-2041');
    await page.getByRole('complementary', { name: /Messages of dispatch/ }).getByRole('log').getByText('Medic 4').waitFor();
  });
  await shoot('dispatch-assign', 'dispatch@demo.example', async (page) => {
    await page.goto('/dispatches/D-2041');
    await page.getByRole('button', { name: 'Hide messages' }).click();
    await page.getByLabel('Find an officer').fill('a');
    await page.getByLabel('Task', { exact: true }).fill('Second engine: water supply');
    await page.getByRole('form', { name: 'Assign an officer' }).getByRole('radio').first().check();
    await page.getByRole('form', { name: 'Assign an officer' }).scrollIntoViewIfNeeded();
  });
  await shoot('dispatch-invite', 'dispatch@demo.example', async (page) => {
    await page.goto('/dispatches/D-2041');
    await page.getByRole('button', { name: 'Float messages' }).click();
    const panel = page.getByRole('complementary', { name: /Messages of dispatch/ });
    await panel.getByRole('button', { name: 'Details' }).click();
    await panel.getByRole('button', { name: 'Invite' }).click();
    await panel.getByRole('form', { name: 'Invite' }).waitFor();
  });
  await shoot('dispatch', 'member4@demo.example', async (page) => {
    await page.goto('/dispatches/D-2041');
    await page.getByRole('textbox', { name: /Comment on dispatch/ }).fill('Engine 9 available, can I help?');
  });
  await shoot(
    'officer-phone',
    'member1@demo.example',
    async (page) => {
      await page.goto('/my-tasks');
      await page.getByRole('button', { name: 'Chat' }).first().click();
      await page.getByRole('log').getByText('Medic 4').waitFor();
    },
    { phone: true },
  );
  await shoot('mass-text', 'dispatch@demo.example', async (page) => {
    await page.goto(`/chat/mass-texts/${ids.massText ?? 1}`);
    await page.getByRole('table').waitFor();
  });
  await shoot('chat-mass-text', 'dispatch@demo.example', async (page) => {
    await page.goto('/chat');
    await page.getByRole('link', { name: /Station 1: radio check/ }).waitFor();
  });
  await shoot('admin', 'admin@demo.example', async (page) => {
    await page.goto('/admin');
    await page.getByRole('switch', { name: 'Messages' }).waitFor();
  });
  await shoot('admin-members', 'admin@demo.example', async (page) => {
    await page.goto('/admin/members');
    await page.getByRole('row', { name: /Dispatch/ }).first().waitFor();
  });
  await shoot('admin-member', 'admin@demo.example', async (page) => {
    await page.goto(`/admin/members/${byEmail('dispatch@demo.example').id}`);
    await page.getByRole('group', { name: 'Permissions' }).waitFor();
  });
  await shoot('admin-shifts', 'admin@demo.example', async (page) => {
    await page.goto('/admin/shifts');
    await page.getByRole('list', { name: 'Shifts' }).getByRole('listitem').first().waitFor();
    await page.getByRole('button', { name: /^Edit schedule of/ }).first().click();
  });
} finally {
  await browser.close();
  await stopServer();
}
