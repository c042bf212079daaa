import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MikroORM } from '@mikro-orm/postgresql';
import { DispatchEventSubscribers, type DispatchEvent, type DispatchEventSubscriber } from '../../common/events';
import type { Environment } from '../../config/environment';

/** A claimed delivery is this process's for this long; after it, another process may retry it. */
const LEASE_MS = 60_000;
/** A subscriber call that takes longer counts as failed (well inside the lease). */
const SUBSCRIBER_TIMEOUT_MS = 15_000;
const MAX_RETRY_DELAY_MS = 5 * 60_000;
/** Bounds one poll, so a backlog is worked off across ticks without starving shutdown. */
const MAX_PER_POLL = 200;
const RETENTION_DAYS = 7;
const PURGE_EVERY_MS = 60 * 60_000;

interface OutboxRow {
  id: string;
  payload: DispatchEvent;
  deliveredTo: string[];
  attempts: number;
}

/**
 * Delivers the dispatch outbox to every `DispatchEventSubscriber`: at once after the writing
 * transaction commits (`deliverNow`), and from a poller for retries and for events whose
 * writer stopped before delivering them.
 *
 * - A delivery is claimed with `FOR UPDATE SKIP LOCKED` and a lease (`next_attempt_at` moved
 *   ahead), so concurrent processes never hand the same event out twice at the same time, and
 *   a process that dies mid-delivery releases it when the lease runs out.
 * - Only the oldest undelivered event of a dispatch can be claimed: events of one dispatch
 *   arrive in order, and a failing one holds back the later ones of that dispatch only.
 * - The event is marked delivered once every subscriber succeeded; a retry (backoff doubling
 *   from DISPATCH_RELAY_RETRY_MS up to 5 minutes) goes only to the subscribers that failed.
 */
