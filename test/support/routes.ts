import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ACCESS_RULE, REQUIRED_MODULE, type AccessRule } from '../../src/common/access';

export interface RouteDeclaration {
  method: string;
  path: string;
  /** `public`, `authenticated`, `admin`, `policy:<name>`, or `NONE` (refused by the global guard). */
  access: string;
  module?: string;
  /** The path's parameters, e.g. `['id', 'taskId']`. */
  params: string[];
}

const join = (...parts: string[]) => `/${parts.flatMap((p) => p.split('/')).filter(Boolean).join('/')}`;

/** The methods of a prototype and those it inherits, as Nest's router finds them. */
function methodNames(prototype: object): string[] {
  const names = new Set<string>();
  for (let p = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) Object.getOwnPropertyNames(p).forEach((n) => names.add(n));
  return [...names];
}

/** Every HTTP route the app registers, read from the controllers' own metadata. */
export function listRoutes(app: INestApplication, prefix = 'api'): RouteDeclaration[] {
  const routes: RouteDeclaration[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!controller) continue;
      const base: string = Reflect.getMetadata(PATH_METADATA, controller) ?? '';
      for (const name of methodNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path: string | undefined = Reflect.getMetadata(PATH_METADATA, handler);
        const method: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, handler);
        if (path === undefined || method === undefined) continue;
        const rule: AccessRule | undefined = Reflect.getMetadata(ACCESS_RULE, handler) ?? Reflect.getMetadata(ACCESS_RULE, controller);
        const moduleName: string | undefined = Reflect.getMetadata(REQUIRED_MODULE, handler) ?? Reflect.getMetadata(REQUIRED_MODULE, controller);
        const access = !rule
          ? 'NONE'
          : rule.public
            ? 'public'
            : rule.policy
              ? `policy:${rule.policy}`
              : rule.admin
                ? 'admin'
                : 'authenticated';
        const full = join(prefix, base, path);
        const params = [...full.matchAll(/:(\w+)/g)].map((m) => m[1]);
        routes.push({ method: RequestMethod[method], path: full, access, params, ...(moduleName && { module: moduleName }) });
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
