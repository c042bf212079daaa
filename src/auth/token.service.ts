import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

export interface AccessTokenClaims {
  sub: number;
  dept: number;
}

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

  sign(claims: AccessTokenClaims): string {
    return this.jwt.sign(claims, {
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
      const claims = this.jwt.verify<AccessTokenClaims>(rawToken, { secret: key as never, algorithms: ['HS256'] });
      return Number.isInteger(claims.sub) && Number.isInteger(claims.dept) ? claims : null;
    } catch {
      return null;
    }
  }
}
