import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { canRead, ConversationStore } from '../../conversations/conversation.store';
import { readDispatchConversation, type DispatchConversationRecord, type RecordRange } from '../../conversations/queries/dispatch-conversation.query';
import { DispatchRecords } from '../dispatch-records';

export interface DispatchSummary {
  id: number;
  number: string;
  zoneId: number;
  status: 'open' | 'closed';
  closedAt: string | null;
}

export interface DispatchConversationView extends DispatchConversationRecord {
  dispatch: DispatchSummary;
}

/**
 * A dispatch's conversation with its whole history, kept with the dispatch record and readable
 * after the dispatch closed. Who may read it: department admins, the dispatcher, and whoever may
 * read the conversation itself (its members, and those who left while the dispatch rule keeps
 * them reading, i.e. until their task is cleared). To anyone else it does not exist.
 */
export class DispatchConversationRecordQuery extends Query<DispatchConversationView> {
  constructor(
    readonly viewer: { userId: number; departmentId: number; isAdmin: boolean },
    readonly dispatchId: number,
    /** A page of the history by `seq`; without it, the whole history. */
    readonly range: RecordRange | null = null,
  ) {
    super();
  }
}

@QueryHandler(DispatchConversationRecordQuery)
export class DispatchConversationRecordHandler implements IQueryHandler<DispatchConversationRecordQuery> {
  constructor(
    private readonly records: DispatchRecords,
    private readonly store: ConversationStore,
  ) {}

  async execute({ viewer, dispatchId, range }: DispatchConversationRecordQuery): Promise<DispatchConversationView> {
    const { departmentId, userId } = viewer;
    const record = await this.records.find(departmentId, dispatchId);
    if (!record) throw DomainError.notFound(`Dispatch ${dispatchId} not found`);
    const notFound = () => DomainError.notFound(`Dispatch ${record.number} has no conversation you can read`);
    if (record.conversationId === null) throw notFound();
    if (!viewer.isAdmin && userId !== record.dispatcherId) {
      const access = await this.store.access(this.store.pool, departmentId, record.conversationId, userId);
      if (!access?.hasMembership || !canRead(access)) throw notFound();
    }
    const found = await readDispatchConversation(this.store, { departmentId, dispatchId, viewerId: userId, range });
    if (!found) throw notFound();
    return {
      dispatch: { id: record.dispatchId, number: record.number, zoneId: record.zoneId, status: record.status, closedAt: record.closedAt },
      ...found,
    };
  }
}
