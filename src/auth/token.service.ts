import { createHash, createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

/** What a token says; `exp` and `jti` are always there (a token without them is refused). */
export interface AccessTokenClaims {
  sub: number;
  dept: number;
  /** The member's session version when it was issued; a password change raises it, ending older tokens. */
  sv: number;
  /** The token's id, which logout puts on the deny-list. */
  jti: string;
  /** Seconds since the epoch. */
  exp: number;
  /** The sign-in (refresh-token family) it belongs to, which logout ends; absent on older tokens. */
  fam?: string;
}

/** Whether verified claims have every part this server relies on. */
export const completeClaims = (claims: Partial<AccessTokenClaims>): claims is AccessTokenClaims =>
  Number.isInteger(claims.sub) &&
  Number.isInteger(claims.dept) &&
  Number.isInteger(claims.sv) &&
  typeof claims.jti === 'string' &&
  claims.jti.length > 0 &&
  typeof claims.exp === 'number';

interface SigningKey {
  kid: string;
  key: KeyObject;
}

/**
 * Signs and verifies access tokens. Secrets are held as `KeyObject`s: given a string,
 * jsonwebtoken tries to parse it as a PEM key on every verify, which costs ~50x more.
 * Each token names its key (`kid`), so a rotated secret keeps verifying until its tokens expire.
 */
@Injectable()
export class TokenService {
  private readonly current: SigningKey;
  private readonly byKid = new Map<string, KeyObject>();

  constructor(
    private readonly jwt: JwtService,
    secret: string,
    previousSecrets: string[],
    private readonly expiresIn: string,
  ) {
    const toKey = (s: string): SigningKey => ({
      kid: createHash('sha256').update(s).digest('base64url').slice(0, 12),
      key: createSecretKey(Buffer.from(s)),
    });
    this.current = toKey(secret);
    for (const k of [this.current, ...previousSecrets.map(toKey)]) this.byKid.set(k.kid, k.key);
  }

  /** A new token for the member, of session version `sv` (0 until their password is first changed). */
  sign(claims: { sub: number; dept: number; sv?: number; fam?: string }): string {
    return this.jwt.sign({ sub: claims.sub, dept: claims.dept, sv: claims.sv ?? 0, ...(claims.fam && { fam: claims.fam }) }, {
      jwtid: randomUUID(),
      secret: this.current.key as never,
      algorithm: 'HS256',
      keyid: this.current.kid,
      expiresIn: this.expiresIn as never,
    });
  }

  /** The key a token says it was signed with, or undefined for an unknown kid. */
  keyFor(rawToken: string): KeyObject | undefined {
    try {
      const header = JSON.parse(Buffer.from(rawToken.split('.')[0] ?? '', 'base64url').toString('utf8'));
      return this.byKid.get(header.kid);
    } catch {
      return undefined;
    }
  }

  /** The claims of a valid token, or null. */
  verify(rawToken: string): AccessTokenClaims | null {
    const key = this.keyFor(rawToken);
    if (!key) return null;
    try {
      const claims = this.jwt.verify<Partial<AccessTokenClaims>>(rawToken, { secret: key as never, algorithms: ['HS256'] });
      return completeClaims(claims) ? claims : null;
    } catch {
      return null;
    }
  }
}
