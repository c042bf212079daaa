/**
 * How long anything may wait on PostgreSQL. Every pool and connection of the server (the ORM's,
 * the messages module's, the push queue's, the change listener) takes them, so a database that
 * hangs costs a request a bounded wait and then a 503, never a hang.
 */
export interface ConnectionLimits {
  /** Waiting for a free connection of a pool, or for a new one to be opened. */
  acquireTimeoutMs: number;
  /** `statement_timeout`: the server cancels a statement that runs longer. */
  statementTimeoutMs: number;
  /** `lock_timeout`: a statement that waits this long for a lock fails instead. */
  lockTimeoutMs: number;
  /** `idle_in_transaction_session_timeout`: a transaction left open and idle is ended by the server. */
  idleInTransactionTimeoutMs: number;
}

/** What the client adds to `statementTimeoutMs` before it gives up on a server that says nothing at all. */
const UNANSWERED_GRACE_MS = 500;

/**
 * The `pg` client settings for `limits`: the session settings travel in the startup message (no
 * extra round trip), and `query_timeout` covers a server that cannot even cancel (stopped, or cut off).
 */
export function pgClientSettings(limits: ConnectionLimits) {
  return {
    connectionTimeoutMillis: limits.acquireTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    lock_timeout: limits.lockTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
    query_timeout: limits.statementTimeoutMs + UNANSWERED_GRACE_MS,
  };
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  acquireTimeoutMs: 1_500,
  statementTimeoutMs: 2_000,
  lockTimeoutMs: 1_500,
  idleInTransactionTimeoutMs: 10_000,
};
