import { Logger } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { attachUploads } from '../../attachments/attachment-links';
import { SqlPool } from '../../database/sql-pool';
import { OfflineNotifier } from '../../push/offline-notifier';
import type { ConversationMemberPayload, ConversationMessagePayload } from '../../realtime/socket-events';
import { recordUrgentRecipients } from '../../urgent/urgent.repository';
import { EscalationPlanner } from '../../urgent/escalation/escalation-planner';
import { shouldPush } from '../../push/push-decision';
import { ConversationStore, plainText, SYSTEM_SENDER, type Db, type NewMessage } from '../conversation.store';
import { ConversationMembersChanged, ConversationMessagesPosted } from '../events/conversation.events';
import { InviteeRules } from '../invitee-rules';
import { PostMessageInput, PostMessage } from './post-message.command';

@CommandHandler(PostMessage)
export class PostMessageHandler implements ICommandHandler<PostMessage> {
  private readonly logger = new Logger('PostMessageHandler');

  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
    private readonly rules: InviteeRules,
    private readonly notifier: OfflineNotifier,
    private readonly escalation: EscalationPlanner,
    private readonly events: EventBus,
  ) {}

  private existing(db: Db, input: PostMessageInput): Promise<ConversationMessagePayload | null> {
    if (!input.clientId) return Promise.resolve(null);
    return this.store.messageByClientId(db, input.author.departmentId, input.conversationId, input.author.userId, input.clientId);
  }

  async execute({ input }: PostMessage): Promise<ConversationMessagePayload> {
    const { author, conversationId } = input;
    const departmentId = author.departmentId;
    // A location or a photo speaks for itself; anything else needs text.
    const body = (input.location || input.attachmentIds?.length) && !input.body?.trim() ? '' : plainText(input.body ?? '');
    const mentionUserIds = [...new Set(input.mentionUserIds ?? [])];
    // A retry of a message already stored needs no lock.
    const repeated = await this.existing(this.store.pool, input);
    if (repeated) return repeated;
    const plan = await this.escalation.plan(author, input);

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
        // On the transaction: it holds the conversation's lock, and must not wait for a second connection.
        const [me] = await this.rules.resolve(departmentId, [author.userId], 'author', tx);
        await this.rules.requireAuthorized(departmentId, conversation.zoneId, [me], "this conversation's zone", tx);
        await this.store.addMembers(tx, departmentId, conversationId, [{ userId: author.userId, name: author.name }], { invitedBy: null, delivered: true });
        messages.push({ senderId: null, senderName: SYSTEM_SENDER, kind: 'system', body: `${author.name} joined` });
        changes.push({ userId: author.userId, change: 'joined' });
      } else if (conversation.kind === 'direct') {
        // Leaving a direct conversation only hides it; a new message brings it back for both.
        await this.store.unhideDirect(tx, conversationId);
      } else if (!conversation.isMember) {
        await this.store.rejoin(tx, conversationId, author.userId);
        messages.push({ senderId: null, senderName: SYSTEM_SENDER, kind: 'system', body: `${author.name} rejoined` });
        changes.push({ userId: author.userId, change: 'joined' });
      }
      if (input.replyToSeq !== undefined && input.replyToSeq > conversation.lastSeq) {
        throw DomainError.invalid(`replyToSeq: conversation ${conversationId} has no message ${input.replyToSeq}`);
      }
      const members = await this.store.currentMembersWithLevels(tx, conversationId);
      const memberIds = members.map((m) => m.userId);
      const stranger = mentionUserIds.find((id) => !memberIds.includes(id));
      if (stranger !== undefined) throw DomainError.invalid(`mentionUserIds: user ${stranger} is not a member of conversation ${conversationId}`);
      messages.push({
        senderId: author.userId,
        senderName: author.name,
        kind: 'text',
        body,
        clientId: input.clientId ?? null,
        replyToSeq: input.replyToSeq ?? null,
        mentionUserIds,
        location: input.location ?? null,
        priority: input.priority ?? 'normal',
      });
      const fresh = await this.store.append(tx, departmentId, conversationId, messages);
      const message = fresh[fresh.length - 1];
      message.attachments = await attachUploads(tx, author, input.attachmentIds ?? [], { conversationId, seq: message.seq });
      await this.store.advanceRead(tx, conversationId, author.userId, message.seq);
      const mentioned = new Set(mentionUserIds);
      const priority = input.priority ?? 'normal';
      const others = memberIds.filter((id) => id !== author.userId);
      if (priority === 'urgent') await recordUrgentRecipients(tx, departmentId, conversationId, message.seq, others, plan);
      // The first step commits with the line, or neither does.
      if (plan && others.length) await this.escalation.schedule(tx, { conversationId, seq: message.seq }, plan);
      const offline = members
        .filter((m) => m.userId !== author.userId && shouldPush(m.level, mentioned.has(m.userId), priority))
        .map((m) => m.userId);
      if (offline.length) {
        await this.notifier.enqueue(tx, departmentId, offline, {
          kind: 'conversation-message',
          title: conversation.kind === 'direct' ? author.name : `${author.name} in ${conversation.title}`,
          preview: body ? body.slice(0, 120) : message.attachments.length ? `Sent ${message.attachments.map((a) => a.name).join(', ')}` : 'Shared a location',
          ids: { conversationId, seq: message.seq },
          urgent: priority === 'urgent',
        });
      }
      return { message, fresh, changes, memberIds };
    });

    if (outcome.fresh.length) {
      // The members' lists move after the delivery, and before the author hears back.
      const listed = this.store
        .markActive(this.store.pool, conversationId)
        .catch((error: Error) => this.logger.error(`conversation ${conversationId} not moved up the lists: ${error.message}`));
      if (outcome.changes.length) {
        this.events.publish(new ConversationMembersChanged(departmentId, conversationId, outcome.changes, outcome.memberIds));
      }
      this.events.publish(new ConversationMessagesPosted(departmentId, outcome.fresh.map((message) => ({ message, userIds: outcome.memberIds }))));
      await listed;
    }
    return outcome.message;
  }
}
