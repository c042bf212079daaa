import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import type { PoolClient } from 'pg';
import { DomainError } from '../../../common/errors/domain-error';
import { releaseAttachments } from '../../attachments/attachment-links';
import { SqlPool } from '../../database/sql-pool';
import type { ConversationMessagePayload } from '../../realtime/socket-events';
import { PushRepository } from '../../push/push.repository';
import { ConversationStore, plainText, toMessage, type Actor } from '../conversation.store';
import { ConversationMessageChanged } from '../events/conversation.events';
import { EditMessageCommand, RetractMessageCommand } from './change-message.command';

/**
 * Locks the conversation (so an archive cannot slip in between) and the message, and checks that
 * the caller is a current member who sent it. Resolves to the message and the members to tell.
 */
async function lockOwnMessage(tx: PoolClient, store: ConversationStore, author: Actor, conversationId: number, seq: number) {
  const conversation = await store.access(tx, author.departmentId, conversationId, author.userId, true);
  if (!conversation?.hasMembership) throw DomainError.notFound(`Conversation ${conversationId} not found`);
  if (conversation.archived) throw DomainError.conflict(`Conversation ${conversationId} is archived and read-only`);
  const row = await store.lockMessage(tx, author.departmentId, conversationId, seq);
  if (!row) throw DomainError.notFound(`Conversation ${conversationId} has no message ${seq}`);
  if (row.kind !== 'text' || row.sender_id !== author.userId) throw DomainError.forbidden(`Only the sender of message ${seq} may change it`);
  if (!conversation.isMember) throw DomainError.forbidden(`You left conversation ${conversationId}; send a message in it to rejoin`);
  return { message: toMessage(row), memberIds: await store.currentMemberIds(tx, conversationId) };
}

@CommandHandler(EditMessageCommand)
export class EditMessageHandler implements ICommandHandler<EditMessageCommand> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
    private readonly events: EventBus,
  ) {}

  async execute({ author, conversationId, seq, body: text }: EditMessageCommand): Promise<ConversationMessagePayload> {
    const body = plainText(text);
    const outcome = await this.sql.transaction(async (tx) => {
      const { message, memberIds } = await lockOwnMessage(tx, this.store, author, conversationId, seq);
      if (message.retractedAt) throw DomainError.conflict(`Message ${seq} was retracted and can no longer be edited`);
      if (message.body === body) return { message, memberIds, changed: false };
      const edited = await this.store.edit(tx, author.departmentId, conversationId, seq, body, message.body);
      return { message: edited, memberIds, changed: true };
    });
    if (outcome.changed) this.events.publish(new ConversationMessageChanged(author.departmentId, 'edited', outcome.message, outcome.memberIds));
    return outcome.message;
  }
}

@CommandHandler(RetractMessageCommand)
export class RetractMessageHandler implements ICommandHandler<RetractMessageCommand> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
    private readonly push: PushRepository,
    private readonly events: EventBus,
  ) {}

  async execute({ author, conversationId, seq }: RetractMessageCommand): Promise<ConversationMessagePayload> {
    const outcome = await this.sql.transaction(async (tx) => {
      const { message, memberIds } = await lockOwnMessage(tx, this.store, author, conversationId, seq);
      // Retracting twice changes nothing more.
      if (message.retractedAt) return { message, memberIds, changed: false };
      const retracted = await this.store.retract(tx, author.departmentId, conversationId, seq);
      await releaseAttachments(tx, conversationId, seq);
      // Its pushes not yet sent are withdrawn (a delivery whose event is gone is skipped); one a
      // device already shows stays there: Web Push cannot take a notification back.
      await this.push.withdrawPending(tx, author.departmentId, { conversationId, seq });
      return { message: { ...retracted, attachments: [] }, memberIds, changed: true };
    });
    if (outcome.changed) this.events.publish(new ConversationMessageChanged(author.departmentId, 'retracted', outcome.message, outcome.memberIds));
    return outcome.message;
  }
}
