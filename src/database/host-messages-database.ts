import { Injectable } from '@nestjs/common';
import type { PoolClient, QueryResultRow } from 'pg';
import { MessagesDatabase, type ChannelSubscription, type ListenEvents, type SqlClient } from '../messages';
import { DatabaseNotifications } from './database-notifications';
import { SharedPool } from './shared-pool';

/** The messages module's database: the process's one pool and its one listening connection. */
@Injectable()
export class HostMessagesDatabase extends MessagesDatabase {
  readonly client: SqlClient;

  constructor(
    private readonly pool: SharedPool,
    private readonly notifications: DatabaseNotifications,
  ) {
    super();
    this.client = pool.client;
  }

  query<T extends QueryResultRow>(sql: string, params: unknown[] = [], name?: string): Promise<T[]> {
    return this.pool.query<T>(sql, params, name);
  }

  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.pool.transaction(work);
  }

  listen(channel: string, onPayload: (payload: string) => void, events?: ListenEvents): Promise<ChannelSubscription> {
    return this.notifications.listen(channel, onPayload, events);
  }
}
