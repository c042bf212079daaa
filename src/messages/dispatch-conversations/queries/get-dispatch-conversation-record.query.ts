import { Query } from '@nestjs/cqrs';
import { type DispatchConversationRecord, type RecordRange } from '../../conversations/queries/get-dispatch-conversation.query';

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
export class GetDispatchConversationRecord extends Query<DispatchConversationView> {
  constructor(
    readonly viewer: { userId: number; departmentId: number; isAdmin: boolean },
    readonly dispatchId: number,
    /** A page of the history by `seq`; without it, the whole history. */
    readonly range: RecordRange | null = null,
  ) {
    super();
  }
}
