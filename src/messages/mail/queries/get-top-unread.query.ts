import { Query } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import type { TopUnread } from '../dto/mail-views';
import { MAIL_SQL } from '../mail.repository';
import { UNREAD_STATE_SQL } from '../unread/unread-state.repository';

export type TopUnreadResult = { etag: string; notModified: true } | { etag: string; notModified: false; body: TopUnread };

export class GetTopUnread extends Query<TopUnreadResult> {
  constructor(
    readonly caller: Principal,
    readonly limit: number,
    /** The client's `If-None-Match`, if any. */
    readonly ifNoneMatch: string | undefined,
  ) {
    super();
  }
}

/** The statements behind this route, for the benchmark's bare handler to run the same SQL. */
export const TOP_UNREAD_STATE_SQL = UNREAD_STATE_SQL.one;

export const TOP_UNREAD_ITEMS_SQL = MAIL_SQL.topUnread;

/** The user's unread state moves its version with every change to their unread set. */
export const topUnreadEtag = (userId: number, version: number, limit: number) => `"unread-${userId}-${version}-${limit}"`;
