import { SetMetadata } from '@nestjs/common';

export const RATE_LIMIT_CLASS = 'rate-limit:class';

/**
 * Puts a route under a stricter limit than the per-user default: `login` (per email and per
 * address) or `mass-send` (sends that reach many people at once).
 */
export const RateLimitClass = (name: 'login' | 'mass-send') => SetMetadata(RATE_LIMIT_CLASS, name);
