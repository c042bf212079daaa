import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Pool, type PoolClient, type QueryResultRow } from 'pg';
import { MessagesDatabase, type ChannelSubscription, type ListenEvents, type SqlClient } from '../../src/messages';

const RECONNECT_MS = 1_000;

/** Where the example's database is, and how many connections its pool may open. */
export const DATABASE_SETTINGS = Symbol('DATABASE_SETTINGS');
export interface DatabaseSettings {
  databaseUrl: string;
  poolSize: number;
  /** What its connections call themselves in `pg_stat_activity`. */
  applicationName?: string;
}

/**
 * A host's database for the messages module when the host has no ORM of its own: one `pg` pool
 * for statements and transactions, and one connection for every LISTEN. A host with an ORM lends
 * the ORM's pool instead (the department server does), so the process keeps a single pool.
 */
@Injectable()
export class PgPoolDatabase extends MessagesDatabase implements OnApplicationShutdown {
  private readonly pool: Pool;
  readonly client: SqlClient;
  private listener?: Client;
  private readonly channels = new Map<string, { onPayload: (payload: string) => void; events: ListenEvents }[]>();
  private listening = false;
  private closed = false;

  private readonly databaseUrl: string;
  private readonly applicationName: string;

  constructor(@Inject(DATABASE_SETTINGS) settings: DatabaseSettings) {
    super();
    this.databaseUrl = settings.databaseUrl;
    this.applicationName = settings.applicationName ?? 'minimal-host';
    this.pool = new Pool({ connectionString: this.databaseUrl, max: settings.poolSize, application_name: this.applicationName, connectionTimeoutMillis: 2_000 });
    // An idle connection that loses its server reports here; the next statement gets a fresh one.
    this.pool.on('error', () => undefined);
    this.client = this.pool;
  }

  async query<T extends QueryResultRow>(sql: string, params: unknown[] = [], name?: string): Promise<T[]> {
    return (await this.pool.query<T>(name ? { name, text: sql, values: params } : { text: sql, values: params })).rows;
  }

  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      await client.query('begin');
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      if (!broken) await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async listen(channel: string, onPayload: (payload: string) => void, events: ListenEvents = {}): Promise<ChannelSubscription> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Not a channel name: ${channel}`);
    const subscribers = this.channels.get(channel) ?? [];
    const subscriber = { onPayload, events };
    this.channels.set(channel, [...subscribers, subscriber]);
    if (!this.listener) await this.connect(false);
    else if (this.listening && subscribers.length === 0) await this.listener.query(`listen ${channel}`);
    const self = this;
    return {
      get listening() {
        return self.listening;
      },
      close: async () => {
        this.channels.set(channel, (this.channels.get(channel) ?? []).filter((s) => s !== subscriber));
      },
    };
  }

  private async connect(again: boolean): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.databaseUrl, application_name: this.applicationName });
    this.listener = client;
    const lost = () => {
      if (this.listener !== client || this.closed) return;
      const wasListening = this.listening;
      this.listening = false;
      this.listener = undefined;
      if (wasListening) for (const list of this.channels.values()) for (const s of list) s.events.onLost?.();
      setTimeout(() => void this.connect(true), RECONNECT_MS).unref();
    };
    client.on('notification', (message) => {
      for (const s of this.channels.get(message.channel) ?? []) s.onPayload(message.payload ?? '');
    });
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      for (const channel of this.channels.keys()) await client.query(`listen ${channel}`);
      this.listening = true;
      if (again) for (const list of this.channels.values()) for (const s of list) s.events.onRestored?.();
    } catch {
      await client.end().catch(() => undefined);
      lost();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
    await this.pool.end();
  }
}
