import { Injectable } from '@nestjs/common';
import type { PoolClient, QueryResultRow } from 'pg';
import { MessagesDatabase, type SqlClient } from './messages-database';

/**
 * What the module's features query through: the host's `MessagesDatabase`, with the calls the
 * features were written against. Set-based SQL on raw pg connections, without the ORM's
 * per-request context and query building.
 */
@Injectable()
export class SqlPool {
  constructor(private readonly database: MessagesDatabase) {}

  /** pg's query API on a pooled connection, for code that takes either the pool or a transaction. */
  get pool(): SqlClient {
    return this.database.client;
  }

  query<T extends QueryResultRow>(sql: string, params: unknown[] = [], name?: string): Promise<T[]> {
    return this.database.query<T>(sql, params, name);
  }

  /** Runs `work` in one transaction; rolls back on any error. */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.database.transaction(work);
  }
}
