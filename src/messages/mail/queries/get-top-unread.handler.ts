import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { toInboxItem } from '../mail.mapper';
import { MailRepository } from '../mail.repository';
import { UnreadStateRepository } from '../unread/unread-state.repository';
import { UnreadVersions, type KnownUnread } from '../unread/unread-versions';
import type { Principal } from '../../../common/access';
import { TopUnreadResult, GetTopUnread, topUnreadEtag } from './get-top-unread.query';

const matches = (ifNoneMatch: string | undefined, etag: string) =>
  !!ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);

/**
 * The dashboard polls this all day. A matching ETag whose version this process knows is a 304
 * without the database; a known version that does not match needs only the items, as the count
 * came with the change's notification; otherwise the user's state is one primary-key read. The
 * items (only when there is something unread) are the few newest rows of the unread index.
 */
@QueryHandler(GetTopUnread)
export class GetTopUnreadHandler implements IQueryHandler<GetTopUnread, TopUnreadResult> {
  constructor(
    private readonly state: UnreadStateRepository,
    private readonly mail: MailRepository,
    private readonly versions: UnreadVersions,
  ) {}

  async execute({ caller, limit, ifNoneMatch }: GetTopUnread): Promise<TopUnreadResult> {
    const state = this.versions.known(caller.userId, caller.departmentId) ?? (await this.read(caller));
    const etag = topUnreadEtag(caller.userId, state.version, limit);
    if (matches(ifNoneMatch, etag)) return { etag, notModified: true };
    const rows = state.count === 0 ? [] : await this.mail.topUnread(caller.userId, caller.departmentId, limit);
    return { etag, notModified: false, body: { count: state.count, items: rows.map(toInboxItem) } };
  }

  private async read(caller: Principal): Promise<KnownUnread> {
    const mark = this.versions.mark;
    const state = await this.state.one(caller.userId, caller.departmentId);
    this.versions.learnt(caller.userId, caller.departmentId, state, mark);
    return state;
  }
}
