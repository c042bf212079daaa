import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from '../common/database/connection-limits';

/**
 * Notifications from the database (PostgreSQL NOTIFY) for whoever keeps a cache in memory.
 * `onLost` says that notifications may have been missed from now on (drop what you cached);
 * `onRestored` that they are heard again (including the first time). Returns an unsubscribe.
 */
export interface ChangeFeed {
  subscribe(channel: string, onPayload: (payload: string) => void, handlers: { onLost(): void; onRestored(): void }): () => void;
}

export const CHANGE_FEED = Symbol('ChangeFeed');

interface Subscriber {
  channel: string;
  onPayload(payload: string): void;
  onLost(): void;
  onRestored(): void;
}

const RECONNECT_MS = 1_000;
/** A connection that hangs says nothing: a probe finds it out. */
const PROBE_MS = 2_000;
const CHANNEL_NAME = /^[a-z_][a-z0-9_]*$/;

/** One dedicated connection that LISTENs, reconnecting after a loss. */
export class PgChangeFeed implements ChangeFeed {
  private readonly logger = new Logger('ChangeFeed');
  private readonly subscribers = new Set<Subscriber>();
  private client: Client | null = null;
  private live = false;
  private closed = false;
  private warned = false;
  private reconnectTimer?: NodeJS.Timeout;
  private probeTimer?: NodeJS.Timeout;

  constructor(
    private readonly connectionString: string,
    private readonly limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS,
  ) {}

  subscribe(channel: string, onPayload: (payload: string) => void, handlers: { onLost(): void; onRestored(): void }): () => void {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`not a channel name: ${channel}`);
    const subscriber: Subscriber = { channel, onPayload, ...handlers };
    this.subscribers.add(subscriber);
    if (this.live && this.client) {
      const client = this.client;
      void client.query(`listen ${channel}`).then(() => this.live && this.client === client && subscriber.onRestored(), () => undefined);
    } else if (!this.client && !this.closed) void this.connect();
    return () => void this.subscribers.delete(subscriber);
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.probeTimer);
    const client = this.client;
    this.client = null;
    this.live = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({
      connectionString: this.connectionString,
      connectionTimeoutMillis: this.limits.acquireTimeoutMs,
      query_timeout: this.limits.statementTimeoutMs,
      application_name: 'messages-change-feed',
    });
    this.client = client;
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = null;
      const wasLive = this.live;
      this.live = false;
      clearInterval(this.probeTimer);
      if (wasLive) for (const s of this.subscribers) s.onLost();
      void client.end().catch(() => undefined);
      if (this.closed) return;
      if (error && !this.warned) this.logger.warn(`database notifications lost (${error.message}); caches are off until they are back`);
      this.warned = this.warned || !!error;
      this.reconnectTimer = setTimeout(() => void this.connect(), RECONNECT_MS);
      this.reconnectTimer.unref();
    };
    client.on('notification', (message) => {
      for (const s of this.subscribers) if (s.channel === message.channel) s.onPayload(message.payload ?? '');
    });
    client.on('error', (error) => lost(error));
    client.on('end', () => lost());
    try {
      await client.connect();
      for (const channel of new Set([...this.subscribers].map((s) => s.channel))) await client.query(`listen ${channel}`);
      if (this.client !== client) return;
      this.live = true;
      if (this.warned) this.logger.log('database notifications heard again');
      this.warned = false;
      for (const s of this.subscribers) s.onRestored();
      this.probeTimer = setInterval(() => void client.query('select 1').catch((error: Error) => lost(error)), PROBE_MS);
      this.probeTimer.unref();
    } catch (error) {
      lost(error as Error);
    }
  }
}
