import { Command, CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { OfflineNotifier } from '../../push/offline-notifier';
import type { ConversationMemberPayload, ConversationMessagePayload, Priority } from '../../realtime/socket-events';
import { recordUrgentRecipients } from '../../urgent/conversation-urgent';
import { ConversationStore, MESSAGE_COLUMNS, plainText, SYSTEM_SENDER, toMessage, type Actor, type NewMessage } from '../conversation.store';
import { ConversationMembersChanged, ConversationMessagesPosted } from '../events/conversation.events';
import { InviteeRules } from '../invitee-rules';

export interface PostMessageInput {
  author: Actor;
  conversationId: number;
  body: string;
  /** The client's id for the message: a repeat returns the first message and stores nothing. */
  clientId?: string | null;
  /** Urgent: each other member must acknowledge it; its push goes out as urgent. */
  priority?: Priority;
  /**
   * A user who is not a member joins a dispatch conversation by writing, when authorized in its
   * zone (comment-to-join). Without it, or on another kind, a non-member gets 404.
   */
  joinByWriting?: boolean;
}

/** Posts a text message; a member who had left is back in by writing. */
export class PostMessageCommand extends Command<ConversationMessagePayload> {
  constructor(readonly input: PostMessageInput) {
    super();
  }
}

@CommandHandler(PostMessageCommand)
export class PostMessageHandler implements ICommandHandler<PostMessageCommand> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
    private readonly rules: InviteeRules,
    private readonly notifier: OfflineNotifier,
    private readonly events: EventBus,
  ) {}

  private async existing(db: Pick<SqlPool['pool'], 'query'>, input: PostMessageInput): Promise<ConversationMessagePayload | null> {
    if (!input.clientId) return null;
    const { rows } = await db.query(
      `select ${MESSAGE_COLUMNS} from conversation_messages
        where conversation_id = $1 and sender_id = $2 and client_id = $3 and department_id = $4`,
      [input.conversationId, input.author.userId, input.clientId, input.author.departmentId],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async execute({ input }: PostMessageCommand): Promise<ConversationMessagePayload> {
    const { author, conversationId } = input;
    const departmentId = author.departmentId;
    const body = plainText(input.body);
    // A retry of a message already stored needs no lock.
    const repeated = await this.existing(this.sql.pool, input);
    if (repeated) return repeated;

    const outcome = await this.sql.transaction(async (tx) => {
      const conversation = await this.store.access(tx, departmentId, conversationId, author.userId, true);
      const mayJoin = input.joinByWriting && conversation?.kind === 'dispatch';
      if (!conversation || (!conversation.hasMembership && !mayJoin)) throw DomainError.notFound(`Conversation ${conversationId} not found`);
      if (conversation.archived) throw DomainError.conflict(`Conversation ${conversationId} is archived and read-only`);
      // Under the lock a concurrent repeat has either committed (found here) or waits behind us.
      const stored = await this.existing(tx, input);
      if (stored) return { message: stored, fresh: [] as ConversationMessagePayload[], changes: [], memberIds: [] as number[] };

      const messages: NewMessage[] = [];
      const changes: Omit<ConversationMemberPayload, 'conversationId'>[] = [];
      if (!conversation.hasMembership) {
        const [me] = await this.rules.resolve(departmentId, [author.userId], 'author');
        await this.rules.requireAuthorized(departmentId, conversation.zoneId, [me], "this conversation's zone");
        await this.store.addMembers(tx, departmentId, conversationId, [{ userId: author.userId, name: author.name }], { invitedBy: null, delivered: true });
        messages.push({ senderId: null, senderName: SYSTEM_SENDER, kind: 'system', body: `${author.name} joined` });
        changes.push({ userId: author.userId, change: 'joined' });
      } else if (conversation.kind === 'direct') {
        // Leaving a direct conversation only hides it; a new message brings it back for both.
        await tx.query('update conversation_members set left_at = null where conversation_id = $1 and left_at is not null', [conversationId]);
      } else if (!conversation.isMember) {
        await tx.query('update conversation_members set left_at = null, joined_at = now() where conversation_id = $1 and user_id = $2', [
          conversationId,
          author.userId,
        ]);
        messages.push({ senderId: null, senderName: SYSTEM_SENDER, kind: 'system', body: `${author.name} rejoined` });
        changes.push({ userId: author.userId, change: 'joined' });
      }
      const priority = input.priority ?? 'normal';
      messages.push({ senderId: author.userId, senderName: author.name, kind: 'text', body, clientId: input.clientId ?? null, priority });
      const fresh = await this.store.append(tx, departmentId, conversationId, messages);
      const message = fresh[fresh.length - 1];
      await this.store.advanceRead(tx, conversationId, author.userId, message.seq);
      const memberIds = await this.store.currentMemberIds(tx, conversationId);
      const offline = memberIds.filter((id) => id !== author.userId);
      if (priority === 'urgent') await recordUrgentRecipients(tx, departmentId, conversationId, message.seq, offline);
      if (offline.length) {
        await this.notifier.enqueue(tx, departmentId, offline, {
          kind: 'conversation-message',
          title: conversation.kind === 'direct' ? author.name : `${author.name} in ${conversation.title}`,
          preview: body.slice(0, 120),
          ids: { conversationId, seq: message.seq },
          urgent: priority === 'urgent',
        });
      }
      return { message, fresh, changes, memberIds };
    });

    if (outcome.fresh.length) {
      if (outcome.changes.length) {
        this.events.publish(new ConversationMembersChanged(departmentId, conversationId, outcome.changes, outcome.memberIds));
      }
      this.events.publish(new ConversationMessagesPosted(departmentId, outcome.fresh.map((message) => ({ message, userIds: outcome.memberIds }))));
    }
    return outcome.message;
  }
}
