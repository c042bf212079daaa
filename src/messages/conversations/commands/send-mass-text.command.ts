import { Command, CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { DepartmentDirectory, type DirectoryKind } from '../../directory/department-directory';
import { OfflineNotifier } from '../../push/offline-notifier';
import { shouldPush } from '../../push/push-decision';
import type { NotificationLevel } from '../../realtime/socket-events';
import { MESSAGE_COLUMNS, plainText, toMessage, type Actor } from '../conversation.store';
import { ConversationInvitationsIssued, ConversationMessagesPosted } from '../events/conversation.events';

export interface MassTextInput {
  sender: Actor;
  body: string;
  userIds?: readonly number[];
  groupIds?: readonly number[];
  roleIds?: readonly number[];
}

/**
 * One body into the sender's direct conversation with each recipient, so every reply stays
 * between the two. Set-based: a fixed number of statements whatever the number of recipients.
 */
export class SendMassTextCommand extends Command<{ recipientCount: number; massTextId: number }> {
  constructor(readonly input: MassTextInput) {
    super();
  }
}

@CommandHandler(SendMassTextCommand)
export class SendMassTextHandler implements ICommandHandler<SendMassTextCommand> {
  constructor(
    private readonly sql: SqlPool,
    private readonly directory: DepartmentDirectory,
    private readonly notifier: OfflineNotifier,
    private readonly events: EventBus,
  ) {}

  private async requireKnown(departmentId: number, kind: DirectoryKind, field: string, ids: readonly number[]) {
    const [unknown] = await this.directory.unknownIds(departmentId, kind, ids);
    if (unknown !== undefined) throw DomainError.invalid(`${field}: ${kind} ${unknown} is not part of this department`);
  }

  async execute({ input }: SendMassTextCommand) {
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
      // 1. The direct conversations that do not exist yet, with both members.
      const created = await tx.query<{ id: number; peer_id: number }>(
        `with created as (
           insert into conversations (department_id, kind, title, created_by, direct_low, direct_high)
           select $1, 'direct', $3 || ' & ' || r.name, $2, least($2::int, r.id), greatest($2::int, r.id)
             from unnest($4::int[], $5::text[]) r(id, name)
           on conflict (department_id, direct_low, direct_high) where kind = 'direct' do nothing
           returning id, direct_low, direct_high
         ), peers as (
           select c.id, case when c.direct_low = $2 then c.direct_high else c.direct_low end as peer_id from created c
         ), members as (
           insert into conversation_members (conversation_id, user_id, department_id, user_name, invited_by, invitation_delivered_at)
           select p.id, $2, $1, $3, null, now() from peers p
           union all
           select p.id, p.peer_id, $1, r.name, $2, null from peers p join unnest($4::int[], $5::text[]) r(id, name) on r.id = p.peer_id
         )
         select id, peer_id from peers`,
        [departmentId, sender.userId, sender.name, recipients.map((r) => r.id), recipients.map((r) => r.name)],
      );
      // 2. Lock every pair's conversation in id order, so concurrent mass texts cannot deadlock.
      const locked = await tx.query<{ id: number }>(
        `select c.id from conversations c join unnest($3::int[]) r(id)
             on c.direct_low = least($2::int, r.id) and c.direct_high = greatest($2::int, r.id)
          where c.department_id = $1 and c.kind = 'direct' and c.archived_at is null
          order by c.id for update of c`,
        [departmentId, sender.userId, recipientIds],
      );
      const conversationIds = locked.rows.map((r) => r.id);
      // 3. One message in each, numbered after its last; the sender has read their own; hidden conversations come back.
      const { rows } = await tx.query(
        `with bumped as (
           update conversations set last_seq = last_seq + 1, text_count = text_count + 1, last_message_at = now()
            where id = any($1::int[])
            returning id, last_seq, text_count
         ), read as (
           update conversation_members m set last_read_seq = b.last_seq, left_at = null
             from bumped b where m.conversation_id = b.id and m.user_id = $3
         ), shown as (
           update conversation_members m set left_at = null
             from bumped b where m.conversation_id = b.id and m.user_id <> $3 and m.left_at is not null
         )
         insert into conversation_messages (conversation_id, seq, text_seq, department_id, sender_id, sender_name, kind, body)
         select b.id, b.last_seq, b.text_count, $2, $3, $4, 'text', $5 from bumped b
         returning ${MESSAGE_COLUMNS}`,
        [conversationIds, departmentId, sender.userId, sender.name, body],
      );
      // Each recipient's level on their direct conversation with the sender decides their push.
      const levels = await tx.query<{ user_id: number; notification_level: NotificationLevel }>(
        'select user_id, notification_level from conversation_members where conversation_id = any($1::int[]) and user_id <> $2',
        [conversationIds, sender.userId],
      );
      const pushed = levels.rows.filter((r) => shouldPush(r.notification_level, false, 'normal')).map((r) => r.user_id);
      await this.notifier.enqueue(tx, departmentId, pushed, {
        kind: 'conversation-message',
        title: sender.name,
        preview: body.slice(0, 120),
        ids: { senderId: sender.userId },
      });
      const peerOf = await tx.query<{ id: number; peer_id: number }>(
        `select id, case when direct_low = $2 then direct_high else direct_low end as peer_id from conversations where id = any($1::int[])`,
        [conversationIds, sender.userId],
      );
      const peers = new Map(peerOf.rows.map((r) => [r.id, r.peer_id]));
      const messages = rows.map(toMessage);
      // Kept as one mass text, so its sender gets one overview instead of a row per recipient.
      const [massText] = (
        await tx.query<{ id: number }>('insert into mass_texts (department_id, sender_id, body) values ($1, $2, $3) returning id', [
          departmentId,
          sender.userId,
          body,
        ])
      ).rows;
      await tx.query(
        `insert into mass_text_recipients (mass_text_id, conversation_id, user_id, seq)
         select $1, r.conversation_id, r.user_id, r.seq from unnest($2::int[], $3::int[], $4::int[]) r(conversation_id, user_id, seq)`,
        [massText.id, messages.map((m) => m.conversationId), messages.map((m) => peers.get(m.conversationId)!), messages.map((m) => m.seq)],
      );
      return { created: created.rows, messages, peers, massTextId: massText.id };
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
