const MAX_ENTRIES = 20_000;

interface VerifiedClaims {
  sub: number;
  dept: number;
  /** Seconds since the epoch. */
  exp: number;
}

/**
 * Tokens this process has already verified, kept until they expire: a dashboard polling every
 * few seconds has its signature checked once, not on every request. Only the signature check
 * is skipped; the member is still looked up (deactivation, permissions) on each request.
 */
export class VerifiedTokens {
  private readonly claims = new Map<string, VerifiedClaims>();

  get(token: string): VerifiedClaims | undefined {
    const claims = this.claims.get(token);
    if (!claims) return undefined;
    if (claims.exp * 1000 <= Date.now()) {
      this.claims.delete(token);
      return undefined;
    }
    return claims;
  }

  /** Call only with a token whose signature and expiry were just verified. */
  remember(token: string): void {
    try {
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
      if (!Number.isInteger(payload.sub) || !Number.isInteger(payload.dept) || typeof payload.exp !== 'number') return;
      if (this.claims.size >= MAX_ENTRIES) this.claims.clear();
      this.claims.set(token, { sub: payload.sub, dept: payload.dept, exp: payload.exp });
    } catch {
      // Not cacheable; it is verified again next time.
    }
  }
}

export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return undefined;
  const token = header.slice(7).trim();
  return token || undefined;
}
