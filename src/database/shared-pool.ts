import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Knex } from 'knex';
import { types as pgTypes, type Client, type PoolClient, type QueryResultRow } from 'pg';
import { isDatabaseUnavailable } from '../common/errors/errors.filter';

/** A connection as the ORM's pool (knex) holds it: a raw `pg` client, marked by knex when it broke. */
type PooledConnection = Client & { __knex__disposed?: unknown };

/** pg's `query` method, as a client or a pool has it. */
export type Queryable = Pick<PoolClient, 'query'>;

/**
 * The ORM sets its connections to hand dates over as text (it converts them itself); raw SQL
 * gets pg's own parsers back, per statement, so a timestamp is a `Date` as on any `pg` pool.
 */
function withPgTypes(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  if (typeof first === 'string') return [{ text: first, values: rest[0], types: pgTypes }, ...rest.slice(1)];
  if (first && typeof first === 'object' && !('submit' in first)) return [{ types: pgTypes, ...(first as object) }, ...rest];
  return args;
}

/**
 * The connection as raw SQL sees it: pg's client, its statements parsed by pg's own rules. Code
 * that wraps the view's `query` (to count statements, say) wraps the view's alone: the pooled
 * connection itself is never changed.
 */
function rawView(connection: Client): PoolClient {
  const original = connection.query as (...a: unknown[]) => unknown;
  let query: unknown = (...args: unknown[]) => original.apply(connection, withPgTypes(args));
  return new Proxy(connection, {
    get: (target, key, receiver) => (key === 'query' ? query : Reflect.get(target, key, receiver)),
    set: (target, key, value, receiver) => (key === 'query' ? ((query = value), true) : Reflect.set(target, key, value, receiver)),
  }) as unknown as PoolClient;
}

/**
 * The process's one pool of connections: the ORM's. Raw SQL borrows its `pg` clients, so a
 * statement costs what it costs on a plain `pg` pool (named prepared statements included), and
 * the ORM, raw SQL and the job queue together never hold more than `DATABASE_POOL_SIZE`.
 */
@Injectable()
export class SharedPool {
  /** pg's query API, each call on a connection borrowed for it. */
  readonly client: Queryable;

  constructor(private readonly orm: MikroORM) {
    const query = (...args: unknown[]) => this.borrow((c) => (rawView(c).query as (...a: unknown[]) => Promise<unknown>)(...args));
    this.client = { query: query as Queryable['query'] };
  }

  private get knex(): Knex.Client {
    return this.orm.em.getConnection().getKnex().client;
  }

  /**
   * Runs `work` on one connection of the pool, then gives it back. A connection whose server
   * went away, or that stopped answering, is marked so the pool closes it instead of lending it again.
   */
  async borrow<T>(work: (connection: Client) => Promise<T>): Promise<T> {
    const knex = this.knex;
    const connection = (await knex.acquireConnection()) as PooledConnection;
    try {
      return await work(connection);
    } catch (error) {
      if (isDatabaseUnavailable(error)) connection.__knex__disposed ??= error;
      throw error;
    } finally {
      await knex.releaseConnection(connection);
    }
  }

  async query<T extends QueryResultRow>(sql: string, params: unknown[] = [], name?: string): Promise<T[]> {
    const result = await this.borrow((c) => c.query<T>(name ? { name, text: sql, values: params, types: pgTypes } : { text: sql, values: params, types: pgTypes }));
    return result.rows;
  }

  /** Runs `work` inside one transaction on one connection; rolls back when it throws. */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.borrow(async (connection: PooledConnection) => {
      await connection.query('begin');
      try {
        const result = await work(rawView(connection));
        await connection.query('commit');
        return result;
      } catch (error) {
        // A connection that broke or stopped answering is not asked to roll back (that would wait
        // as long again): the pool closes it, and the server rolls back when it sees it go.
        if (!connection.__knex__disposed && !isDatabaseUnavailable(error)) await connection.query('rollback').catch(() => undefined);
        throw error;
      }
    });
  }
}
