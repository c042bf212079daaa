import type { PoolClient, QueryResultRow } from 'pg';

/**
 * pg's `query` method: what a transaction hands its work, and what the module's SQL runs on.
 * Statements take `$1` placeholders and answer pg's result (`rows`, `rowCount`).
 */
export type SqlClient = Pick<PoolClient, 'query'>;

/** What a listener hears of the connection it listens on. */
export interface ListenEvents {
  /** The connection was lost: announcements may be missed until `onRestored` (drop what they keep fresh). */
  onLost?: () => void;
  /** Listening again after a loss: whatever was announced meanwhile was missed. */
  onRestored?: () => void;
}

export interface ChannelSubscription {
  /** Whether announcements on the channel are heard right now. */
  readonly listening: boolean;
  /** Stops listening; the shared connection stays for the other channels. */
  close(): Promise<void>;
}

/**
 * The database the messages module works on, provided by the host (`MessagesModule.forRootAsync({ database })`).
 * The module opens no connection of its own: the host gives it the process's one pool, so that
 * a process holds at most its pool and one listening connection. Every method may throw pg's
 * connection errors; the module turns them into 503s.
 */
export abstract class MessagesDatabase {
  /** One statement on a connection of the pool; with `name` it is prepared once per connection under that name. */
  abstract query<T extends QueryResultRow>(sql: string, params?: unknown[], name?: string): Promise<T[]>;

  /**
   * Like `query`, with pg's whole result, for code written against a pool or a client alike
   * (pg-boss's `executeSql`, stores that take either a transaction or the pool).
   */
  abstract readonly client: SqlClient;

  /**
   * Runs `work` on one connection inside `begin`/`commit`; rolls back when it throws. The
   * client is the connection's own (pg's query API); `work` does not release it.
   */
  abstract transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;

  /**
   * Calls `onPayload` with each NOTIFY payload on `channel` (a plain lower-case identifier). All
   * channels share one connection; `events` says when it is lost and when it comes back. Resolves
   * once the first attempt to listen is over, heard or not (`listening` says which).
   */
  abstract listen(channel: string, onPayload: (payload: string) => void, events?: ListenEvents): Promise<ChannelSubscription>;
}
