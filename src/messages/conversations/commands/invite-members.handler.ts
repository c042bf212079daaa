import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { OfflineNotifier } from '../../push/offline-notifier';
import { ConversationStore, nameList, SYSTEM_SENDER } from '../conversation.store';
import { ConversationInvitationsIssued, ConversationMembersChanged, ConversationMessagesPosted } from '../events/conversation.events';
import { InviteeRules } from '../invitee-rules';
import { InviteMembersResult, InviteMembers } from './invite-members.command';

@CommandHandler(InviteMembers)
export class InviteMembersHandler implements ICommandHandler<InviteMembers> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
    private readonly rules: InviteeRules,
    private readonly notifier: OfflineNotifier,
    private readonly events: EventBus,
  ) {}

  async execute({ input }: InviteMembers): Promise<InviteMembersResult> {
    const { departmentId, conversationId, invitedBy } = input;
    const invitees = await this.rules.resolve(departmentId, input.userIds);

    const outcome = await this.sql.transaction(async (tx) => {
      const conversation = await this.store.access(tx, departmentId, conversationId, invitedBy?.userId ?? 0, true);
      if (!conversation || (invitedBy && !conversation.hasMembership)) throw DomainError.notFound(`Conversation ${conversationId} not found`);
      if (invitedBy && !conversation.isMember) {
        throw DomainError.forbidden(`You left conversation ${conversationId}; send a message in it to rejoin before inviting anyone`);
      }
      if (conversation.archived) throw DomainError.conflict(`Conversation ${conversationId} is archived and read-only`);
      if (conversation.kind === 'direct') throw DomainError.unprocessable('A direct conversation has exactly two people; start a conversation to talk with more');
      const current = new Set(await this.store.currentMemberIds(tx, conversationId));
      const newcomers = invitees.filter((m) => !current.has(m.id));
      if (invitedBy) this.rules.requireRoomFor(current.size + newcomers.length);
      if (input.enforceZone !== false) {
        // On the transaction: it holds the conversation's lock, and must not wait for a second connection.
        const zoneId = conversation.kind === 'dispatch' ? conversation.zoneId : invitedBy ? await this.rules.currentZoneOf(departmentId, invitedBy.userId, tx) : null;
        await this.rules.requireAuthorized(
          departmentId,
          zoneId,
          newcomers,
          conversation.kind === 'dispatch' ? "the dispatch's zone" : 'your current zone',
          tx,
        );
      }
      const added = await this.store.addMembers(
        tx,
        departmentId,
        conversationId,
        newcomers.map((m) => ({ userId: m.id, name: m.name })),
        { invitedBy: invitedBy?.userId ?? null, readsAfterLeaving: input.readsAfterLeaving },
      );
      if (input.readsAfterLeaving) {
        // Someone already in the conversation gets the dispatch rule too.
        await this.store.keepReading(tx, conversationId, invitees.map((m) => m.id));
      }
      if (added.length === 0) return { added, messages: [], memberIds: [] as number[] };
      const names = invitees.filter((m) => added.includes(m.id)).map((m) => m.name);
      const text = invitedBy ? `${invitedBy.name} invited ${nameList(names)}` : `${nameList(names)} joined`;
      const messages = await this.store.append(tx, departmentId, conversationId, [{ senderId: null, senderName: SYSTEM_SENDER, kind: 'system', body: text }]);
      await this.store.markActive(tx, conversationId);
      await this.notifier.enqueue(tx, departmentId, added, { kind: 'invitation', title: conversation.title, preview: text, ids: { conversationId } });
      const memberIds = await this.store.currentMemberIds(tx, conversationId);
      return { added, messages, memberIds };
    });

    const { added, messages, memberIds } = outcome;
    if (added.length) {
      const others = memberIds.filter((id) => !added.includes(id));
      this.events.publish(new ConversationInvitationsIssued(departmentId, [{ conversationId, userIds: added }]));
      this.events.publish(
        new ConversationMembersChanged(
          departmentId,
          conversationId,
          added.map((userId) => ({ userId, change: 'invited' as const })),
          others,
        ),
      );
      this.events.publish(new ConversationMessagesPosted(departmentId, messages.map((message) => ({ message, userIds: others }))));
    }
    return { conversationId, invitedUserIds: added };
  }
}