@Injectable()
export class DispatchRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DispatchRelay');
  private readonly pollMs: number;
  private readonly retryMs: number;
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private lastPurge = Date.now();
  private pollFailing = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly subscribers: DispatchEventSubscribers,
    config: ConfigService<Environment, true>,
  ) {
    this.pollMs = config.get('DISPATCH_RELAY_POLL_MS', { infer: true });
    this.retryMs = config.get('DISPATCH_RELAY_RETRY_MS', { infer: true });
  }

  onApplicationBootstrap() {
    const names = this.subscribers.all().map((s) => s.subscriberName);
    this.logger.log(`Dispatch events go to ${names.length ? names.join(', ') : 'no subscriber'}`);
    this.stopped = false;
    this.schedule();
  }

  async beforeApplicationShutdown() {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Delivers the due events of one dispatch, in order, and resolves when done. Called after a
   * write commits; never throws (what fails is retried by the poller).
   */
  async deliverNow(dispatchId: number): Promise<void> {
    if (this.stopped) return;
    await this.track(
      this.deliverDispatch(dispatchId).catch((error) => {
        this.logger.warn(`Delivery of dispatch ${dispatchId}'s events deferred: ${describe(error)}`);
      }),
    );
  }

  /** Delivers every event that is due (one poll); resolves with how many it handed out. */
  async deliverDue(): Promise<number> {
    let count = 0;
    for (let outcome; count < MAX_PER_POLL && (outcome = await this.deliverNext()); count++) {
      // Events held back behind this one are fresh, not yet due: follow on with them now.
      if (outcome.delivered) count += await this.deliverDispatch(outcome.dispatchId);
    }
    return count;
  }

  /** Delivers a dispatch's events in order until none is left or one fails. */
  private async deliverDispatch(dispatchId: number): Promise<number> {
    let count = 0;
    for (let outcome; count < MAX_PER_POLL && (outcome = await this.deliverNext(dispatchId)); ) {
      count++;
      if (!outcome.delivered) break;
    }
    return count;
  }

  private schedule() {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.track(this.poll()).finally(() => this.schedule());
    }, this.pollMs);
    this.timer.unref();
  }

  private async poll() {
    try {
      await this.deliverDue();
      if (Date.now() - this.lastPurge > PURGE_EVERY_MS) {
        this.lastPurge = Date.now();
        await this.connection().execute(
          `delete from dispatch_outbox where delivered_at < now() - ?::int * interval '1 day'`,
          [RETENTION_DAYS],
          'run',
        );
      }
      if (this.pollFailing) this.logger.log('Dispatch outbox polling recovered');
      this.pollFailing = false;
    } catch (error) {
      // Say it once per outage, not every second.
      if (!this.pollFailing) this.logger.warn(`Dispatch outbox polling failed: ${describe(error)}`);
      this.pollFailing = true;
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  private connection() {
    return this.orm.em.fork().getConnection();
  }

  /**
   * Claims the next deliverable event (of one dispatch, or any) and hands it to the
   * subscribers; null when there is none. Fresh events are the writer's to deliver at once;
   * the poller takes them only once they are due.
   */
  private async deliverNext(dispatchId?: number): Promise<{ dispatchId: number; delivered: boolean } | null> {
    const [row] = await this.connection().execute<OutboxRow[]>(
      `update dispatch_outbox o
          set attempts = o.attempts + 1, next_attempt_at = now() + ?::int * interval '1 millisecond'
        where o.id = (
          select c.id from dispatch_outbox c
           where c.delivered_at is null
             and ${dispatchId === undefined ? 'c.next_attempt_at <= now()' : 'c.dispatch_id = ? and (c.attempts = 0 or c.next_attempt_at <= now())'}
             and not exists (
               select 1 from dispatch_outbox p
                where p.dispatch_id = c.dispatch_id and p.delivered_at is null and p.id < c.id)
           order by c.next_attempt_at, c.id
           limit 1
           for update skip locked)
        returning o.id, o.payload, o.delivered_to as "deliveredTo", o.attempts`,
      dispatchId === undefined ? [LEASE_MS] : [LEASE_MS, dispatchId],
    );
    if (!row) return null;
    return { dispatchId: row.payload.dispatchId, delivered: await this.deliver(row) };
  }

  /** Hands the event to the subscribers that have not had it yet; true when all now have. */
  private async deliver(row: OutboxRow): Promise<boolean> {
    const pending = this.subscribers.all().filter((s) => !row.deliveredTo.includes(s.subscriberName));
    const results = await Promise.allSettled(pending.map((s) => callWithTimeout(s, row.payload)));
    const succeeded = [...row.deliveredTo, ...pending.filter((_, i) => results[i].status === 'fulfilled').map((s) => s.subscriberName)];
    const failures = pending.flatMap((s, i) => {
      const result = results[i];
      return result.status === 'rejected' ? [`${s.subscriberName}: ${describe(result.reason)}`] : [];
    });
    const event = row.payload;
    if (failures.length === 0) {
      await this.connection().execute(
        'update dispatch_outbox set delivered_at = now(), delivered_to = ?::text[], last_error = null where id = ?',
        [textArray(succeeded), row.id],
        'run',
      );
      return true;
    }
    const delay = Math.min(this.retryMs * 2 ** (row.attempts - 1), MAX_RETRY_DELAY_MS) * (1 + Math.random() * 0.2);
    this.logger.warn(
      `${event.type} ${event.eventId} (dispatch ${event.dispatchId}) failed on attempt ${row.attempts}, retrying in ${Math.round(delay)} ms: ${failures.join('; ')}`,
    );
    await this.connection().execute(
      `update dispatch_outbox
          set delivered_to = ?::text[], last_error = ?, next_attempt_at = now() + ?::int * interval '1 millisecond'
        where id = ?`,
      [textArray(succeeded), failures.join('; ').slice(0, 2000), Math.round(delay), row.id],
      'run',
    );
    return false;
  }
}

async function callWithTimeout(subscriber: DispatchEventSubscriber, event: DispatchEvent): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${SUBSCRIBER_TIMEOUT_MS} ms`)), SUBSCRIBER_TIMEOUT_MS);
  });
  try {
    // Each subscriber gets its own copy: one cannot change what another sees.
    await Promise.race([Promise.resolve().then(() => subscriber.handle(structuredClone(event))), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A PostgreSQL text[] literal, each element quoted, to bind as one parameter. */
const textArray = (values: readonly string[]) => `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
