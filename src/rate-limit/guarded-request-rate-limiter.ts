import { Injectable, type Type } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ThrottlerException } from '@nestjs/throttler';
import { RequestRateLimiter } from '../common/access';
import { RateLimitGuard } from './rate-limit.guard';

/**
 * The host's HTTP limits for requests answered outside its pipeline: the very guard the pipeline
 * runs, on the route the request would have reached, so the counts, keys and headers are one.
 */
@Injectable()
export class GuardedRequestRateLimiter extends RequestRateLimiter {
  constructor(private readonly guard: RateLimitGuard) {
    super();
  }

  async admit(request: object, reply: object, controller: Type<unknown>, handler: (...args: never[]) => unknown): Promise<boolean> {
    try {
      return await this.guard.canActivate(new ExecutionContextHost([request, reply], controller, handler));
    } catch (error) {
      if (error instanceof ThrottlerException) return false;
      throw error;
    }
  }
}
