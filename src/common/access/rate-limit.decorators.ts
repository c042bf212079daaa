import { applyDecorators, SetMetadata } from '@nestjs/common';

export const RATE_LIMIT_CLASS = 'rate-limit:class';
export const RATE_LIMIT_LIST = 'rate-limit:list';

/** From this many people named at once, a conversation's creation or invitation counts as a mass send. */
export const MANY_PEOPLE = 10;

/**
 * Puts a route under a stricter limit than the per-user default: `login` (per email and per
 * address) or `mass-send` (sends that reach many people at once). With `whenListing`, the route
 * is a mass send only when that body field lists `MANY_PEOPLE` or more.
 */
export const RateLimitClass = (name: 'login' | 'mass-send', options: { whenListing?: string } = {}) =>
  applyDecorators(SetMetadata(RATE_LIMIT_CLASS, name), ...(options.whenListing ? [SetMetadata(RATE_LIMIT_LIST, options.whenListing)] : []));
