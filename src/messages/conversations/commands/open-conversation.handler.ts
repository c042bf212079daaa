import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { OfflineNotifier } from '../../push/offline-notifier';
import { ConversationStore, nameList, SYSTEM_SENDER } from '../conversation.store';
import { ConversationInvitationsIssued, ConversationMessagesPosted } from '../events/conversation.events';
import { InviteeRules } from '../invitee-rules';
import { OpenConversation } from './open-conversation.command';

@CommandHandler(OpenConversation)
export class OpenConversationHandler implements ICommandHandler<OpenConversation> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
    private readonly rules: InviteeRules,
    private readonly notifier: OfflineNotifier,
    private readonly events: EventBus,
  ) {}

  async execute({ input }: OpenConversation) {
    const { departmentId, kind, openedBy } = input;
    if (kind === 'dispatch' && (input.dispatchId == null || input.zoneId == null)) {
      throw DomainError.invalid('A dispatch conversation needs its dispatch id and zone');
    }
    const invitees = (await this.rules.resolve(departmentId, input.memberIds, 'memberIds')).filter((m) => m.id !== openedBy?.userId);
    if (kind === 'personal') this.rules.requireRoomFor(invitees.length + (openedBy ? 1 : 0));
    if (input.enforceZone !== false) {
      const zoneId = kind === 'dispatch' ? input.zoneId! : openedBy ? await this.rules.currentZoneOf(departmentId, openedBy.userId) : null;
      await this.rules.requireAuthorized(departmentId, zoneId, invitees, kind === 'dispatch' ? "the dispatch's zone" : 'your current zone');
    }

    const outcome = await this.sql.transaction(async (tx) => {
      const { conversationId, created } = await this.store.open(tx, {
        departmentId,
        kind,
        title: input.title,
        createdBy: openedBy?.userId ?? null,
        zoneId: input.zoneId ?? null,
        dispatchId: input.dispatchId ?? null,
      });
      const readsAfterLeaving = input.readsAfterLeaving ?? false;
      // Someone who opens a personal conversation has it in hand; a dispatcher whose dispatch opened
      // one learns of it like everyone else, through an invitation.
      const openerAdded = openedBy
        ? await this.store.addMembers(tx, departmentId, conversationId, [{ userId: openedBy.userId, name: openedBy.name }], {
            invitedBy: null,
            readsAfterLeaving,
            delivered: kind === 'personal',
          })
        : [];
      const added = await this.store.addMembers(
        tx,
        departmentId,
        conversationId,
        invitees.map((m) => ({ userId: m.id, name: m.name })),
        { invitedBy: openedBy?.userId ?? null, readsAfterLeaving },
      );
      const addedNames = invitees.filter((m) => added.includes(m.id)).map((m) => m.name);
      const text = created
        ? `${openedBy?.name ?? 'The conversation'} ${openedBy ? 'started the conversation' : 'was opened'}${addedNames.length ? ` with ${nameList(addedNames)}` : ''}`
        : addedNames.length || openerAdded.length
          ? `${nameList([...(openedBy && openerAdded.length ? [openedBy.name] : []), ...addedNames])} joined`
          : null;
      const messages = text ? await this.store.append(tx, departmentId, conversationId, [{ senderId: null, senderName: SYSTEM_SENDER, kind: 'system', body: text }]) : [];
      if (messages.length) await this.store.markActive(tx, conversationId);
      if (openedBy && messages.length) await this.store.advanceRead(tx, conversationId, openedBy.userId, messages[messages.length - 1].seq);
      if (added.length) {
        await this.notifier.enqueue(tx, departmentId, added, {
          kind: 'invitation',
          title: input.title,
          preview: text ?? input.title,
          ids: { conversationId },
        });
      }
      const memberIds = await this.store.currentMemberIds(tx, conversationId);
      const conversation = (await this.store.summary(tx, departmentId, conversationId, openedBy?.userId ?? null))!;
      const invited = kind === 'personal' ? added : [...openerAdded, ...added];
      return { conversationId, created, added: invited, messages, memberIds, conversation };
    });

    const { conversationId, added, messages, memberIds } = outcome;
    if (added.length) this.events.publish(new ConversationInvitationsIssued(departmentId, [{ conversationId, userIds: added }]));
    if (messages.length) {
      const receivers = memberIds.filter((id) => !added.includes(id));
      this.events.publish(new ConversationMessagesPosted(departmentId, messages.map((message) => ({ message, userIds: receivers }))));
    }
    return { conversation: outcome.conversation, created: outcome.created };
  }
}
