import {
  BadRequestException,
  RequestMethod,
  Injectable,
  type ArgumentMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { ModulesContainer } from '@nestjs/core';

const MAX_DEPTH = 64;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether the text is well-formed Unicode: no surrogate without its pair, which no encoding can carry. */
export const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);
/** Keys that reach an object's prototype machinery; no payload has a use for them. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * What is wrong with raw input before any DTO sees it, or null: nesting deeper than 64 levels,
 * a string or key that is not well-formed Unicode (a lone surrogate cannot be stored or encoded),
 * a NUL character (PostgreSQL cannot store it in text, and no client has a reason to send one),
 * or a key named like prototype machinery, which the DTO transformer drops silently instead of
 * refusing.
 */
export function rawInputProblem(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') {
    if (!isWellFormed(value)) return `${path || 'value'} must be well-formed Unicode (it has a lone surrogate)`;
    return value.includes('\u0000') ? `${path || 'value'} must not contain NUL characters` : null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_DEPTH) return `${path || 'value'} is nested deeper than ${MAX_DEPTH} levels`;
  for (const [key, item] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (!isWellFormed(key)) return `${path ? `a key of ${path}` : 'a key'} must be well-formed Unicode (it has a lone surrogate)`;
    if (key.includes('\u0000')) return `${path ? `a key of ${path}` : 'a key'} must not contain NUL characters`;
    if (!Array.isArray(value) && PROTOTYPE_KEYS.has(key)) return `property ${at} should not exist`;
    const found = rawInputProblem(item, at, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * The deepest nesting of a JSON text, counted without parsing it (so a body nested thousands of
 * levels deep never reaches the parser), stopping as soon as it passes `limit`.
 */
export function jsonNestingExceeds(text: string, limit = MAX_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

const isDto = (metatype: ArgumentMetadata['metatype']) => !!metatype && ![Object, Array, String, Number, Boolean].includes(metatype as never);

/**
 * Runs before validation on bodies, queries and path parameters: refuses what `rawInputProblem`
 * finds, and a whole body that is JSON but not an object (null, an array, a string).
 */
@Injectable()
export class RejectRawInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    if (metadata.type === 'body' && !metadata.data && isDto(metadata.metatype) && value !== undefined) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadRequestException('The request body must be a JSON object');
    }
    const problem = rawInputProblem(value, metadata.data ?? '');
    if (problem) throw new BadRequestException(problem);
    return value;
  }
}

/**
 * The same refusals for a body that no parameter reads (a route such as `leave` that takes none):
 * every route answers 400 to such a body, after its guards, so a path id is still resolved first.
 */
@Injectable()
export class RejectRawBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    if (context.getType() === 'http') {
      const problem = rawInputProblem(context.switchToHttp().getRequest<{ body?: unknown }>().body);
      if (problem) throw new BadRequestException(problem);
    }
    return next.handle();
  }
}

/** Methods whose bodies are never parsed (Fastify skips the parser): nothing for the check to find. */
const BODYLESS = new Set<RequestMethod>([RequestMethod.GET, RequestMethod.HEAD]);

/**
 * Puts `RejectRawBodyInterceptor` first on every route that can carry a body, instead of on all
 * routes as a global interceptor: an interceptor costs each request an observable chain and two
 * async resources, which the polled GET routes would pay for a body they never have. Call it
 * before the routes are registered (before `init`).
 */
export function rejectRawBodiesOnRoutes(modules: ModulesContainer): void {
  const check = new RejectRawBodyInterceptor();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const prototype = (wrapper.metatype as { prototype?: object } | undefined)?.prototype;
      for (let proto = prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object) {
        for (const name of Object.getOwnPropertyNames(proto)) {
          // The class itself carries the controller's path: metadata on it would reach every route.
          if (name === 'constructor') continue;
          const handler = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
          if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
          if (BODYLESS.has(Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod)) continue;
          const current = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[] | undefined) ?? [];
          // Another app in the same process may have put it there already.
          if (current.some((i) => i instanceof RejectRawBodyInterceptor)) continue;
          Reflect.defineMetadata(INTERCEPTORS_METADATA, [check, ...current], handler);
        }
      }
    }
  }
}
