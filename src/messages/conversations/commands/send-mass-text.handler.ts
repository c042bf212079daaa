import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { DepartmentDirectory, type DirectoryKind } from '../../directory/department-directory';
import { OfflineNotifier } from '../../push/offline-notifier';
import { shouldPush } from '../../push/push-decision';
import { ConversationStore, plainText } from '../conversation.store';
import { ConversationInvitationsIssued, ConversationMessagesPosted } from '../events/conversation.events';
import { SendMassText } from './send-mass-text.command';

@CommandHandler(SendMassText)
export class SendMassTextHandler implements ICommandHandler<SendMassText> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
    private readonly directory: DepartmentDirectory,
    private readonly notifier: OfflineNotifier,
    private readonly events: EventBus,
  ) {}

  private async requireKnown(departmentId: number, kind: DirectoryKind, field: string, ids: readonly number[]) {
    const [unknown] = await this.directory.unknownIds(departmentId, kind, ids);
    if (unknown !== undefined) throw DomainError.invalid(`${field}: ${kind} ${unknown} is not part of this department`);
  }

  async execute({ input }: SendMassText) {
    const { sender } = input;
    const departmentId = sender.departmentId;
    const body = plainText(input.body);
    const userIds = [...new Set(input.userIds ?? [])];
    const groupIds = [...new Set(input.groupIds ?? [])];
    const roleIds = [...new Set(input.roleIds ?? [])];
    if (!userIds.length && !groupIds.length && !roleIds.length) {
      throw DomainError.invalid('Name at least one recipient in userIds, groupIds or roleIds');
    }
    await this.requireKnown(departmentId, 'user', 'userIds', userIds);
    await this.requireKnown(departmentId, 'group', 'groupIds', groupIds);
    await this.requireKnown(departmentId, 'role', 'roleIds', roleIds);
    const [named, selected] = await Promise.all([
      this.directory.activeMemberIds(departmentId, userIds),
      groupIds.length || roleIds.length ? this.directory.selectMemberIds(departmentId, { groupIds, roleIds, groupAndRole: false }) : [],
    ]);
    const recipientIds = [...new Set([...named, ...selected])].filter((id) => id !== sender.userId);
    if (recipientIds.length === 0) throw DomainError.unprocessable('No recipient is left: the lists name no active member besides you');
    const recipients = await this.directory.members(departmentId, recipientIds);

    const outcome = await this.sql.transaction(async (tx) => {
      const sent = await this.store.massText(tx, departmentId, sender, recipients, body);
      const pushed = sent.levels.filter((r) => shouldPush(r.level, false, 'normal')).map((r) => r.userId);
      await this.notifier.enqueue(tx, departmentId, pushed, {
        kind: 'conversation-message',
        title: sender.name,
        preview: body.slice(0, 120),
        ids: { senderId: sender.userId },
      });
      return sent;
    });

    if (outcome.created.length) {
      this.events.publish(
        new ConversationInvitationsIssued(
          departmentId,
          outcome.created.map((c) => ({ conversationId: c.id, userIds: [c.peer_id] })),
        ),
      );
    }
    // A recipient whose conversation is new learns of it through the invitation, which carries the message.
    const fresh = new Set(outcome.created.map((c) => c.id));
    this.events.publish(
      new ConversationMessagesPosted(
        departmentId,
        outcome.messages.map((message) => ({
          message,
          userIds: fresh.has(message.conversationId) ? [sender.userId] : [sender.userId, outcome.peers.get(message.conversationId)!],
        })),
      ),
    );
    return { recipientCount: outcome.messages.length, massTextId: outcome.massTextId };
  }
}
