import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { PoolClient } from 'pg';
import { SqlPool } from '../../database/sql-pool';
import { UnreadChanged } from '../../events/mail.events';
import { UnreadStateRepository } from './unread-state.repository';
import { UnreadVersions } from './unread-versions';

/** What a change to a member's own copies did, and how many unread copies it cleared. */
export interface ClearedCopies<T> {
  result: T;
  cleared: number;
}

/**
 * A member's change to their own copies that may clear unread ones (reading, answering,
 * acknowledging, removing): their unread state is locked first, so the recount sees every
 * earlier clearing; it moves in the same transaction by the copies cleared; and once committed,
 * this process's versions take it and the member's sockets hear of it.
 */
@Injectable()
export class UnreadClearing {
  constructor(
    private readonly sql: SqlPool,
    private readonly unread: UnreadStateRepository,
    private readonly versions: UnreadVersions,
    private readonly events: EventBus,
  ) {}

  async run<T>(departmentId: number, userId: number, change: (tx: PoolClient) => Promise<ClearedCopies<T>>): Promise<T> {
    const { result, unread } = await this.sql.transaction(async (tx) => {
      await this.unread.lock(tx, [userId]);
      const { result, cleared } = await change(tx);
      return { result, unread: await this.unread.removed(tx, departmentId, Array.from({ length: cleared }, () => userId)) };
    });
    if (unread) {
      this.versions.apply(unread);
      this.events.publish(new UnreadChanged(departmentId, [userId]));
    }
    return result;
  }
}
