import { Pool, type PoolClient, type QueryResultRow } from 'pg';

/**
 * A plain `pg` pool for the routes the dashboard polls all day and for set-based writes:
 * through it a query costs a fraction of the ORM's per-request context and query building.
 */
export class SqlPool {
  readonly pool: Pool;

  constructor(connectionString: string, max: number) {
    this.pool = new Pool({ connectionString, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
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
    try {
      await client.query('begin');
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
