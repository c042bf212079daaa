import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { canRead, ConversationStore } from '../../conversations/conversation.store';
import { readDispatchConversation } from '../../conversations/queries/get-dispatch-conversation.query';
import { DispatchRecords } from '../dispatch-records';
import { DispatchConversationView, GetDispatchConversationRecord } from './get-dispatch-conversation-record.query';

@QueryHandler(GetDispatchConversationRecord)
export class GetDispatchConversationRecordHandler implements IQueryHandler<GetDispatchConversationRecord> {
  constructor(
    private readonly records: DispatchRecords,
    private readonly store: ConversationStore,
  ) {}

  async execute({ viewer, dispatchId, range }: GetDispatchConversationRecord): Promise<DispatchConversationView> {
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
