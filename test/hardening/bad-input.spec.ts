import { createECDH, randomBytes } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { Client } from 'pg';
import webpush from 'web-push';
import { BODY_LIMIT_BYTES } from '../../src/app';
import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, connectSocket, settle } from '../support/sockets';
import { startTestServer, type TestServer } from '../support/test-server';

const MAX_ID = 2_147_483_647;
const RUNS = Number(process.env.BAD_INPUT_RUNS ?? 80);
const SEED = Number(process.env.BAD_INPUT_SEED ?? Date.now() % 2 ** 31);

/**
 * Draws `runs` values from `arbitrary` (reproducible with BAD_INPUT_SEED) and checks each, eight
 * requests at a time; fails listing the first inputs that broke the property.
 */
async function checkAll<T>(arbitrary: fc.Arbitrary<T>, runs: number, check: (value: T) => Promise<void>): Promise<void> {
  const values = fc.sample(arbitrary, { numRuns: runs, seed: SEED });
  const failures: string[] = [];
  for (let i = 0; i < values.length; i += 8) {
    await Promise.all(values.slice(i, i + 8).map((v) => check(v).catch((e: Error) => void failures.push(e.message))));
  }
  if (failures.length) throw new Error(`${failures.length} of ${runs} inputs broke the property (seed ${SEED}):\n${failures.slice(0, 5).join('\n')}`);
}
const tag = () => randomBytes(4).toString('hex');

// ---- what each field accepts, and from it, values it must refuse ----

type Field =
  | { kind: 'string'; min: number; max: number; trimmed?: boolean }
  | { kind: 'id' }
  | { kind: 'ids'; min: number; max: number }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'bool' }
  | { kind: 'iso' }
  | { kind: 'email' }
  | { kind: 'url' }
  | { kind: 'object'; fields: Shape };
type Shape = Record<string, Field & { optional?: boolean }>;

/** The length class-validator's MinLength/MaxLength measure (surrogate pairs and variation selectors count as one). */
const measured = (s: string) => s.length - (s.match(/[\uFE0E\uFE0F]/g) ?? []).length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g) ?? []).length;

const oddText = fc.string({ unit: 'binary', maxLength: 30 });
const withNul = fc.tuple(oddText, oddText).map(([a, b]) => `${a}\u0000${b}`);
const deepObject = fc.integer({ min: 1, max: 200 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { nested: value };
  return value;
});
const notString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.array(oddText, { maxLength: 3 }), fc.dictionary(oddText, oddText, { maxKeys: 3 }), deepObject);
const notNumber = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(oddText, fc.integer(), { maxKeys: 2 }),
  fc.constantFrom('1', '0x10', ' 7', '1e3'),
);
const badId = fc.oneof(
  fc.integer({ min: -MAX_ID - 1, max: 0 }),
  fc.constantFrom(MAX_ID + 1, 2 ** 53, 1e20, 1e308, -1e308, 0.5, 1.000001),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  notNumber,
);
const longString = (max: number) =>
  fc.string({ unit: 'binary', minLength: max + 1, maxLength: max + 40 }).filter((s) => measured(s) > max);

