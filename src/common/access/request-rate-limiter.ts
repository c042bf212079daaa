import type { Type } from '@nestjs/common';

/**
 * The host's limit on HTTP requests, for a route a module answers outside the host's request
 * pipeline (the mail module's polled routes): each request counted as the host's own guard
 * counts that route, in the same counts.
 */
export abstract class RequestRateLimiter {
  /**
   * Counts the request (its caller already on `request.user`) against the limits of
   * `controller`'s method `handler`, and sets the limits' headers on `reply`. False when a limit
   * is reached: the request then goes the host's whole way, where it is refused.
   */
  abstract admit(request: object, reply: object, controller: Type<unknown>, handler: (...args: never[]) => unknown): Promise<boolean>;
}
