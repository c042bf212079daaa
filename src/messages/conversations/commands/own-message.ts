import type { PoolClient } from 'pg';
import { DomainError } from '../../../common/errors/domain-error';
import { ConversationStore, toMessage, type Actor } from '../conversation.store';

/**
 * Locks the conversation (so an archive cannot slip in between) and the message, and checks that
 * the caller is a current member who sent it. Resolves to the message and the members to tell.
 */
export async function lockOwnMessage(tx: PoolClient, store: ConversationStore, author: Actor, conversationId: number, seq: number) {
  const conversation = await store.access(tx, author.departmentId, conversationId, author.userId, true);
  if (!conversation?.hasMembership) throw DomainError.notFound(`Conversation ${conversationId} not found`);
  if (conversation.archived) throw DomainError.conflict(`Conversation ${conversationId} is archived and read-only`);
  const row = await store.lockMessage(tx, author.departmentId, conversationId, seq);
  if (!row) throw DomainError.notFound(`Conversation ${conversationId} has no message ${seq}`);
  if (row.kind !== 'text' || row.sender_id !== author.userId) throw DomainError.forbidden(`Only the sender of message ${seq} may change it`);
  if (!conversation.isMember) throw DomainError.forbidden(`You left conversation ${conversationId}; send a message in it to rejoin`);
  return { message: toMessage(row), memberIds: await store.currentMemberIds(tx, conversationId) };
}