function badValue(field: Field, optional: boolean): fc.Arbitrary<unknown> {
  const absent = optional ? [] : [fc.constant(null)];
  switch (field.kind) {
    case 'string': {
      const blanks = field.min >= 1 ? [fc.constant(''), ...(field.trimmed ? [fc.constantFrom(' ', '\t \n', '   ')] : [])] : [];
      return fc.oneof(notString, withNul, longString(field.max), ...blanks, ...absent);
    }
    case 'id':
      return fc.oneof(badId, ...absent);
    case 'int':
      return fc.oneof(fc.integer({ min: -MAX_ID, max: field.min - 1 }), fc.constantFrom(field.max + 1, 1e20, 2.5), notNumber, ...absent);
    case 'ids':
      return fc.oneof(
        notString.filter((v) => !Array.isArray(v)),
        fc.tuple(fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 5 }), badId).map(([ok, bad]) => [...ok, bad]),
        fc.constant(Array.from({ length: field.max + 1 }, (_, i) => i + 1)),
        ...(field.min > 0 ? [fc.constant([])] : []),
        ...absent,
      );
    case 'enum':
      return fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !field.values.includes(s)), notNumber.filter((v) => typeof v !== 'string'), ...absent);
    case 'bool':
      return fc.oneof(fc.constantFrom('true', 'false', 0, 1, 'yes'), fc.array(fc.boolean(), { maxLength: 2 }), ...absent);
    case 'iso':
      return fc.oneof(fc.constantFrom('tomorrow', '2026-13-40T00:00:00Z', '1e9', '2026-11-22 10:00', ''), fc.integer(), withNul, ...absent);
    case 'email':
      return fc.oneof(fc.constantFrom('not-an-email', '@x.example', 'a@', ''), withNul, notString, ...absent);
    case 'url':
      return fc.oneof(fc.constantFrom('javascript:alert(1)', 'ftp://x.example/a', 'not a url', '', `https://x.example/${'a'.repeat(2100)}`), notString, ...absent);
    case 'object':
      return fc.oneof(
        notString.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
        fc.constant([]),
        ...Object.entries(field.fields).map(([key, inner]) => badValue(inner, !!inner.optional).map((v) => ({ [key]: v }))),
        ...absent,
      );
  }
}

const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype', 'isAdmin', 'departmentId', 'senderId', 'userId', 'id', 'toString'];

/** Sets a key as an own property, `__proto__` included, so JSON carries it literally. */
const withKey = (obj: object, key: string, value: unknown) => {
  const copy = { ...obj };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
};

/** How deep a value nests objects and arrays. */
const depthOf = (value: unknown): number =>
  value !== null && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;

/** The server's refusal of a body nested too deep, which names no field because it comes before parsing. */
const NESTING = 'The request body is nested deeper than 64 levels';

/** Fastify's parser refuses a `__proto__` key wherever it is, with this. */
const PROTOTYPE_KEY = 'Body is not valid JSON';

/** A malformed body, and what the validation's message must mention (any one of them). */
interface BadBody {
  body: unknown;
  names: string[];
}

/** A body the route must refuse, made from a valid one by one change, with what its refusal must name. */
function badBody(valid: Record<string, unknown>, shape: Shape): fc.Arbitrary<BadBody> {
  const fields = Object.entries(shape);
  const required = fields.filter(([, f]) => !f.optional).map(([k]) => k);
  // Two refusals come from the parser, before any field is known: too deep, and a `__proto__` key at any depth.
  const refusal = (body: unknown, names: string[]): BadBody => ({
    body,
    names: depthOf(body) > 64 ? [NESTING] : JSON.stringify(body)?.includes('"__proto__":') ? [...names, PROTOTYPE_KEY] : names,
  });
  const changes: fc.Arbitrary<BadBody>[] = [
    // One field given a value it must refuse.
    fc.constantFrom(...fields).chain(([key, field]) => badValue(field, !!field.optional).map((v) => refusal(withKey(valid, key, v), [key]))),
    // A field nobody asked for, including the ones that poison prototypes or claim identity.
    fc
      .tuple(fc.oneof(fc.constantFrom(...FORBIDDEN_KEYS), fc.string({ unit: 'binary', minLength: 1, maxLength: 20 })), fc.jsonValue({ maxDepth: 3 }))
      .filter(([key]) => !(key in shape) && !(key === 'isAdmin' && 'isAdmin' in shape))
      .map(([key, v]) =>
        refusal(withKey(valid, key, v), [`property ${key} should not exist`, `${key} must`, `${key}[`, `${key}.`, 'a key must']),
      ),
    // Not an object at all.
    fc
      .oneof(fc.array(fc.constant(valid), { maxLength: 2 }), fc.string(), fc.integer(), fc.constant(null), fc.boolean(), deepObject)
      .map((body) => refusal(body, ['The request body must be a JSON object', 'The payload must be an object', 'property nested should not exist'])),
  ];
  if (required.length) {
    changes.push(
      fc.subarray(required, { minLength: 1 }).map((drop) => refusal(Object.fromEntries(Object.entries(valid).filter(([k]) => !drop.includes(k))), drop)),
    );
  }
  return fc.oneof(...changes);
}

