import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { pgClientSettings, type ConnectionLimits } from '../common/database/connection-limits';

const RECONNECT_MS = 1_000;
/** How often the listening connection is asked for a sign of life: a server that hangs or is cut off sends no error. */
const PROBE_MS = 5_000;
/** LISTEN takes an identifier, not a parameter: only plain names are accepted. */
const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface NotificationEvents {
  /** The connection was lost: announcements may be missed until `onRestored`. */
  onLost?: () => void;
  /** Listening again after a loss (or after a first attempt that failed). */
  onRestored?: () => void;
}

export interface NotificationSubscription {
  readonly listening: boolean;
  close(): Promise<void>;
}

interface Subscriber {
  channel: string;
  onPayload: (payload: string) => void;
  events: NotificationEvents;
}

export interface NotificationSettings {
  databaseUrl: string;
  applicationName: string;
  limits: ConnectionLimits;
}

/** The probe's text; `pg_stat_activity.query` of the listening connection is this or a `listen`. */
export const LISTENER_PROBE = 'select 1 as listener_probe';

/**
 * The process's one listening connection: every cache kept fresh by NOTIFY (principals, the
 * messages module's) subscribes here. Outside the pool, since a LISTEN lasts as long as the
 * process. Lost, it is opened again every second; its subscribers hear of both.
 */
@Injectable()
export class DatabaseNotifications implements OnApplicationShutdown {
  private readonly logger = new Logger('DatabaseNotifications');
  private readonly subscribers = new Set<Subscriber>();
  /** The connection being opened or open. */
  private current: Client | null = null;
  /** Set once `current` listens on every channel. */
  private ready = false;
  private readonly heard = new Set<string>();
  private opening?: Promise<void>;
  /** Lost (or never reached) and not yet back: one warning per outage. */
  private away = false;
  private closed = false;
  private reconnectTimer?: NodeJS.Timeout;
  private probeTimer?: NodeJS.Timeout;

  constructor(private readonly settings: NotificationSettings) {}

  async listen(channel: string, onPayload: (payload: string) => void, events: NotificationEvents = {}): Promise<NotificationSubscription> {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`Not a channel name: ${channel}`);
    const subscriber: Subscriber = { channel, onPayload, events };
    this.subscribers.add(subscriber);
    await this.open();
    const client = this.current;
    if (this.ready && client && !this.heard.has(channel)) {
      await client.query(`listen ${channel}`).then(
        () => this.heard.add(channel),
        (error: Error) => this.lost(client, error),
      );
    }
    const self = this;
    return {
      get listening() {
        return self.ready && self.heard.has(channel);
      },
      close: async () => {
        this.subscribers.delete(subscriber);
        if ([...this.subscribers].some((s) => s.channel === channel) || !this.ready) return;
        this.heard.delete(channel);
        await this.current?.query(`unlisten ${channel}`).catch(() => undefined);
      },
    };
  }

  private open(): Promise<void> {
    if (this.closed || this.current) return this.opening ?? Promise.resolve();
    this.opening = this.connect().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.settings.databaseUrl,
      ...pgClientSettings(this.settings.limits),
      application_name: this.settings.applicationName,
    });
    client.on('notification', (message) => {
      for (const s of this.subscribers) if (s.channel === message.channel) s.onPayload(message.payload ?? '');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    this.current = client;
    try {
      await client.connect();
      const channels = new Set([...this.subscribers].map((s) => s.channel));
      for (const channel of channels) await client.query(`listen ${channel}`);
      if (this.current !== client) return;
      this.heard.clear();
      for (const channel of channels) this.heard.add(channel);
      this.ready = true;
      this.probeTimer = setInterval(() => {
        // Named, so an operator (or a test) can tell the listening connection by its last statement.
        client.query(LISTENER_PROBE).catch((error: Error) => {
          this.lost(client, error);
          // Closed without waiting: a server that hangs would not answer the goodbye either.
          void client.end().catch(() => undefined);
        });
      }, PROBE_MS);
      this.probeTimer.unref();
      if (this.away) {
        this.away = false;
        this.logger.log('database announcements are heard again');
        for (const s of [...this.subscribers]) s.events.onRestored?.();
      }
    } catch (error) {
      this.lost(client, error as Error);
      await client.end().catch(() => undefined);
    }
  }

  private lost(client: Client, error: Error): void {
    if (this.current !== client) return;
    const wasReady = this.ready;
    this.current = null;
    this.ready = false;
    this.heard.clear();
    clearInterval(this.probeTimer);
    if (this.closed) return;
    if (!this.away) this.logger.warn(`database announcements lost (${error.message}); caches fed by them fall back to short lifetimes until they are heard again`);
    this.away = true;
    if (wasReady) for (const s of [...this.subscribers]) s.events.onLost?.();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.open(), RECONNECT_MS);
    this.reconnectTimer.unref();
  }

  async onApplicationShutdown() {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.probeTimer);
    const client = this.current;
    this.current = null;
    this.ready = false;
    await client?.end().catch(() => undefined);
  }
}
