import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import type { TopUnread } from '../dto/mail-views';
import { toInboxItem } from '../mail.mapper';
import { MAIL_SQL, MailRepository } from '../mail.repository';
import { UNREAD_STATE_SQL, UnreadStateRepository } from '../unread/unread-state.repository';
import { UnreadVersions } from '../unread/unread-versions';

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

const matches = (ifNoneMatch: string | undefined, etag: string) =>
  !!ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);

/**
 * The dashboard polls this all day. A matching ETag whose version this process knows is a 304
 * without the database; otherwise the user's state is one primary-key read, and the items (only
 * when something changed and there is something unread) the few newest rows of the unread index.
 */
@QueryHandler(GetTopUnread)
export class GetTopUnreadHandler implements IQueryHandler<GetTopUnread, TopUnreadResult> {
  constructor(
    private readonly state: UnreadStateRepository,
    private readonly mail: MailRepository,
    private readonly versions: UnreadVersions,
  ) {}

  async execute({ caller, limit, ifNoneMatch }: GetTopUnread): Promise<TopUnreadResult> {
    const known = this.versions.known(caller.userId);
    if (known !== undefined && matches(ifNoneMatch, topUnreadEtag(caller.userId, known, limit))) {
      return { etag: topUnreadEtag(caller.userId, known, limit), notModified: true };
    }
    const mark = this.versions.mark;
    const state = await this.state.one(caller.userId, caller.departmentId);
    this.versions.learnt(caller.userId, caller.departmentId, state.version, mark);
    const etag = topUnreadEtag(caller.userId, state.version, limit);
    if (matches(ifNoneMatch, etag)) return { etag, notModified: true };
    const rows = state.count === 0 ? [] : await this.mail.topUnread(caller.userId, caller.departmentId, limit);
    return { etag, notModified: false, body: { count: state.count, items: rows.map(toInboxItem) } };
  }
}