/** A path id the router must refuse: anything that is not a positive 32-bit integer. */
const badPathId = fc
  .oneof(
    fc.constantFrom('0', '-1', '1.5', '2147483648', '99999999999', '1e3', ' 1', '0x1f', 'null', '%00', '１２'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
  )
  .filter((s) => !/^[1-9]\d{0,9}$/.test(s) || Number(s) > MAX_ID)
  .filter((s) => !['.', '..'].includes(s) && !s.includes('/') && !s.includes('?') && !s.includes('#'));

/** `ids=`: empty, over 500, or with a part that is not a positive 32-bit integer. */
const badIdList = fc.oneof(
  fc.constant(''),
  fc.constant(Array.from({ length: 501 }, (_, i) => i + 1).join(',')),
  fc
    .tuple(
      fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 4 }),
      badPathId.filter((s) => !s.includes(',') && (!/^[1-9]\d{0,9}$/.test(s.trim()) || Number(s.trim()) > MAX_ID)),
    )
    .map(([ok, bad]) => [...ok.map(String), bad].join(',')),
);

/** A query value the route must refuse: `limit` out of 1..max, a cursor not handed out, a flag not true/false. */
const badLimit = (max: number) =>
  fc.oneof(fc.integer({ min: -1000, max: 0 }).map(String), fc.integer({ min: max + 1, max: 10 ** 12 }).map(String), fc.constantFrom('', 'ten', '1.5', 'NaN', 'Infinity', '[]'), oddText).filter((s) => {
    const n = Number(s);
    return !(Number.isInteger(n) && n >= 1 && n <= max);
  });
const badCursor = fc.oneof(fc.constantFrom('0', '-5', 'abc', '9999999999', '99999999999', '1.2', ''), oddText).filter((s) => s !== '' && !(/^[1-9]\d{0,9}$/.test(s) && Number(s) <= MAX_ID));

