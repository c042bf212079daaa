import type { AccessTokenClaims } from './token.service';

const MAX_ENTRIES = 20_000;

/**
 * Tokens this process has already verified, kept until they expire: a dashboard polling every
 * few seconds has its signature checked once, not on every request. Only the signature check
 * is skipped; the member and the token's session are still looked up (deactivation,
 * permissions, logout, password change) on each request.
 */
export class VerifiedTokens {
  private readonly claims = new Map<string, AccessTokenClaims>();

  get(token: string): AccessTokenClaims | undefined {
    const claims = this.claims.get(token);
    if (!claims) return undefined;
    if (claims.exp * 1000 <= Date.now()) {
      this.claims.delete(token);
      return undefined;
    }
    return claims;
  }

  /** Call only with a token whose signature and expiry were just verified, and its claims. */
  remember(token: string, claims: AccessTokenClaims): void {
    if (this.claims.size >= MAX_ENTRIES) this.claims.clear();
    this.claims.set(token, claims);
  }
}

export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return undefined;
  const token = header.slice(7).trim();
  return token || undefined;
}
