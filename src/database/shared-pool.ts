import { Injectable, type OnModuleDestroy } from '@nestjs/common';
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

/** One statement or transaction waiting for a connection of the raw SQL side. */
interface Waiter {
  resolve(connection: PooledConnection): void;
  reject(error: unknown): void;
  /** `performance.now()` when it began to wait. */
  since: number;
}

/** What the ORM's pool (tarn, under knex) tells of itself. */
interface PoolQueue {
  numPendingAcquires(): number;
}

/**
 * The process's one pool of connections: the ORM's. Raw SQL borrows its `pg` clients, so a
 * statement costs what it costs on a plain `pg` pool (named prepared statements included), and
 * the ORM, raw SQL and the job queue together never hold more than `DATABASE_POOL_SIZE`.
 *
 * Between two raw statements a connection is handed straight to the next one waiting, or kept
 * until the end of the event-loop turn for the next one to come, instead of going back through
 * the ORM's pool each time (its acquire and release cost a polled request a tenth of its time).
 * Whenever anyone else waits on the ORM's pool, connections go back to it at once: the ORM and
 * the job queue never wait longer for the raw side's sake.
 */
@Injectable()
export class SharedPool implements OnModuleDestroy {
  /** pg's query API, each call on a connection borrowed for it. */
  readonly client: Queryable;

  /** Borrowed from the ORM's pool, free, given back at the end of this turn. */
  private readonly idle: PooledConnection[] = [];
  private readonly waiting: Waiter[] = [];
  /** This side's acquires still pending in the ORM's pool. */
  private acquiring = 0;
  private givingBack = false;

  constructor(private readonly orm: MikroORM) {
    const query = (...args: unknown[]) => this.borrow((c) => (rawView(c).query as (...a: unknown[]) => Promise<unknown>)(...args));
    this.client = { query: query as Queryable['query'] };
  }

  private get knex(): Knex.Client {
    return this.orm.em.getConnection().getKnex().client;
  }

  onModuleDestroy() {
    this.giveBackIdle();
  }

  /**
   * Runs `work` on one connection of the pool, then gives it back. A connection whose server
   * went away, or that stopped answering, is marked so the pool closes it instead of lending it again.
   */
  borrow<T>(work: (connection: Client) => Promise<T>): Promise<T> {
    const connection = this.takeIdle();
    return connection ? this.run(connection, work) : this.connection().then((c) => this.run(c, work));
  }

  query<T extends QueryResultRow>(sql: string, params: unknown[] = [], name?: string): Promise<T[]> {
    const config = name ? { name, text: sql, values: params, types: pgTypes } : { text: sql, values: params, types: pgTypes };
    return this.borrow((c) => c.query<T>(config)).then((result) => result.rows);
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

  private async run<T>(connection: PooledConnection, work: (connection: Client) => Promise<T>): Promise<T> {
    try {
      return await work(connection);
    } catch (error) {
      if (isDatabaseUnavailable(error)) connection.__knex__disposed ??= error;
      throw error;
    } finally {
      this.giveBack(connection);
    }
  }

  private takeIdle(): PooledConnection | undefined {
    for (let connection = this.idle.pop(); connection; connection = this.idle.pop()) {
      if (!connection.__knex__disposed) return connection;
      void this.knex.releaseConnection(connection);
    }
    return undefined;
  }

  /** Waits its turn among the raw side's statements; the ORM's pool is asked for as many connections as there are waiting. */
  private connection(): Promise<PooledConnection> {
    return new Promise<PooledConnection>((resolve, reject) => {
      this.waiting.push({ resolve, reject, since: performance.now() });
      this.askPool();
    });
  }

  /**
   * One more connection from the ORM's pool while fewer are asked for than there are waiting (a
   * waiter served by a connection handed on leaves its request standing for the next one).
   */
  private askPool() {
    if (this.acquiring >= this.waiting.length) return;
    this.acquiring++;
    const asked = performance.now();
    this.knex.acquireConnection().then(
      (connection: unknown) => {
        this.acquiring--;
        this.handOn(connection as PooledConnection);
      },
      (error: unknown) => {
        this.acquiring--;
        // The pool's wait ran out (or it is closing): those already waiting when it was asked have
        // waited as long as anyone may, and give up; anyone who came later asks again.
        while (this.waiting.length && this.waiting[0].since <= asked) this.waiting.shift()!.reject(error);
        this.askPool();
      },
    );
  }

  private giveBack(connection: PooledConnection) {
    const othersWaiting = (this.knex as unknown as { pool: PoolQueue }).pool.numPendingAcquires() > this.acquiring;
    if (connection.__knex__disposed || othersWaiting) return void this.knex.releaseConnection(connection);
    this.handOn(connection);
  }

  private handOn(connection: PooledConnection) {
    const next = this.waiting.shift();
    if (next) return next.resolve(connection);
    this.idle.push(connection);
    if (this.givingBack) return;
    this.givingBack = true;
    setImmediate(() => {
      this.givingBack = false;
      this.giveBackIdle();
    });
  }

  private giveBackIdle() {
    for (const connection of this.idle.splice(0)) void this.knex.releaseConnection(connection);
  }
}
