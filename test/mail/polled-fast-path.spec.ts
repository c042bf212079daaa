import { createHash, randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { Writable } from 'node:stream';
import request from 'supertest';
import { PolledFastPath } from '../../src/messages/mail/polled-fast-path';
import { MESSAGES_MEMBER_DEFAULTS, MessagesPermission } from '../../src/messages/messages.permissions';
import { TestDepartment, type TestMember } from '../support/factories';
import { startTestServer, TEST_JWT_SECRET, type TestServer } from '../support/test-server';
import { sendOk } from './mail-support';

const TOP = '/api/messages/unread/top';
const INBOX = '/api/messages/inbox';
/** The pipeline server's limit: high enough for every comparison (refusals count per address too). */
const COMPARED_PER_MINUTE = 1000;
const PER_MINUTE = 10;

/** Headers that differ between any two answers (time, connection) or that only the limiter adds. */
const VOLATILE = /^(date|connection|keep-alive|x-ratelimit-.*|retry-after)$/;

function signRaw(claims: object, secret = TEST_JWT_SECRET): string {
  const kid = createHash('sha256').update(secret).digest('base64url').slice(0, 12);
  return new JwtService({}).sign(claims, { secret, algorithm: 'HS256', keyid: kid });
}

type Answer = { status: number; body: unknown; text: string; headers: Record<string, string> };

async function ask(baseUrl: string, url: string, headers: Record<string, string>): Promise<Answer> {
  const res = await request(baseUrl).get(url).set(headers);
  const kept = Object.fromEntries(Object.entries(res.headers as Record<string, string>).filter(([name]) => !VOLATILE.test(name)));
  return { status: res.status, body: res.body, text: res.text, headers: kept };
}

/**
 * The dashboard's poll has a short path. Two servers share one database: one with the short
 * path, one held to the whole pipeline (its short path always stands aside), with rate limiting
 * on. Every answer must be the same on both.
 */
describe('the polled routes (unread/top, the inbox first page): the short path answers as the pipeline does', () => {
  let fast: TestServer;
  let pipeline: TestServer;
  let dept: TestDepartment;
  let sender: TestMember;
  let answered = 0;

  beforeAll(async () => {
    fast = await startTestServer();
    pipeline = await startTestServer({ RATE_LIMIT: 'on', RATE_LIMIT_PER_MINUTE: String(COMPARED_PER_MINUTE) }, fast.databaseUrl);
    dept = await TestDepartment.create(fast);
    sender = await dept.newMember();
    const answer = PolledFastPath.prototype.answer;
    const wholeWay = pipeline.app.get(PolledFastPath);
    jest.spyOn(PolledFastPath.prototype, 'answer').mockImplementation(async function (this: PolledFastPath, ...args) {
      if (this === wholeWay) return false;
      const done = await answer.apply(this, args);
      if (done) answered++;
      return done;
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await pipeline?.close();
    await fast?.close();
  });

  /** The same request to both servers: equal answers, and whether the short path took it. */
  async function same(url: string, headers: Record<string, string>, expected: { status: number; short: boolean }): Promise<Answer> {
    const before = answered;
    const quick = await ask(fast.baseUrl, url, headers);
    expect(answered - before).toBe(expected.short ? 1 : 0);
    const slow = await ask(pipeline.baseUrl, url, headers);
    expect(answered - before).toBe(expected.short ? 1 : 0);
    expect(quick.status).toBe(expected.status);
    expect(quick).toEqual(slow);
    return quick;
  }

  const withMail = async () => {
    const reader = await dept.newMember();
    await sendOk(dept, sender, { subject: 'Hydrant check', sendMode: 'specific', userIds: [reader.id] });
    return reader;
  };

  it('answers 200, then 304 to a matching ETag and 200 to a stale one, with the same headers and body', async () => {
    const reader = await withMail();
    const first = await same(TOP, { Authorization: reader.auth }, { status: 200, short: true });
    expect(first.headers.etag).toMatch(/^"unread-/);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    expect(first.headers['content-security-policy']).toBeDefined();
    expect((first.body as { count: number }).count).toBe(1);
    await same(TOP, { Authorization: reader.auth, 'If-None-Match': first.headers.etag }, { status: 304, short: true });
    await same(`${TOP}?limit=2`, { Authorization: reader.auth }, { status: 200, short: true });
    await sendOk(dept, sender, { subject: 'Hose test', sendMode: 'specific', userIds: [reader.id] });
    const fresh = await same(TOP, { Authorization: reader.auth, 'If-None-Match': first.headers.etag }, { status: 200, short: true });
    expect(fresh.headers.etag).not.toBe(first.headers.etag);
    expect((fresh.body as { count: number }).count).toBe(2);
  });

  it('leaves a missing, garbled, expired or foreign token to the pipeline: the same 401', async () => {
    const reader = await withMail();
    const now = Math.floor(Date.now() / 1000);
    const expired = signRaw({ sub: reader.id, dept: dept.id, sv: 0, jti: randomUUID(), iat: now - 7200, exp: now - 3600 });
    const forged = signRaw({ sub: reader.id, dept: dept.id, sv: 0, jti: randomUUID(), iat: now, exp: now + 600 }, 'another-secret-that-is-long-enough-for-hs256');
    const tokens: Record<string, string>[] = [{}, { Authorization: 'Bearer not.a.token' }, { Authorization: `Bearer ${expired}` }, { Authorization: `Bearer ${forged}` }];
    for (const headers of tokens) {
      const answer = await same(TOP, headers, { status: 401, short: false });
      expect(answer.headers.etag).toBeUndefined();
    }
  });

  it('leaves a member without Messages_View to the pipeline: the same 403', async () => {
    const blind = await dept.newMember({ permissions: MESSAGES_MEMBER_DEFAULTS.filter((p) => p !== MessagesPermission.View) });
    const answer = await same(TOP, { Authorization: blind.auth }, { status: 403, short: false });
    expect((answer.body as { message: string }).message).toMatch(/Messages_View|View/);
  });

  it('leaves a deactivated member to the pipeline: the same 401', async () => {
    const departed = await withMail();
    await dept.asAdmin().patch(`/api/department/members/${departed.id}`).send({ active: false }).expect(200);
    await same(TOP, { Authorization: departed.auth }, { status: 401, short: false });
  });

  it('leaves a department that switched messages off to the pipeline: the same 403', async () => {
    const other = await TestDepartment.create(fast);
    const member = await other.newMember();
    await other.switchMessages(false);
    const answer = await same(TOP, { Authorization: member.auth }, { status: 403, short: false });
    expect((answer.body as { message: string }).message).toMatch(/disabled/);
  });

  it('leaves any other query to the pipeline: the same 400s and messages', async () => {
    for (const query of ['limit=0', 'limit=abc', 'limit=101', 'limit=51', 'limit=1&limit=2', 'other=1']) {
      const reader = await dept.newMember();
      const answer = await same(`${TOP}?${query}`, { Authorization: reader.auth }, { status: 400, short: false });
      expect((answer.body as { message: string }).message).toBeTruthy();
    }
    // Accepted, but not in canonical digits: the pipeline's own conversion decides.
    for (const query of ['limit=05', 'limit=%205']) {
      const reader = await dept.newMember();
      await same(`${TOP}?${query}`, { Authorization: reader.auth }, { status: 200, short: false });
    }
  });

  it("answers the inbox's first page as the pipeline does, and leaves every other inbox request to it", async () => {
    const reader = await withMail();
    const page = await same(INBOX, { Authorization: reader.auth }, { status: 200, short: true });
    expect((page.body as { items: unknown[] }).items).toHaveLength(1);
    expect(page.headers['content-type']).toMatch(/^application\/json/);
    await same(`${INBOX}?limit=100`, { Authorization: reader.auth }, { status: 200, short: true });
    await same(`${INBOX}?unread=true`, { Authorization: reader.auth }, { status: 200, short: false });
    await same(`${INBOX}?cursor=1`, { Authorization: reader.auth }, { status: 200, short: false });
    for (const query of ['limit=0', 'limit=abc', 'limit=101', 'cursor=x']) await same(`${INBOX}?${query}`, { Authorization: (await dept.newMember()).auth }, { status: 400, short: false });
    await same(INBOX, {}, { status: 401, short: false });
    await same(INBOX, { Authorization: 'Bearer not.a.token' }, { status: 401, short: false });
    const blind = await dept.newMember({ permissions: MESSAGES_MEMBER_DEFAULTS.filter((p) => p !== MessagesPermission.View) });
    await same(INBOX, { Authorization: blind.auth }, { status: 403, short: false });
    const departed = await dept.newMember();
    await dept.asAdmin().patch(`/api/department/members/${departed.id}`).send({ active: false }).expect(200);
    await same(INBOX, { Authorization: departed.auth }, { status: 401, short: false });
    const other = await TestDepartment.create(fast);
    const member = await other.newMember();
    await other.switchMessages(false);
    await same(INBOX, { Authorization: member.auth }, { status: 403, short: false });
  });

  it("counts the polls in the host's own limit while rate limiting is on: the same count as the long way, then a 429", async () => {
    // An address of its own (through a trusted proxy): the refusals compared above count against the loopback's.
    const limited = await startTestServer({ RATE_LIMIT: 'on', RATE_LIMIT_PER_MINUTE: String(PER_MINUTE), TRUST_PROXY: '127.0.0.1' }, fast.databaseUrl);
    try {
      const poller = await withMail();
      const poll = (url: string) => request(limited.baseUrl).get(url).set('Authorization', poller.auth).set('X-Forwarded-For', '198.51.100.77');
      // Each route counts on its own.
      for (const url of [TOP, INBOX]) {
        const before = answered;
        const remaining: string[] = [];
        const seen: number[] = [];
        for (let i = 0; i < PER_MINUTE / 2; i++) {
          const res = await poll(url);
          seen.push(res.status);
          remaining.push(res.headers['x-ratelimit-remaining']);
        }
        expect(answered - before).toBe(PER_MINUTE / 2);
        // The long way (a limit written with a leading zero is not a plain query) counts on from there.
        for (let i = 0; i < PER_MINUTE / 2; i++) {
          const res = await poll(`${url}?limit=05`);
          seen.push(res.status);
          remaining.push(res.headers['x-ratelimit-remaining']);
        }
        expect(answered - before).toBe(PER_MINUTE / 2);
        const refused = await poll(url);
        seen.push(refused.status);
        expect(seen).toEqual([...Array.from({ length: PER_MINUTE }, () => 200), 429]);
        expect(remaining).toEqual(Array.from({ length: PER_MINUTE }, (_, i) => String(PER_MINUTE - 1 - i)));
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      }
    } finally {
      await limited.close();
    }
  });

  it('is seen by the request log, with the caller, when request lines are on', async () => {
    const lines: string[] = [];
    const capture = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logged = await startTestServer({ LOG_LEVEL: 'info' }, fast.databaseUrl, { logDestination: capture });
    try {
      const reader = await withMail();
      const before = answered;
      await request(logged.baseUrl).get(`${TOP}?limit=3`).set('Authorization', reader.auth).expect(200);
      expect(answered).toBe(before + 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const line = lines.map((l) => JSON.parse(l) as Record<string, any>).find((l) => l.req?.url === `${TOP}?limit=3`);
      expect(line).toMatchObject({ res: { statusCode: 200 }, userId: reader.id, departmentId: dept.id });
      expect(JSON.stringify(line)).not.toContain(reader.token);
    } finally {
      await logged.close();
    }
  });
});
