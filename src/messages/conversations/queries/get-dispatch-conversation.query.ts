import { Query } from '@nestjs/cqrs';
import type { ConversationMessagePayload, ConversationSummary } from '../../realtime/socket-events';
import { ConversationStore } from '../conversation.store';

export interface DispatchConversationRecord {
  conversation: ConversationSummary;
  /** Oldest first: the whole history, or the page asked for. */
  messages: ConversationMessagePayload[];
  /** With a page asked for: the `seq` to pass the same way for the next page; null when none is left (always null for the whole history). */
  nextCursor: string | null;
}

/** A page of a dispatch record's history by `seq`, as the conversation history pages. */
export interface RecordRange {
  after?: number;
  before?: number;
  limit: number;
}

/**
 * A dispatch's conversation and its history, as kept with the dispatch record (no membership
 * check: the caller decides who may see the record). Null when it has none.
 */
export class GetDispatchConversation extends Query<DispatchConversationRecord | null> {
  constructor(
    readonly departmentId: number,
    readonly dispatchId: number,
    /** Whose read position the summary shows; null for none. */
    readonly viewerId: number | null = null,
    /** A page of the history; without it, the whole history. */
    readonly range: RecordRange | null = null,
  ) {
    super();
  }
}

/** Reads a dispatch's conversation record; shared by the query here and the dispatch record's own query. */
export async function readDispatchConversation(
  store: ConversationStore,
  { departmentId, dispatchId, viewerId, range }: Pick<GetDispatchConversation, 'departmentId' | 'dispatchId' | 'viewerId' | 'range'>,
): Promise<DispatchConversationRecord | null> {
  const conversationId = await store.dispatchConversationId(departmentId, dispatchId);
  if (conversationId === null) return null;
  const [conversation, page] = await Promise.all([
    store.summary(store.pool, departmentId, conversationId, viewerId),
    range ? store.history(departmentId, conversationId, range) : store.wholeHistory(departmentId, conversationId),
  ]);
  return { conversation: conversation!, messages: page.items, nextCursor: page.nextCursor };
}
