/**
 * Who is calling, as every module sees it. The host's auth module builds it from the access
 * token and the member record; modules read it, never the host's tables.
 */
export interface Principal {
  userId: number;
  departmentId: number;
  name: string;
  isAdmin: boolean;
  permissions: ReadonlySet<string>;
  /** The department's module switches, e.g. `{ messages: true }`. */
  modules: Readonly<Record<string, boolean>>;
}

export function holdsPermission(principal: Principal, permission: string): boolean {
  return principal.isAdmin || principal.permissions.has(permission);
}

export function moduleEnabled(principal: Principal, moduleName: string): boolean {
  return principal.modules[moduleName] !== false;
}

/**
 * A change to who someone is: a member (deactivated, permissions, a session ended), a whole
 * department (its modules), or anyone at all (announcements were missed for a while).
 */
export type PrincipalChange = { userId: number } | { departmentId: number } | { everyone: true };

/** Turns a raw access token into a principal; the host's auth module provides it. */
export abstract class Authenticator {
  private readonly listeners = new Set<(change: PrincipalChange) => void>();

  /** Resolves to null for a missing, expired, forged or revoked token, or an inactive member. */
  abstract authenticate(token: string): Promise<Principal | null>;

  /** The principal, or why the token no longer admits anyone (said to a socket before it is closed). */
  async check(token: string): Promise<{ principal: Principal } | { refused: string }> {
    const principal = await this.authenticate(token);
    return principal ? { principal } : { refused: 'Your access token is no longer valid' };
  }

  /** Calls `listener` after every change this process hears of, from any process; returns the unsubscribe. */
  onChange(listener: (change: PrincipalChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected changed(change: PrincipalChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
