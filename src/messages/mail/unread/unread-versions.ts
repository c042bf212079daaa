import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { MessagesDatabase, type ChannelSubscription } from '../../database/messages-database';
import { UNREAD_CHANNEL, type UnreadChange } from './unread-state.repository';

/** How many users' versions a process keeps; the least recently asked for go first. */
export const UNREAD_VERSIONS_MAX = 10_000;

interface Entry {
  departmentId: number;
  version: number;
  /** The unread count at `version`. */
  count: number;
}

/** A user's unread state as this process knows it. */
export interface KnownUnread {
  readonly version: number;
  readonly count: number;
}

/**
 * Each user's current unread version and count as this process last learnt them, so a poll
 * whose ETag still matches is answered without the database, and one that does not needs only
 * the newest unread rows. Kept right by the change notifications every process sends in its
 * write transactions; while they cannot be heard, nothing is kept.
 */
@Injectable()
export class UnreadVersions implements OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<number, Entry>();
  private live = false;
  /** Moves on every drop, so a read that started before one does not store what it read. */
  private epoch = 0;
  private subscription?: ChannelSubscription;
  private destroyed = false;

  constructor(private readonly database: MessagesDatabase) {}

  /** Listens on the process's one listening connection; caching starts once it hears. */
  async onModuleInit() {
    const subscription = await this.database.listen(UNREAD_CHANNEL, (payload) => this.heard(payload), {
      onLost: () => this.drop(false),
      onRestored: () => this.drop(true),
    });
    if (this.destroyed) return void (await subscription.close());
    this.subscription = subscription;
    if (subscription.listening) this.drop(true);
  }

  async onModuleDestroy() {
    this.destroyed = true;
    this.drop(false);
    await this.subscription?.close();
  }

  /** The state known for the user in the department, or undefined: then ask the database. */
  known(userId: number, departmentId: number): KnownUnread | undefined {
    if (!this.live) return undefined;
    const entry = this.entries.get(userId);
    if (!entry || entry.departmentId !== departmentId) return undefined;
    // Most recently used last.
    this.entries.delete(userId);
    this.entries.set(userId, entry);
    return entry;
  }

  /** Taken before reading the database; pass to `learnt`. */
  get mark(): number {
    return this.epoch;
  }

  /** A state read from the database, kept unless a drop happened since `mark` or a newer one is known. */
  learnt(userId: number, departmentId: number, state: KnownUnread, mark: number): void {
    if (!this.live || mark !== this.epoch) return;
    this.store(userId, departmentId, state.version, state.count);
  }

  /** A committed change, from this process (right after its commit) or from another one. */
  apply(change: UnreadChange | null): void {
    if (!change) return;
    if (change.u) {
      // Kept even for users not asked for yet: a read of theirs in flight must not store an older one.
      if (this.live) for (const [userId, version, count] of change.u) this.store(userId, change.d, version, count);
    } else {
      this.epoch++;
      for (const [userId, entry] of this.entries) if (entry.departmentId === change.d) this.entries.delete(userId);
    }
  }

  private heard(payload: string) {
    try {
      this.apply(JSON.parse(payload) as UnreadChange);
    } catch {
      this.drop(this.live);
    }
  }

  private store(userId: number, departmentId: number, version: number, count: number) {
    const entry = this.entries.get(userId);
    if (entry && entry.version >= version) return;
    this.entries.delete(userId);
    this.entries.set(userId, { departmentId, version, count });
    if (this.entries.size > UNREAD_VERSIONS_MAX) this.entries.delete(this.entries.keys().next().value as number);
  }

  private drop(live: boolean) {
    this.epoch++;
    this.entries.clear();
    this.live = live;
  }
}
