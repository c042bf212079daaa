import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { TokenService } from './token.service';

/** The cookie that carries the refresh token; sent only to the refresh route. */
export const REFRESH_COOKIE = 'messages_refresh';
export const REFRESH_PATH = '/api/auth/refresh';

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Renewal of a sign-in. A refresh token is good once: using it replaces it with a new one of the
 * same family and signs a new access token. It stops working when the member signs out (the
 * family ends), changes password or is reset (the session version moves on), or is deactivated.
 */
@Injectable()
export class RefreshService {
  constructor(
    private readonly em: EntityManager,
    private readonly tokens: TokenService,
    private readonly lifetimeDays: number,
  ) {}

  get maxAgeSeconds(): number {
    return this.lifetimeDays * 86_400;
  }

  /** A new sign-in: a new family, its first refresh token and an access token naming it. */
  async start(member: { sub: number; dept: number; sv: number }): Promise<SessionTokens> {
    return this.issue(member, randomUUID());
  }

  /** A new sign-in for the member an access token just signed at login names. */
  async startFrom(accessToken: string): Promise<SessionTokens> {
    const claims = this.tokens.verify(accessToken);
    if (!claims) throw new UnauthorizedException('Wrong email or password');
    return this.start({ sub: claims.sub, dept: claims.dept, sv: claims.sv });
  }

  /** Trades a refresh token for a new pair; 401 when it is unknown, spent, expired or its member's sessions ended. */
  async refresh(refreshToken: string | undefined): Promise<SessionTokens> {
    const refused = new UnauthorizedException('Your session has ended; sign in again');
    if (!refreshToken) throw refused;
    const conn = this.em.getConnection();
    // Spent in the same statement that reads it, so two uses at once cannot both succeed.
    const [row] = await conn.execute<{ family: string; member_id: number; department_id: number; session_version: number; was_replaced: boolean; expired: boolean }[]>(
      `with old as (select * from refresh_tokens where token_hash = ? for update)
       update refresh_tokens r set replaced_at = coalesce(r.replaced_at, now())
         from old where r.token_hash = old.token_hash
       returning r.family, r.member_id, r.department_id, r.session_version,
                 old.replaced_at is not null as was_replaced, old.expires_at <= now() as expired`,
      [hashOf(refreshToken)],
    );
    if (!row) throw refused;
    if (row.was_replaced) {
      // A token used twice was copied: neither copy may go on.
      await conn.execute('delete from refresh_tokens where family = ?', [row.family]);
      throw refused;
    }
    if (row.expired) throw refused;
    const [member] = await conn.execute<{ active: boolean; session_version: number }[]>(
      'select active, session_version from members where id = ? and department_id = ?',
      [row.member_id, row.department_id],
    );
    if (!member || !member.active || member.session_version !== row.session_version) {
      await conn.execute('delete from refresh_tokens where family = ?', [row.family]);
      throw refused;
    }
    return this.issue({ sub: row.member_id, dept: row.department_id, sv: row.session_version }, row.family);
  }

  /** Ends a sign-in: its refresh tokens stop working. */
  async end(family: string | undefined): Promise<void> {
    if (!family) return;
    await this.em.getConnection().execute('delete from refresh_tokens where family = ?', [family]);
  }

  /** After a password change or reset: every earlier sign-in of the member stops renewing. */
  async endAllOf(memberId: number): Promise<void> {
    await this.em.getConnection().execute('delete from refresh_tokens where member_id = ?', [memberId]);
  }

  private async issue(member: { sub: number; dept: number; sv: number }, family: string): Promise<SessionTokens> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.em.getConnection().execute(
      `with gone as (delete from refresh_tokens where expires_at <= now() - interval '1 day')
       insert into refresh_tokens (token_hash, family, member_id, department_id, session_version, expires_at)
       values (?, ?, ?, ?, ?, now() + make_interval(secs => ?))`,
      [hashOf(refreshToken), family, member.sub, member.dept, member.sv, this.maxAgeSeconds],
    );
    return { refreshToken, accessToken: this.tokens.sign({ ...member, fam: family }) };
  }
}

/** The `Set-Cookie` value for a refresh token (or, with null, one that removes it). */
export function refreshCookie(token: string | null, options: { secure: boolean; maxAgeSeconds: number }): string {
  const parts = [
    `${REFRESH_COOKIE}=${token ?? ''}`,
    `Path=${REFRESH_PATH}`,
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${token ? options.maxAgeSeconds : 0}`,
  ];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The refresh token a request's `Cookie` header carries. */
export function refreshTokenFrom(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === REFRESH_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}
