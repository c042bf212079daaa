import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { PoolClient } from 'pg';
import { SqlPool } from '../../database/sql-pool';
import { UnreadChanged } from '../../events/mail.events';
import { PushQueue } from '../../push/push-queue';
import { MailRepository } from '../mail.repository';
import { UnreadStateRepository, type UnreadChange } from '../unread/unread-state.repository';
import { UnreadVersions } from '../unread/unread-versions';

/** One durable job per expiring message, due at its expiry. */
export const MAIL_EXPIRY_QUEUE = 'mail-expiry';

export interface ExpiryJob {
  messageId: number;
}

/** Users whose state one transaction moves at most; a larger expiry takes several. */
const BATCH_USERS = 20_000;
/** A backstop for copies whose job is missing (written before jobs existed) or failed for good. */
const SWEEP_MS = 60_000;

/**
 * An expired message leaves the unread counts by a write of its own: the job clears its still
 * counted copies and moves every affected user's state in one statement, in one transaction.
 * Clearing only what is still counted makes a retried or doubled job change nothing.
 */
@Injectable()
export class MailExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MailExpiry');
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly queue: PushQueue,
    private readonly sql: SqlPool,
    private readonly mail: MailRepository,
    private readonly unread: UnreadStateRepository,
    private readonly versions: UnreadVersions,
    private readonly events: EventBus,
  ) {}

  async onApplicationBootstrap() {
    await this.queue.addQueue(MAIL_EXPIRY_QUEUE);
    await this.queue.work<ExpiryJob>(MAIL_EXPIRY_QUEUE, 4, (job) => this.expire(job.data.messageId));
    this.sweepTimer = setInterval(() => void this.expire(null).catch((e: Error) => this.logger.warn(`expiry sweep failed: ${e.message}`)), SWEEP_MS);
    this.sweepTimer.unref();
  }

  onApplicationShutdown() {
    clearInterval(this.sweepTimer);
  }

  /** Queued in the send's transaction: a committed expiring message always has its job. */
  schedule(tx: PoolClient, messageId: number, expiresAt: Date): Promise<void> {
    return this.queue.send(tx, MAIL_EXPIRY_QUEUE, { messageId } satisfies ExpiryJob, { startAfter: expiresAt });
  }

  /** Clears the expired copies of one message (or of any, when null) that still count as unread. */
  async expire(messageId: number | null): Promise<void> {
    for (;;) {
      const outcome = await this.sql.transaction(async (tx) => {
        const users = await this.mail.expiringUsers(tx, messageId, BATCH_USERS);
        if (!users.length) return { users, changes: [] as { departmentId: number; userIds: number[]; change: UnreadChange | null }[] };
        await this.unread.lock(tx, users);
        const cleared = await this.mail.expire(tx, messageId, users);
        const byDepartment = new Map<number, number[]>();
        for (const r of cleared) {
          const list = byDepartment.get(r.department_id) ?? [];
          list.push(r.user_id);
          byDepartment.set(r.department_id, list);
        }
        const changes = [];
        for (const [departmentId, userIds] of byDepartment) {
          changes.push({ departmentId, userIds: [...new Set(userIds)], change: await this.unread.removed(tx, departmentId, userIds) });
        }
        return { users, changes };
      });
      for (const c of outcome.changes) {
        this.versions.apply(c.change);
        this.events.publish(new UnreadChanged(c.departmentId, c.userIds));
      }
      if (outcome.users.length < BATCH_USERS) return;
    }
  }
}
