import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import { DEFAULT_CONNECTION_LIMITS, pgClientSettings, type ConnectionLimits } from '../../common/database/connection-limits';
import { isDatabaseUnavailable } from '../../common/errors/errors.filter';

/**
 * A plain `pg` pool for the routes the dashboard polls all day and for set-based writes:
 * through it a query costs a fraction of the ORM's per-request context and query building.
 */
export class SqlPool {
  readonly pool: Pool;

  constructor(connectionString: string, max: number, limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS) {
    this.pool = new Pool({ connectionString, max, idleTimeoutMillis: 30_000, ...pgClientSettings(limits) });
    // An idle client that loses its server emits here; the next query gets a fresh one.
    this.pool.on('error', () => undefined);
  }

  async query<T extends QueryResultRow>(sql: string, params: unknown[] = [], name?: string): Promise<T[]> {
    const result = await this.pool.query<T>(name ? { name, text: sql, values: params } : { text: sql, values: params });
    return result.rows;
  }

  /** Runs `work` in one transaction; rolls back on any error. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has no listener of the pool's: should the server end the connection
    // between two statements (a restart, an administrator), the 'error' event must not go unheard,
    // or it takes the process down. The next statement fails and the transaction rolls back.
    let lost: Error | undefined;
    const onError = (error: Error) => (lost = error);
    client.on('error', onError);
    try {
      await client.query('begin');
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      // A connection that broke or whose server stopped answering is not asked to roll back (that
      // would wait as long again): it is closed, and the server rolls back when it sees it go.
      if (!lost && isDatabaseUnavailable(error)) lost = error as Error;
      if (!lost) await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', onError);
      // A client whose connection failed is thrown away, not handed to the next caller.
      client.release(lost);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
