import { createHash, randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { TestDepartment, type TestMember } from '../support/factories';
import { closeAllSockets, connectSocket, eventually, nextEvent } from '../support/sockets';
import { startTestServer, TEST_JWT_SECRET, type TestServer } from '../support/test-server';

/** A token signed as the server signs them (same key id scheme), with exactly the claims given. */
function signRaw(claims: object, secret = TEST_JWT_SECRET): string {
  const kid = createHash('sha256').update(secret).digest('base64url').slice(0, 12);
  return new JwtService({}).sign(claims, { secret, algorithm: 'HS256', keyid: kid });
}

const login = (server: TestServer, email: string, password: string) => request(server.baseUrl).post('/api/auth/login').send({ email, password });
const inbox = (server: TestServer, token: string) => request(server.baseUrl).get('/api/messages/inbox').set('Authorization', `Bearer ${token}`);

describe('sessions', () => {
  let server: TestServer;
  let dept: TestDepartment;
  beforeAll(async () => {
    server = await startTestServer();
    dept = await TestDepartment.create(server);
  });
  afterAll(async () => {
    closeAllSockets();
    await server.close();
  });

  async function signedIn(): Promise<TestMember & { password: string }> {
    const member = await dept.newMember();
    const res = await login(server, member.email, 'member-password').expect(200);
    return { ...member, token: res.body.accessToken, auth: `Bearer ${res.body.accessToken}`, password: 'member-password' };
  }

  it('refuses a token without an expiry, over HTTP and the socket', async () => {
    const member = await dept.newMember();
    const now = Math.floor(Date.now() / 1000);
    const forever = signRaw({ sub: member.id, dept: dept.id, sv: 0, jti: randomUUID(), iat: now });
    await inbox(server, forever).expect(401);
    await expect(connectSocket(server.baseUrl, forever)).rejects.toThrow('A valid access token is required');
    // The same claims with an expiry are let in, so the refusal is the missing expiry's.
    await inbox(server, signRaw({ sub: member.id, dept: dept.id, sv: 0, jti: randomUUID(), iat: now, exp: now + 600 })).expect(200);
  });

  it('ends the token on logout, and its socket at once, while the member’s other tokens go on', async () => {
    const member = await signedIn();
    const other = (await login(server, member.email, member.password).expect(200)).body.accessToken as string;
    const socket = await connectSocket(server.baseUrl, member.token);
    const otherSocket = await connectSocket(server.baseUrl, other);
    const ended = nextEvent(socket, 'session:ended', () => true, 2_000);
    await request(server.baseUrl).post('/api/auth/logout').set('Authorization', member.auth).expect(204);
    expect(await ended).toEqual({ statusCode: 401, message: 'This session was signed out' });
    await eventually(() => !socket.connected, 2_000, 'the signed-out socket closed');
    const res = await inbox(server, member.token).expect(401);
    expect(res.body.message).toBe('A valid bearer token is required');
    await expect(connectSocket(server.baseUrl, member.token)).rejects.toThrow();
    await inbox(server, other).expect(200);
    expect(otherSocket.connected).toBe(true);
  });

  it('changes the password, ends every earlier token and socket, and answers with a token that works', async () => {
    const member = await signedIn();
    const earlier = (await login(server, member.email, member.password).expect(200)).body.accessToken as string;
    const socket = await connectSocket(server.baseUrl, earlier);
    const ended = nextEvent(socket, 'session:ended', () => true, 2_000);
    const wrong = await request(server.baseUrl)
      .post('/api/auth/password')
      .set('Authorization', member.auth)
      .send({ currentPassword: 'not-it', newPassword: 'a-new-password' })
      .expect(403);
    expect(wrong.body.message).toBe('currentPassword is not your current password');
    await inbox(server, member.token).expect(200);
    const short = await request(server.baseUrl).post('/api/auth/password').set('Authorization', member.auth).send({ currentPassword: member.password, newPassword: 'short' }).expect(400);
    expect(short.body.message).toContain('newPassword');

    const changed = await request(server.baseUrl)
      .post('/api/auth/password')
      .set('Authorization', member.auth)
      .send({ currentPassword: member.password, newPassword: 'a-new-password' })
      .expect(200);
    expect(await ended).toEqual({ statusCode: 401, message: 'The password was changed; sign in again' });
    for (const token of [member.token, earlier]) await inbox(server, token).expect(401);
    await inbox(server, changed.body.accessToken).expect(200);
    await login(server, member.email, member.password).expect(401);
    const again = await login(server, member.email, 'a-new-password').expect(200);
    await inbox(server, again.body.accessToken).expect(200);
  });

  it('lets an admin reset a member’s password, which ends the member’s sessions; members may not', async () => {
    const member = await signedIn();
    const bystander = await signedIn();
    const socket = await connectSocket(server.baseUrl, member.token);
    const ended = nextEvent(socket, 'session:ended', () => true, 2_000);
    const refused = await dept.as(bystander).put(`/api/department/members/${member.id}/password`).send({ password: 'taken-over-1' }).expect(403);
    expect(refused.body.message).toBe('Only department admins may do this');
    await inbox(server, member.token).expect(200);

    await dept.asAdmin().put(`/api/department/members/${member.id}/password`).send({ password: 'reset-by-admin' }).expect(204);
    expect(await ended).toEqual({ statusCode: 401, message: 'The password was changed; sign in again' });
    await inbox(server, member.token).expect(401);
    await login(server, member.email, member.password).expect(401);
    await login(server, member.email, 'reset-by-admin').expect(200);
    await inbox(server, bystander.token).expect(200);
  });

  describe('renewal with the refresh cookie', () => {
    const refresh = (cookie?: string) => {
      const req = request(server.baseUrl).post('/api/auth/refresh');
      return cookie ? req.set('Cookie', cookie) : req;
    };
    /** The `name=value` part of the refresh cookie a response sets, and the cookie's attributes. */
    const cookieOf = (res: request.Response) => {
      const raw = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('messages_refresh='));
      if (!raw) throw new Error('no refresh cookie set');
      return { pair: raw.split(';')[0], attributes: raw.split(';').slice(1).map((a) => a.trim().toLowerCase()) };
    };
    const signIn = async () => {
      const member = await dept.newMember();
      const res = await login(server, member.email, 'member-password').expect(200);
      return { member, token: res.body.accessToken as string, cookie: cookieOf(res).pair, attributes: cookieOf(res).attributes };
    };

    it('sets an httpOnly, SameSite=Strict cookie for the refresh route only, and trades it once for a new token and cookie', async () => {
      const { cookie, attributes } = await signIn();
      expect(attributes).toEqual(expect.arrayContaining(['path=/api/auth/refresh', 'httponly', 'samesite=strict']));
      // Plain HTTP here: a Secure cookie would never come back.
      expect(attributes).not.toContain('secure');
      const renewed = await refresh(cookie).expect(200);
      await inbox(server, renewed.body.accessToken).expect(200);
      const next = cookieOf(renewed).pair;
      expect(next).not.toBe(cookie);
      await refresh(next).expect(200);
      await refresh().expect(401);
      await refresh('messages_refresh=made-up').expect(401);
    });

    it('ends the whole sign-in when a spent cookie comes back (a copy), but not other sign-ins', async () => {
      const { cookie } = await signIn();
      const other = await signIn();
      const renewed = cookieOf(await refresh(cookie).expect(200)).pair;
      await refresh(cookie).expect(401);
      await refresh(renewed).expect(401);
      await refresh(other.cookie).expect(200);
    });

    it('stops renewing after logout, a password change and deactivation', async () => {
      const out = await signIn();
      await request(server.baseUrl).post('/api/auth/logout').set('Authorization', `Bearer ${out.token}`).expect(204);
      await refresh(out.cookie).expect(401);

      const changed = await signIn();
      const elsewhere = cookieOf(await login(server, changed.member.email, 'member-password').expect(200)).pair;
      const res = await request(server.baseUrl)
        .post('/api/auth/password')
        .set('Authorization', `Bearer ${changed.token}`)
        .send({ currentPassword: 'member-password', newPassword: 'a-new-password-1' })
        .expect(200);
      await refresh(changed.cookie).expect(401);
      await refresh(elsewhere).expect(401);
      // The session the change answered with renews.
      await refresh(cookieOf(res).pair).expect(200);

      const deactivated = await signIn();
      await dept.asAdmin().patch(`/api/department/members/${deactivated.member.id}`).send({ active: false }).expect(200);
      await refresh(deactivated.cookie).expect(401);
    });
  });

  it('does not let an admin reset a password in another department', async () => {
    const member = await dept.newMember();
    const other = await TestDepartment.create(server);
    await other.asAdmin().put(`/api/department/members/${member.id}/password`).send({ password: 'taken-over-1' }).expect(404);
    await login(server, member.email, 'member-password').expect(200);
  });
});

describe('secret rotation', () => {
  it('accepts a token signed with a previous secret, and refuses one signed with a secret it does not know', async () => {
    const previous = 'the-previous-secret-which-is-long-enough-too';
    const server = await startTestServer({ JWT_PREVIOUS_SECRETS: `${previous},another-retired-secret-of-enough-length` });
    try {
      const dept = await TestDepartment.create(server);
      const member = await dept.newMember();
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: member.id, dept: dept.id, sv: 0, iat: now, exp: now + 600 };
      await inbox(server, signRaw({ ...claims, jti: randomUUID() }, previous)).expect(200);
      await inbox(server, signRaw({ ...claims, jti: randomUUID() })).expect(200);
      await inbox(server, signRaw({ ...claims, jti: randomUUID() }, 'a-secret-this-server-never-had-of-length')).expect(401);
      // An unknown secret under a known key id: the signature decides.
      const forged = signRaw({ ...claims, jti: randomUUID() }, 'a-secret-this-server-never-had-of-length').split('.');
      const [header] = signRaw({ ...claims, jti: randomUUID() }, previous).split('.');
      await inbox(server, [header, forged[1], forged[2]].join('.')).expect(401);
    } finally {
      await server.close();
    }
  });
});
