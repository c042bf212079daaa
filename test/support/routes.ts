import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { MESSAGE_MAPPING_METADATA, MESSAGE_METADATA } from '@nestjs/websockets/constants';
import { ACCESS_TABLE, routeAction, type AccessRule, type AccessTable } from '../../src/common/access';

export interface RouteDeclaration {
  method: string;
  path: string;
  /** `public`, `authenticated`, `admin`, `needs:<permission>+<permission>`, or `NONE` (refused by the global guard). */
  access: string;
  module?: string;
  /** Its rule in the access table, or undefined when the table does not list it. */
  rule?: AccessRule;
  /** The path's parameters, e.g. `['id', 'taskId']`. */
  params: string[];
}

/** How a rule reads in the route list. */
export function describeRule(rule: AccessRule | undefined): string {
  if (!rule) return 'NONE';
  if (rule.public) return 'public';
  if (rule.admin) return 'admin';
  if (rule.permissions?.length) return `needs:${rule.permissions.join('+')}${rule.orIf ? ` (or ${rule.orIf})` : ''}`;
  return 'authenticated';
}

/** The methods of a prototype and those it inherits, as Nest's router finds them. */
function methodNames(prototype: object): string[] {
  const names = new Set<string>();
  for (let p = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) Object.getOwnPropertyNames(p).forEach((n) => names.add(n));
  return [...names];
}

/** Every HTTP route the app registers, read from the controllers' own metadata, with its rule from the app's access table. */
export function listRoutes(app: INestApplication, prefix = 'api'): RouteDeclaration[] {
  const table = app.get<AccessTable>(ACCESS_TABLE);
  const routes: RouteDeclaration[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!controller) continue;
      for (const name of methodNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const action = routeAction(controller, handler);
        if (!action) continue;
        const [method, path] = action.split(' ');
        const rule = table[action];
        const full = `/${prefix}${path}`;
        const params = [...full.matchAll(/:(\w+)/g)].map((m) => m[1]);
        routes.push({ method, path: full, access: describeRule(rule), rule, params, ...(rule?.module && { module: rule.module }) });
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** The client events a gateway subscribes to (`@SubscribeMessage`). */
export function socketEventsOf(gateway: new (...args: never[]) => unknown): string[] {
  return Object.getOwnPropertyNames(gateway.prototype)
    .map((name) => (gateway.prototype as Record<string, unknown>)[name])
    .filter((handler) => typeof handler === 'function' && Reflect.getMetadata(MESSAGE_MAPPING_METADATA, handler))
    .map((handler) => Reflect.getMetadata(MESSAGE_METADATA, handler as object) as string);
}