describe('bad input', () => {
  let server: TestServer;
  let db: Client;
  let dept: TestDepartment;
  let sender: TestMember;
  let recipient: TestMember;
  let ids: { message: number; conversation: number; dispatch: number; group: number; zone: number };
  let tried = 0;

  beforeAll(async () => {
    const keys = webpush.generateVAPIDKeys();
    server = await startTestServer({ VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey, PUSH_WORKERS: 'off' });
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    dept = await TestDepartment.create(server);
    // The sender dispatches too, so the dispatch routes reach their validation.
    [sender, recipient] = await Promise.all([dept.newDispatcher(), dept.newMember()]);
    const zone = await dept.newZone('North', [sender, recipient, dept.admin]);
    for (const m of [sender, recipient, dept.admin]) await dept.setCurrentZone(m, zone);
    const group = await dept.newGroup('Station 1', [recipient]);
    const message = (await dept.as(sender).post('/api/messages').send({ subject: 'Drill', body: 'Tonight', type: 'poll', sendMode: 'specific', userIds: [recipient.id] }).expect(201)).body.id;
    const conversation = (await dept.as(sender).post('/api/conversations').send({ title: 'Crew', memberIds: [recipient.id] }).expect(201)).body.id;
    await dept.as(sender).post(`/api/conversations/${conversation}/messages`).send({ body: 'hello' }).expect(201);
    const dispatch = (await dept.as(sender).post('/api/dispatches').send({ number: 'B-1', zoneId: zone, title: 'Fire' }).expect(201)).body.id;
    ids = { message, conversation, dispatch, group, zone };
  });
  afterAll(async () => {
    closeAllSockets();
    console.log(`bad input: ${tried} generated inputs tried`);
    await db.end();
    await server.close();
  });

  /** Columns that change by themselves (heartbeats, the queue's upkeep), left out of the digests. */
  const TICKING: Record<string, string[]> = {
    'public.server_processes': ['heartbeat_at'],
    'pgboss.version': ['maintained_on', 'monitored_on', 'cron_on'],
  };

  /** Every table in the database, each as one digest: a change to any row of any table changes it. */
  async function snapshot(): Promise<Record<string, string>> {
    const { rows: tables } = await db.query<{ name: string }>(
      `select quote_ident(schemaname) || '.' || quote_ident(tablename) as name from pg_tables
        where schemaname not in ('pg_catalog', 'information_schema') order by 1`,
    );
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const { rows } = await db.query(
        `select count(*)::int as n, md5(coalesce(string_agg((to_jsonb(x) - $1::text[])::text, '|' order by (to_jsonb(x) - $1::text[])::text), '')) as digest from ${name} x`,
        [TICKING[name] ?? []],
      );
      out[name] = `${rows[0].n}:${rows[0].digest}`;
    }
    return out;
  }

  async function send(method: string, url: string, as: TestMember, body?: unknown, raw?: string) {
    const res = await fetch(`${server.baseUrl}${url}`, {
      method,
      headers: { authorization: as.auth, ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    tried++;
    return { status: res.status, text, message: (() => { try { return JSON.parse(text).message; } catch { return undefined; } })() };
  }

  /** Refused by the validation: 400, with a message that mentions one of `names` (the field, the parameter). */
  function expectRefused(res: { status: number; text: string; message: unknown }, what: string, names: readonly string[]) {
    if (res.status !== 400 || typeof res.message !== 'string' || !names.some((n) => (res.message as string).includes(n))) {
      throw new Error(`${what} answered ${res.status} (expected 400 naming ${names.join(' or ')}): ${res.text.slice(0, 300)}`);
    }
  }

  const admin = () => dept.admin;
  // A real device key: one that is not a point on the curve would refuse the valid body too.
  const p256dh = (() => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return ecdh.getPublicKey().toString('base64url');
  })();
  const bodyRoutes: { name: string; method: string; url: () => string; as: () => TestMember; valid: () => Record<string, unknown>; shape: Shape }[] = [
    {
      name: 'compose',
      method: 'POST',
      url: () => '/api/messages',
      as: () => sender,
      valid: () => ({ subject: 'Drill', body: '<p>Tonight</p>', type: 'normal', sendMode: 'specific', userIds: [recipient.id], idempotencyKey: tag() }),
      shape: {
        subject: { kind: 'string', min: 1, max: 200 },
        body: { kind: 'string', min: 1, max: 20_000 },
        type: { kind: 'enum', values: ['normal', 'callback', 'poll', 'alert'], optional: true },
        sendMode: { kind: 'enum', values: ['all', 'match', 'specific'] },
        userIds: { kind: 'ids', min: 0, max: 10_000, optional: true },
        groupIds: { kind: 'ids', min: 0, max: 10_000, optional: true },
        roleIds: { kind: 'ids', min: 0, max: 10_000, optional: true },
        excludeShiftIds: { kind: 'ids', min: 0, max: 10_000, optional: true },
        expiresAt: { kind: 'iso', optional: true },
        idempotencyKey: { kind: 'string', min: 1, max: 200, optional: true },
      },
    },
    {
      name: 'respond',
      method: 'POST',
      url: () => `/api/messages/${ids.message}/response`,
      as: () => recipient,
      valid: () => ({ response: 'yes', note: 'on my way' }),
      shape: { response: { kind: 'enum', values: ['yes', 'no', 'maybe'] }, note: { kind: 'string', min: 0, max: 1000, optional: true } },
    },
    {
      name: 'open a conversation',
      method: 'POST',
      url: () => '/api/conversations',
      as: () => sender,
      valid: () => ({ title: 'Crew', memberIds: [recipient.id] }),
      shape: { title: { kind: 'string', min: 1, max: 200, trimmed: true }, memberIds: { kind: 'ids', min: 0, max: 500 } },
    },
    {
      name: 'open a direct conversation',
      method: 'POST',
      url: () => '/api/conversations/direct',
      as: () => sender,
      valid: () => ({ userId: recipient.id }),
      shape: { userId: { kind: 'id' } },
    },
    {
      name: 'post in a conversation',
      method: 'POST',
      url: () => `/api/conversations/${ids.conversation}/messages`,
      as: () => sender,
      valid: () => ({ body: 'hi', clientId: tag() }),
      shape: {
        body: { kind: 'string', min: 1, max: 4000 },
        clientId: { kind: 'string', min: 1, max: 100, optional: true },
        replyToSeq: { kind: 'int', min: 1, max: MAX_ID, optional: true },
        mentionUserIds: { kind: 'ids', min: 0, max: 100, optional: true },
        attachmentIds: { kind: 'ids', min: 0, max: 10, optional: true },
      },
    },
    {
      name: 'edit a conversation message',
      method: 'PATCH',
      url: () => `/api/conversations/${ids.conversation}/messages/2`,
      as: () => sender,
      valid: () => ({ body: 'hello again' }),
      shape: { body: { kind: 'string', min: 1, max: 4000 } },
    },
    {
      name: 'set a notification level',
      method: 'PUT',
      url: () => `/api/conversations/${ids.conversation}/notifications`,
      as: () => recipient,
      valid: () => ({ level: 'mentions' }),
      shape: { level: { kind: 'enum', values: ['all', 'mentions', 'none'] } },
    },
    {
      name: 'invite',
      method: 'POST',
      url: () => `/api/conversations/${ids.conversation}/invite`,
      as: () => sender,
      valid: () => ({ userIds: [dept.admin.id] }),
      shape: { userIds: { kind: 'ids', min: 1, max: 500 } },
    },
    {
      name: 'mark a conversation read',
      method: 'POST',
      url: () => `/api/conversations/${ids.conversation}/read`,
      as: () => recipient,
      valid: () => ({ seq: 1 }),
      shape: { seq: { kind: 'int', min: 0, max: MAX_ID } },
    },
    {
      name: 'mass text',
      method: 'POST',
      url: () => '/api/conversations/mass-text',
      as: admin,
      valid: () => ({ body: 'Recall', userIds: [recipient.id], groupIds: [ids.group], roleIds: [] }),
      shape: {
        body: { kind: 'string', min: 1, max: 4000 },
        userIds: { kind: 'ids', min: 0, max: 5000, optional: true },
        groupIds: { kind: 'ids', min: 0, max: 500, optional: true },
        roleIds: { kind: 'ids', min: 0, max: 500, optional: true },
      },
    },
    {
      name: 'push subscription',
      method: 'POST',
      url: () => '/api/push/subscriptions',
      as: () => sender,
      valid: () => ({ endpoint: `https://push.example/${tag()}`, keys: { p256dh, auth: 'A'.repeat(22) }, expirationTime: null }),
      shape: {
        endpoint: { kind: 'url' },
        keys: { kind: 'object', fields: { p256dh: { kind: 'string', min: 87, max: 88 }, auth: { kind: 'string', min: 22, max: 24 } } },
      },
    },
    {
      name: 'push unsubscription',
      method: 'DELETE',
      url: () => '/api/push/subscriptions',
      as: () => sender,
      valid: () => ({ endpoint: 'https://push.example/none' }),
      shape: { endpoint: { kind: 'string', min: 0, max: 2048 } },
    },
    {
      name: 'open a dispatch',
      method: 'POST',
      url: () => '/api/dispatches',
      as: () => sender,
      valid: () => ({ number: `N-${tag()}`, zoneId: ids.zone, title: 'Smoke' }),
      shape: { number: { kind: 'string', min: 1, max: 40, trimmed: true }, zoneId: { kind: 'id' }, title: { kind: 'string', min: 1, max: 200, trimmed: true } },
    },
    {
      name: 'assign a task',
      method: 'POST',
      url: () => `/api/dispatches/${ids.dispatch}/tasks`,
      as: () => sender,
      valid: () => ({ officerId: recipient.id, description: 'Attack' }),
      shape: { officerId: { kind: 'id' }, description: { kind: 'string', min: 1, max: 500, trimmed: true } },
    },
    {
      name: 'add a member',
      method: 'POST',
      url: () => '/api/department/members',
      as: admin,
      valid: () => ({ name: 'New', email: `n-${tag()}@test.example`, password: 'password-123', permissions: ['Messages_View'], isAdmin: false }),
      shape: {
        name: { kind: 'string', min: 1, max: 120 },
        email: { kind: 'email' },
        password: { kind: 'string', min: 8, max: 200 },
        permissions: { kind: 'ids', min: 0, max: 4, optional: true },
        isAdmin: { kind: 'bool', optional: true },
      },
    },
    {
      name: 'change a member',
      method: 'PATCH',
      url: () => `/api/department/members/${recipient.id}`,
      as: admin,
      valid: () => ({ isAdmin: false, active: true }),
      shape: { isAdmin: { kind: 'bool', optional: true }, active: { kind: 'bool', optional: true }, currentZoneId: { kind: 'id', optional: true } },
    },
    {
      name: 'switch the module',
      method: 'PUT',
      url: () => '/api/department/modules/messages',
      as: admin,
      valid: () => ({ enabled: true }),
      shape: { enabled: { kind: 'bool' } },
    },
    {
      name: 'create a group',
      method: 'POST',
      url: () => '/api/groups',
      as: admin,
      valid: () => ({ name: 'Station 2' }),
      shape: { name: { kind: 'string', min: 1, max: 120 } },
    },
    {
      name: 'set group members',
      method: 'PUT',
      url: () => `/api/groups/${ids.group}/members`,
      as: admin,
      valid: () => ({ userIds: [recipient.id] }),
      shape: { userIds: { kind: 'ids', min: 0, max: 20_000 } },
    },
    {
      name: 'create a department',
      method: 'POST',
      url: () => '/api/departments',
      as: admin,
      valid: () => ({ name: 'Elsewhere', admin: { name: 'A', email: `d-${tag()}@test.example`, password: 'password-123' } }),
      shape: {
        name: { kind: 'string', min: 1, max: 200 },
        admin: { kind: 'object', fields: { name: { kind: 'string', min: 1, max: 120 }, email: { kind: 'email' }, password: { kind: 'string', min: 8, max: 200 } } },
      },
    },
    {
      name: 'log in',
      method: 'POST',
      url: () => '/api/auth/login',
      as: admin,
      valid: () => ({ email: sender.email, password: 'member-password' }),
      shape: { email: { kind: 'email' }, password: { kind: 'string', min: 1, max: 200 } },
    },
  ];

  it.each(bodyRoutes.map((r) => [r.name, r] as const))('%s: every malformed body is the validation\'s 400 naming the field, and changes nothing', async (_name, route) => {
    const before = await snapshot();
    await checkAll(fc.constant(null).chain(() => badBody(route.valid(), route.shape)), RUNS, async ({ body, names }) => {
      expectRefused(await send(route.method, route.url(), route.as(), body), `${route.method} ${route.url()} ${JSON.stringify(body)?.slice(0, 300)}`, names);
    });
    expect(await snapshot()).toEqual(before);
    // The same route with the valid body works, so the refusals above were about the input.
    const accepted = await send(route.method, route.url(), route.as(), route.valid());
    expect({ route: route.name, status: accepted.status, ok: accepted.status >= 200 && accepted.status < 300 }).toEqual({
      route: route.name,
      status: accepted.status,
      ok: true,
    });
  });

  it('refuses text that is not JSON, or JSON with a poisoned prototype, with 400', async () => {
    const before = await snapshot();
    const raws = ['{', '{"subject": "x",}', "{'subject': 'x'}", '{"__proto__": {"isAdmin": true}}', '{"constructor": {"prototype": {"isAdmin": true}}}', 'NaN', '\u0000'];
    for (const raw of raws) expectRefused(await send('POST', '/api/messages', sender, undefined, raw), raw, ['JSON', 'json', 'prototype', 'Unexpected', 'body']);
    const notJson = fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    });
    await checkAll(notJson, RUNS, async (raw) => {
      expectRefused(await send('POST', '/api/conversations', sender, undefined, raw), JSON.stringify(raw), ['JSON', 'json', 'Unexpected', 'body', 'Body']);
    });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses every malformed path id with the validation\'s 400 naming the parameter, and changes nothing', async () => {
    const before = await snapshot();
    const routes: [string, string, TestMember, unknown?][] = [
      ['GET', '/api/messages/:id', recipient],
      ['POST', '/api/messages/:id/response', recipient, { response: 'yes' }],
      ['DELETE', '/api/messages/inbox/:id', recipient],
      ['DELETE', '/api/messages/outbox/:id', sender],
      ['GET', '/api/conversations/:id/messages', sender],
      ['POST', '/api/conversations/:id/messages', sender, { body: 'x' }],
      ['POST', '/api/conversations/:id/invite', sender, { userIds: [recipient.id] }],
      ['POST', '/api/conversations/:id/leave', sender],
      ['POST', '/api/conversations/:id/read', sender, { seq: 1 }],
      ['POST', '/api/dispatches/:id/tasks', sender, { officerId: recipient.id, description: 'x' }],
      ['POST', '/api/dispatches/:id/close', sender],
      ['PATCH', '/api/department/members/:id', dept.admin, { active: false }],
      ['PUT', '/api/groups/:id/members', dept.admin, { userIds: [] }],
    ];
    await checkAll(fc.tuple(fc.constantFrom(...routes), badPathId), RUNS * 3, async ([[method, path, as, body], id]) => {
        const res = await send(method, path.replace(':id', encodeURIComponent(id)), as, body);
        expectRefused(res, `${method} ${path} with id ${JSON.stringify(id)}`, ['id must be a positive integer', 'id must not contain NUL']);
    });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses every malformed query with the validation\'s 400 naming the parameter, and changes nothing', async () => {
    const before = await snapshot();
    const q = encodeURIComponent;
    const cases = fc.oneof(
      fc.tuple(fc.constantFrom('PUT /api/messages/read', 'DELETE /api/messages/inbox', 'DELETE /api/messages/outbox'), badIdList).map(([r, v]) => [r, `ids=${q(v)}`, 'ids'] as const),
      fc.tuple(fc.constantFrom('GET /api/messages/inbox', 'GET /api/messages/outbox', 'GET /api/dispatches'), badLimit(100)).map(([r, v]) => [r, `limit=${q(v)}`, 'limit'] as const),
      fc.constantFrom('GET /api/messages/inbox', 'GET /api/messages/outbox', 'GET /api/dispatches').chain((r) => badCursor.map((v) => [r, `cursor=${q(v)}`, 'cursor'] as const)),
      badLimit(50).map((v) => ['GET /api/messages/unread/top', `limit=${q(v)}`, 'limit'] as const),
      badLimit(500).map((v) => ['GET /api/conversations', `limit=${q(v)}`, 'limit'] as const),
      fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('1', 'yes', 'TRUE', '')).filter((s) => s !== 'true' && s !== 'false').map((v) => ['GET /api/messages/inbox', `unread=${q(v)}`, 'unread'] as const),
      fc.string({ maxLength: 8 }).filter((s) => s !== 'open' && s !== 'closed').map((v) => ['GET /api/dispatches', `status=${q(v)}`, 'status'] as const),
      fc
        .oneof(badLimit(200).map((v) => ['limit', v] as const), badLimit(MAX_ID).map((v) => ['before', v] as const), badLimit(MAX_ID).filter((v) => Number(v) !== 0).map((v) => ['after', v] as const))
        .map(([k, v]) => [`GET /api/conversations/${ids.conversation}/messages`, `${k}=${q(v)}`, k] as const),
      fc.tuple(fc.constantFrom('limit', 'cursor'), fc.constantFrom('limit', 'cursor')).map(([a, b]) => ['GET /api/messages/inbox', `${a}=1&${b}=2&extra=1`, 'extra'] as const),
      // Keys that reach for the prototype, and a parameter given twice.
      fc
        .tuple(fc.constantFrom('GET /api/messages/inbox', 'GET /api/conversations', 'GET /api/dispatches'), fc.constantFrom('__proto__', 'constructor', 'prototype'))
        .map(([r, key]) => [r, `${key}=1`, key] as const),
      fc.constantFrom('GET /api/messages/outbox', 'GET /api/dispatches').map((r) => [r, 'limit=1&limit=2', 'limit'] as const),
      fc.constantFrom('PUT /api/messages/read', 'DELETE /api/messages/inbox').map((r) => [r, 'ids=1&ids=2', 'ids'] as const),
    );
    await checkAll(cases, RUNS * 4, async ([route, query, param]) => {
        const [method, path] = route.split(' ');
        // The ids routes are batch writes: run them as the recipient, whose inbox holds a message.
        const res = await send(method, `${path}?${query}`, path.includes('outbox') ? sender : recipient);
        expectRefused(res, `${route}?${query}`, [param]);
    });
    expect(await snapshot()).toEqual(before);
  });

  it('answers every malformed socket payload with an error ack, never silence or a crash, and changes nothing', async () => {
    const socket = await connectSocket(server.baseUrl, sender.token);
    // Connecting hands over pending invitations (a write of its own): measure from after it.
    await settle();
    const before = await snapshot();
    const emit = (event: 'conversation:send' | 'conversation:read' | 'conversation:typing', payload: unknown) =>
      new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ack for ${event} ${JSON.stringify(payload)?.slice(0, 200)}`)), 3000);
        (socket.emit as (...a: unknown[]) => void)(event, payload, (ack: unknown) => {
          clearTimeout(timer);
          resolve(ack);
        });
      });
    const sendShape: Shape = {
      conversationId: { kind: 'id' },
      body: { kind: 'string', min: 1, max: 4000 },
      clientId: { kind: 'string', min: 1, max: 100, optional: true },
    };
    const readShape: Shape = { conversationId: { kind: 'id' }, seq: { kind: 'int', min: 0, max: MAX_ID } };
    const typingShape: Shape = { conversationId: { kind: 'id' } };
    const payloads = fc.oneof(
      badBody({ conversationId: ids.conversation }, typingShape).map((p) => ['conversation:typing', p.body] as const),
      badBody({ conversationId: ids.conversation, body: 'hi', clientId: 'c-1' }, sendShape).map((p) => ['conversation:send', p.body] as const),
      badBody({ conversationId: ids.conversation, seq: 1 }, readShape).map((p) => ['conversation:read', p.body] as const),
    );
    await checkAll(payloads, RUNS * 3, async ([event, payload]) => {
        tried++;
        const ack = (await emit(event, payload)) as { ok?: unknown; error?: { statusCode?: unknown; message?: unknown } };
        const code = ack?.error?.statusCode;
        if (ack?.ok !== false || typeof code !== 'number' || code < 400 || code >= 500 || typeof ack.error?.message !== 'string' || !ack.error.message.trim()) {
          throw new Error(`${event} ${JSON.stringify(payload)?.slice(0, 200)} acked ${JSON.stringify(ack)?.slice(0, 300)}`);
        }
    });
    // Binary payloads are refused the same way; events sent without an acknowledgement leave the socket working.
    for (const payload of [Buffer.from([0, 1, 2]), new Uint8Array([255])]) {
      expect(await emit('conversation:send', payload)).toMatchObject({ ok: false, error: { statusCode: 400 } });
    }
    (socket.emit as (...a: unknown[]) => void)('conversation:send', { conversationId: 'x' });
    (socket.emit as (...a: unknown[]) => void)('conversation:read');
    expect(await emit('conversation:read', {})).toMatchObject({ ok: false, error: { statusCode: 400 } });
    expect(socket.connected).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  describe('oversized bodies', () => {
    /** Sends headers and a first chunk; resolves with the answer and how many bytes had gone out by then. */
    function pushBody(path: string, token: string, headers: Record<string, string | number>, chunk: Buffer, maxChunks: number) {
      const url = new URL(`${server.baseUrl}${path}`);
      return new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
        let sent = 0;
        let answered = false;
        const req = http.request({ host: url.hostname, port: url.port, path, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers } }, (res) => {
          answered = true;
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sent }));
        });
        req.on('error', (e) => (answered ? undefined : reject(e)));
        const pump = (n: number) => {
          if (answered || n >= maxChunks) return;
          req.write(chunk, () => {
            sent += chunk.length;
            setTimeout(() => pump(n + 1), 5);
          });
        };
        pump(0);
      });
    }

    it('refuses a body announced larger than the limit with 413 before it has arrived', async () => {
      const before = await snapshot();
      const res = await pushBody('/api/messages', sender.token, { 'content-length': 50 * 1024 * 1024 }, Buffer.alloc(16 * 1024, 'a'), 4);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).message).toMatch(/too large/i);
      expect(res.sent).toBeLessThan(BODY_LIMIT_BYTES);
      expect(await snapshot()).toEqual(before);
    });

    it('stops reading a chunked body once it passes the limit, with 413', async () => {
      const res = await pushBody('/api/messages', sender.token, { 'transfer-encoding': 'chunked' }, Buffer.alloc(32 * 1024, 'a'), 200);
      expect(res.status).toBe(413);
      expect(res.sent).toBeLessThan(BODY_LIMIT_BYTES * 3);
    });
  });
});
