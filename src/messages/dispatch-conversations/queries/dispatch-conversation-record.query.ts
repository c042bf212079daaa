import { Query, QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { canRead, ConversationStore } from '../../conversations/conversation.store';
import { DispatchConversationQuery, type DispatchConversationRecord } from '../../conversations/queries/dispatch-conversation.query';
import { DispatchRecords } from '../dispatch-records';

export interface DispatchConversationView extends DispatchConversationRecord {
  dispatch: { id: number; number: string; zoneId: number; status: 'open' | 'closed'; closedAt: string | null };
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
  ) {
    super();
  }
}

@QueryHandler(DispatchConversationRecordQuery)
export class DispatchConversationRecordHandler implements IQueryHandler<DispatchConversationRecordQuery> {
  constructor(
    private readonly records: DispatchRecords,
    private readonly store: ConversationStore,
    private readonly sql: SqlPool,
    private readonly queries: QueryBus,
  ) {}

  async execute({ viewer, dispatchId }: DispatchConversationRecordQuery): Promise<DispatchConversationView> {
    const { departmentId, userId } = viewer;
    const record = await this.records.find(departmentId, dispatchId);
    if (!record) throw DomainError.notFound(`Dispatch ${dispatchId} not found`);
    const notFound = () => DomainError.notFound(`Dispatch ${record.number} has no conversation you can read`);
    if (record.conversationId === null) throw notFound();
    if (!viewer.isAdmin && userId !== record.dispatcherId) {
      const access = await this.store.access(this.sql.pool, departmentId, record.conversationId, userId);
      if (!access?.hasMembership || !canRead(access)) throw notFound();
    }
    const found = await this.queries.execute(new DispatchConversationQuery(departmentId, dispatchId, userId));
    if (!found) throw notFound();
    return {
      dispatch: { id: record.dispatchId, number: record.number, zoneId: record.zoneId, status: record.status, closedAt: record.closedAt },
      ...found,
    };
  }
}
