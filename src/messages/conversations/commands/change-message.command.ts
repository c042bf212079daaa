import { Command, CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import type { PoolClient } from 'pg';
import { DomainError } from '../../../common/errors/domain-error';
import { releaseAttachments } from '../../attachments/attachment-links';
import { SqlPool } from '../../database/sql-pool';
import type { ConversationMessagePayload } from '../../realtime/socket-events';
import { ConversationStore, MESSAGE_COLUMNS, plainText, toMessage, type Actor, type MessageRow } from '../conversation.store';
import { ConversationMessageChanged } from '../events/conversation.events';

/** The sender replaces the text of their message; the earlier text is kept as a version. */
export class EditMessageCommand extends Command<ConversationMessagePayload> {
  constructor(
    readonly author: Actor,
    readonly conversationId: number,
    readonly seq: number,
    readonly body: string,
  ) {
    super();
  }
}

/** The sender takes their message back: its text, location, attachments and earlier versions are gone, its place in the history stays. */
export class RetractMessageCommand extends Command<ConversationMessagePayload> {
  constructor(
    readonly author: Actor,
    readonly conversationId: number,
    readonly seq: number,
  ) {
    super();
  }
}

/**
 * Locks the conversation (so an archive cannot slip in between) and the message, and checks that
 * the caller is a current member who sent it. Resolves to the message and the members to tell.
 */
async function lockOwnMessage(tx: PoolClient, store: ConversationStore, author: Actor, conversationId: number, seq: number) {
  const conversation = await store.access(tx, author.departmentId, conversationId, author.userId, true);
  if (!conversation?.hasMembership) throw DomainError.notFound(`Conversation ${conversationId} not found`);
  if (conversation.archived) throw DomainError.conflict(`Conversation ${conversationId} is archived and read-only`);
  const { rows } = await tx.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from conversation_messages where conversation_id = $1 and seq = $2 and department_id = $3 for update`,
    [conversationId, seq, author.departmentId],
  );
  const row = rows[0];
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
      const { rows } = await tx.query<MessageRow>(
        `with version as (
           insert into conversation_message_edits (conversation_id, seq, version, department_id, body)
           select $1, $2, coalesce((select max(version) from conversation_message_edits where conversation_id = $1 and seq = $2), 0) + 1, $3, $5
         )
         update conversation_messages set body = $4, edited_at = now()
          where conversation_id = $1 and seq = $2 and department_id = $3
         returning ${MESSAGE_COLUMNS}`,
        [conversationId, seq, author.departmentId, body, message.body],
      );
      return { message: toMessage(rows[0]), memberIds, changed: true };
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
    private readonly events: EventBus,
  ) {}

  async execute({ author, conversationId, seq }: RetractMessageCommand): Promise<ConversationMessagePayload> {
    const outcome = await this.sql.transaction(async (tx) => {
      const { message, memberIds } = await lockOwnMessage(tx, this.store, author, conversationId, seq);
      // Retracting twice changes nothing more.
      if (message.retractedAt) return { message, memberIds, changed: false };
      const { rows } = await tx.query<MessageRow>(
        `with versions as (delete from conversation_message_edits where conversation_id = $1 and seq = $2)
         update conversation_messages
            set body = '', retracted_at = now(), mention_user_ids = '{}', location_lat = null, location_lng = null, location_accuracy_m = null
          where conversation_id = $1 and seq = $2 and department_id = $3
         returning ${MESSAGE_COLUMNS}`,
        [conversationId, seq, author.departmentId],
      );
      await releaseAttachments(tx, conversationId, seq);
      // Its pushes not yet sent are withdrawn (a delivery whose event is gone is skipped); one a
      // device already shows stays there: Web Push cannot take a notification back.
      await tx.query(
        `delete from push_events
          where department_id = $1 and created_at > now() - interval '2 days'
            and payload->'ids' @> jsonb_build_object('conversationId', $2::int, 'seq', $3::int)`,
        [author.departmentId, conversationId, seq],
      );
      return { message: { ...toMessage(rows[0]), attachments: [] }, memberIds, changed: true };
    });
    if (outcome.changed) this.events.publish(new ConversationMessageChanged(author.departmentId, 'retracted', outcome.message, outcome.memberIds));
    return outcome.message;
  }
}
