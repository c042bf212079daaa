import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import PgBoss from 'pg-boss';
import type { PoolClient } from 'pg';
import { SqlPool } from '../database/sql-pool';
import { MESSAGES_OPTIONS, type MessagesModuleOptions, type PushOptions } from '../messages.options';
import { PresenceService } from '../presence/presence.service';
import { PushRepository } from './push.repository';

/** One job per notification event: the worker fans it out to one job per device. */
export const PUSH_EVENT_QUEUE = 'push-event';
/** One job per event and device: a single Web Push request, retried on its own. */
export const PUSH_DEVICE_QUEUE = 'push-device';

export interface PushEventJob {
  eventId: number;
}

export interface PushDeviceJob {
  eventId: number;
  subscriptionId: number;
}

type Handler<T> = (job: PgBoss.JobWithMetadata<T>, signal: AbortSignal) => Promise<void>;

/** pg-boss's connection interface over the caller's client, so a job commits with the caller's write. */
const inTransaction = (client: PoolClient): PgBoss.Db => ({
  executeSql: (text, values) => client.query(text, values),
});

/**
 * The durable delivery queue, in PostgreSQL (pg-boss, schema `pgboss`). Jobs are inserted inside
 * the transaction of the write they belong to; workers retry failures with exponential backoff and
 * keep a job that used up its retries as failed. On shutdown, sends in flight get a grace period,
 * then are cut and handed back to the queue, which retries them on whichever process runs next.
 * A process that dies cannot hand anything back: each job it runs is claimed in `push_job_claims`
 * with its process id, and every process hands back the claims of a process whose presence
 * heartbeat went stale (three heartbeats, 15 s by default), rather than leaving them to the queue's
 * expiry, minutes later.
 */
