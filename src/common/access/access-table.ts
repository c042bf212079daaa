import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { holdsPermission, moduleEnabled, type Principal } from './principal';

/**
 * What one action needs. Every HTTP route and every socket event is an action, and each is
 * listed once in its module's table; the global HTTP guard and the socket gateway both read
 * the rules from there, so the two ways in cannot drift apart.
 */
export interface AccessRule {
  /** Reachable without a token. */
  readonly public?: true;
  /** Department admins only. */
  readonly admin?: true;
  /** Every one of these (admins hold them all). */
  readonly permissions?: readonly string[];
  /**
   * Who else may act without `permissions`, decided by the handler that knows (e.g. "the
   * task's officer"); the guard then leaves the permission check to it.
   */
  readonly orIf?: string;
  /** Refused while the caller's department has switched this module off. */
  readonly module?: string;
}

/**
 * Rules by action: `'<METHOD> <path>'` for an HTTP route (the path as its controller declares
 * it, without the global prefix), `'socket <event>'` for a client-to-server socket event.
 */
export type AccessTable = Readonly<Record<string, AccessRule>>;

export const PUBLIC: AccessRule = { public: true };
/** Any active member of the department. */
export const MEMBER: AccessRule = {};
export const ADMIN: AccessRule = { admin: true };
export const needs = (...permissions: string[]): AccessRule => ({ permissions });

/** One table of several, refusing an action listed twice. */
export function mergeAccessTables(...tables: AccessTable[]): AccessTable {
  const merged: Record<string, AccessRule> = {};
  for (const table of tables) {
    for (const [action, rule] of Object.entries(table)) {
      if (merged[action]) throw new Error(`The action ${action} is listed twice in the access tables`);
      merged[action] = rule;
    }
  }
  return merged;
}

export const moduleDisabledMessage = (moduleName: string) => `The ${moduleName} module is disabled for this department`;

/** The permissions of `permissions` the caller lacks (none for an admin). */
export const missingPermissions = (principal: Principal, permissions: readonly string[] = []) =>
  permissions.filter((p) => !holdsPermission(principal, p));

export const permissionsMessage = (missing: readonly string[]) =>
  missing.length === 1 ? `This needs the ${missing[0]} permission` : `This needs the ${missing.join(' and ')} permissions`;

/**
 * Why `principal` may not take an action with `rule`, as the 403 message, or null when they may.
 * A rule with `orIf` leaves its permissions to the handler.
 */
export function refusalOf(principal: Principal, rule: AccessRule): string | null {
  if (rule.public) return null;
  if (rule.module && !moduleEnabled(principal, rule.module)) return moduleDisabledMessage(rule.module);
  if (rule.admin && !principal.isAdmin) return 'Only department admins may do this';
  if (rule.orIf) return null;
  const missing = missingPermissions(principal, rule.permissions);
  return missing.length ? permissionsMessage(missing) : null;
}

const joinPath = (...parts: string[]) => `/${parts.flatMap((p) => p.split('/')).filter(Boolean).join('/')}`;

/** The table key of a controller's route handler, from the controller's own metadata: `POST /conversations/:id/messages`. */
export function routeAction(controller: object, handler: object): string | undefined {
  const path: string | string[] | undefined = Reflect.getMetadata(PATH_METADATA, handler);
  const method: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, handler);
  if (path === undefined || method === undefined) return undefined;
  const base: string = Reflect.getMetadata(PATH_METADATA, controller) ?? '';
  return `${RequestMethod[method]} ${joinPath(base, Array.isArray(path) ? path[0] : path)}`;
}

export const socketAction = (event: string) => `socket ${event}`;

/** The injection token of the server's whole table, which the host assembles from its modules'. */
export const ACCESS_TABLE = Symbol('ACCESS_TABLE');
