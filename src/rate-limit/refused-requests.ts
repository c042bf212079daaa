import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyInstance } from 'fastify';
import type { Environment } from '../config/environment';

const MINUTE_MS = 60_000;
const MAX_REMEMBERED = 10_000;

/**
 * Requests refused with 401 or 403 count against `RATE_LIMIT_PER_MINUTE` for their address, so
 * guessing tokens or probing routes one has no right to is limited even though those requests
 * never reach the per-user limit. Once an address is over, every request from it is 429 until
 * the minute is over. The counts are shared (Redis) like the other limits; each process learns
 * of a block at its next refusal from that address.
 */
@Injectable()
export class RefusedRequests implements OnModuleInit {
  private readonly limit: number;
  private readonly enabled: boolean;
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    config: ConfigService<Environment, true>,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.enabled = config.get('RATE_LIMIT', { infer: true }) !== 'off';
    this.limit = config.get('RATE_LIMIT_PER_MINUTE', { infer: true });
  }

  onModuleInit() {
    if (!this.enabled) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', async (request, reply) => {
      const wait = this.secondsBlocked(request.ip);
      if (wait === null) return;
      reply
        .code(429)
        .header('Retry-After', wait)
        .send({ statusCode: 429, message: `Too many refused requests from your address; try again in ${wait} s`, error: 'Too Many Requests' });
      return reply;
    });
    fastify.addHook('onResponse', async (request, reply) => {
      if (reply.statusCode === 401 || reply.statusCode === 403) await this.count(request.ip).catch(() => undefined);
    });
  }

  private secondsBlocked(address: string): number | null {
    const until = this.blockedUntil.get(address);
    if (until === undefined) return null;
    const left = until - Date.now();
    if (left <= 0) {
      this.blockedUntil.delete(address);
      return null;
    }
    return Math.ceil(left / 1000);
  }

  private async count(address: string): Promise<void> {
    // The storage blocks once hits exceed its limit: one less, so the limit-th refusal closes the door.
    const record = await this.storage.increment(`refused:${address}`, MINUTE_MS, this.limit - 1, MINUTE_MS, 'refused');
    if (!record.isBlocked) return;
    if (this.blockedUntil.size >= MAX_REMEMBERED) this.blockedUntil.clear();
    this.blockedUntil.set(address, Date.now() + record.timeToBlockExpire * 1000);
  }
}