@Injectable()
export class PushQueue implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PushQueue');
  private readonly settings?: Required<PushOptions>;
  private boss?: PgBoss;
  private starting?: Promise<PgBoss>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly workers = new Map<string, string[]>();
  private readonly abort = new AbortController();
  private stopping = false;
  private handBackTimer?: NodeJS.Timeout;

  /** The queue's own settings: push's when configured, else these defaults (other jobs use the queue too). */
  private readonly jobSettings: Pick<Required<PushOptions>, 'retryLimit' | 'retryDelaySeconds' | 'pollIntervalMs' | 'sendTimeoutMs' | 'shutdownTimeoutMs'>;
  private readonly queueNames = new Set([PUSH_EVENT_QUEUE, PUSH_DEVICE_QUEUE]);

  constructor(
    @Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions,
    private readonly sql: SqlPool,
    private readonly push: PushRepository,
    private readonly presence: PresenceService,
  ) {
    const defaults = { retryLimit: 5, retryDelaySeconds: 10, pollIntervalMs: 1_000, sendTimeoutMs: 10_000, shutdownTimeoutMs: 5_000 };
    if (options.push) {
      this.settings = { workers: true, ttlSeconds: 86_400, content: 'full', ...defaults, ...options.push };
    }
    this.jobSettings = this.settings ?? defaults;
  }

  /** Push is configured (VAPID keys given): notifications are queued and sent. */
  get enabled(): boolean {
    return this.settings !== undefined;
  }

  get config(): Required<PushOptions> {
    if (!this.settings) throw new Error('Web Push is not configured');
    return this.settings;
  }

  async onApplicationBootstrap() {
    if (!this.enabled) return;
    await this.start();
    // As often as presence beats, so a dead process's jobs come back soon after it counts as gone.
    this.handBackTimer = setInterval(
      () => void this.handBackJobsOfDeadProcesses().catch((error: Error) => this.logger.warn(`handing back jobs failed: ${error.message}`)),
      Math.max(100, (this.presence.staleAfterSeconds * 1000) / 3),
    );
    this.handBackTimer.unref();
  }

  /**
   * Hands back to the queue the jobs that a process which stopped beating was running: they are
   * made available again at once (cancelled and resumed, in one transaction with the claims'
   * removal), without counting as a failed attempt. Returns how many.
   */
  async handBackJobsOfDeadProcesses(): Promise<number> {
    const boss = this.boss;
    if (!boss || this.stopping) return 0;
    const handedBack = await this.sql.transaction(async (client) => {
      const rows = await this.push.takeOrphanedClaims(client, this.presence.staleAfterSeconds);
      for (const queue of new Set(rows.map((r) => r.queue))) {
        const ids = rows.filter((r) => r.queue === queue).map((r) => r.job_id);
        await boss.cancel(queue, ids, { db: inTransaction(client) });
        await boss.resume(queue, ids, { db: inTransaction(client) });
      }
      return rows;
    });
    if (handedBack.length) {
      this.logger.warn(`handed back ${handedBack.length} push job(s) of a server process that stopped`);
      for (const queue of new Set(handedBack.map((r) => r.queue))) this.wake(queue);
    }
    return handedBack.length;
  }

  /** Starts pg-boss once (its schema is created or migrated on first start) and creates the queues. */
  start(): Promise<PgBoss> {
    this.starting ??= (async () => {
      const boss = new PgBoss({
        // The host's pool, not one of the queue's own: fetching, completing and maintenance borrow its connections.
        db: { executeSql: (text, values) => this.sql.pool.query(text, values) },
        // Nothing is scheduled by cron here; maintenance (expiry, archiving) stays on.
        schedule: false,
        archiveFailedAfterSeconds: 30 * 86_400,
        deleteAfterDays: 30,
      });
      boss.on('error', (error) => this.logger.warn(`queue error: ${error.message}`));
      await boss.start();
      for (const name of this.queueNames) await this.createQueue(boss, name);
      this.boss = boss;
      return boss;
    })();
    return this.starting;
  }

  private async createQueue(boss: PgBoss, name: string): Promise<void> {
    if (await boss.getQueue(name)) return;
    await boss.createQueue(name).catch(async (error: Error) => {
      // Another process created it in the meantime.
      if (!(await boss.getQueue(name))) throw error;
    });
  }

  /** Another feature's durable jobs on the same queue database (urgent reminders, emails). */
  async addQueue(name: string): Promise<void> {
    this.queueNames.add(name);
    await this.createQueue(await this.start(), name);
  }

  /** The retry settings every job carries. */
  private jobOptions() {
    const c = this.jobSettings;
    return {
      retryLimit: c.retryLimit,
      retryDelay: Math.max(1, Math.round(c.retryDelaySeconds)),
      retryBackoff: true,
      expireInSeconds: Math.max(60, Math.ceil((c.sendTimeoutMs * 3) / 1000)),
    };
  }

  /** Queues one job inside the caller's transaction; `startAfterSeconds` delays it, `startAfter` sets when. */
  async send(client: PoolClient, name: string, data: object, options: { startAfterSeconds?: number; startAfter?: Date } = {}): Promise<void> {
    const boss = await this.start();
    await boss.send(name, data, {
      ...this.jobOptions(),
      ...(options.startAfterSeconds !== undefined && { startAfter: options.startAfterSeconds }),
      ...(options.startAfter !== undefined && { startAfter: options.startAfter }),
      db: inTransaction(client),
    });
  }

  /** Queues many jobs in one statement inside the caller's transaction. */
  async insertMany(client: PoolClient, name: string, data: object[]): Promise<void> {
    if (data.length === 0) return;
    const boss = await this.start();
    const options = this.jobOptions();
    await boss.insert(
      data.map((d) => ({ name, data: d, ...options })),
      { db: inTransaction(client) },
    );
  }

  /**
   * Runs `handler` for each job of the queue, up to `batchSize` at a time. A job whose handler
   * throws is failed on its own (and retried by pg-boss); the others of its batch complete.
   */
  async work<T>(name: string, batchSize: number, handler: Handler<T>): Promise<void> {
    const boss = await this.start();
    const workerId = await boss.work<T>(
      name,
      { batchSize, includeMetadata: true, pollingIntervalSeconds: Math.max(0.5, this.jobSettings.pollIntervalMs / 1000) },
      async (jobs) => {
        // Claimed for this process before anything is sent, so that if it dies they are handed back.
        await this.push.claimJobs(
          jobs.map((j) => j.id),
          name,
          this.presence.processId,
        );
        await Promise.all(
          jobs.map((job) => {
            // Fetched while shutting down: hand it back untouched, for the next process to send.
            const work = this.stopping ? Promise.reject(new Error('the server is shutting down')) : handler(job, this.abort.signal);
            const run = work.catch(async (error: Error) => {
              await boss.fail(name, job.id, { message: error.message }).catch(() => undefined);
            });
            this.inFlight.add(run);
            return run.finally(() => this.inFlight.delete(run));
          }),
        );
        await this.push.releaseJobs(jobs.map((j) => j.id)).catch(() => undefined);
        // A full batch means more is waiting: fetch again at once instead of sleeping a poll interval.
        if (jobs.length === batchSize) this.wake(name);
      },
    );
    this.workers.set(name, [...(this.workers.get(name) ?? []), workerId]);
  }

  /** Lets this process's idle workers of the queue look for jobs now rather than at their next poll. */
  wake(name: string): void {
    if (this.stopping) return;
    for (const id of this.workers.get(name) ?? []) this.boss?.notifyWorker(id);
  }

  /** Whether this is the job's last attempt (no retry follows a failure). */
  static isLastAttempt(job: PgBoss.JobWithMetadata<unknown>): boolean {
    return job.retryCount >= job.retryLimit;
  }

  async beforeApplicationShutdown() {
    clearInterval(this.handBackTimer);
    if (!this.starting || this.stopping) return;
    this.stopping = true;
    const boss = await this.starting.catch(() => undefined);
    if (!boss) return;
    for (const name of this.workers.keys()) await boss.offWork(name);
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.jobSettings.shutdownTimeoutMs)));
      await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
      clearTimeout(timer);
    }
    // What is still sending is cut; its handler fails the job, so it is retried later.
    this.abort.abort(new Error('the server is shutting down'));
    await Promise.allSettled([...this.inFlight]);
    await boss.stop({ graceful: false, close: true });
  }
}
