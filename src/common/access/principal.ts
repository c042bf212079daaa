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

export function holdsPolicy(principal: Principal, policy: string): boolean {
  return principal.isAdmin || principal.permissions.has(policy);
}

export function moduleEnabled(principal: Principal, moduleName: string): boolean {
  return principal.modules[moduleName] !== false;
}

/** Turns a raw access token into a principal; the host's auth module provides it. */
export abstract class Authenticator {
  /** Resolves to null for a missing, expired, forged or revoked token, or an inactive member. */
  abstract authenticate(token: string): Promise<Principal | null>;
}
