import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import type { PoolClient } from 'pg';
import { DomainError } from '../../../common/errors/domain-error';
import { attachUploads } from '../../attachments/attachment-links';
import { SqlPool } from '../../database/sql-pool';
import { MessageSent, UnreadChanged } from '../../events/mail.events';
import { OfflineNotifier } from '../../push/offline-notifier';
import { RecipientResolver } from '../../recipients/recipient-resolver';
import type { SentMessageDto } from '../dto/send-message.dto';
import { sanitizeBody } from '../sanitize-body';
import { SendMessage } from './send-message.command';

const PREVIEW_LENGTH = 120;
const preview = (html: string) => html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, PREVIEW_LENGTH);

/** The first message sent with this key by this sender within the last 24 hours. */
const FIND_BY_KEY = `select id, recipient_count as "recipientCount" from mail_messages
  where sender_id = $1 and idempotency_key = $2 and created_at > now() - interval '24 hours'`;

type Outcome = { kind: 'sent'; id: number; createdAt: Date; recipientIds: number[] } | { kind: 'replayed'; result: SentMessageDto };

/**
 * Resolves the recipients, then in one transaction stores the message, fans it out to every
 * recipient with a single `INSERT ... SELECT` over the ids and queues the offline
 * notifications. Events go out only after the commit.
 */
@CommandHandler(SendMessage)
export class SendMessageHandler implements ICommandHandler<SendMessage, SentMessageDto> {
  constructor(
    private readonly sql: SqlPool,
    private readonly recipients: RecipientResolver,
    private readonly offline: OfflineNotifier,
    private readonly events: EventBus,
  ) {}

  async execute({ caller, input }: SendMessage): Promise<SentMessageDto> {
    const key = input.idempotencyKey;
    if (key) {
      const [first] = await this.sql.query<SentMessageDto>(FIND_BY_KEY, [caller.userId, key]);
      if (first) return first;
    }
    const body = sanitizeBody(input.body);
    if (!body) throw DomainError.invalid('body has no content left once unsafe HTML is removed');
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw DomainError.invalid('expiresAt must be in the future');

    const recipientIds = await this.recipients.resolve(caller.departmentId, caller.userId, input);

    const outcome = await this.sql.transaction<Outcome>(async (client) => {
      if (key) await this.releaseStaleKey(client, caller.userId, key);
      const inserted = await client.query<{ id: number; created_at: Date }>(
        `insert into mail_messages (department_id, sender_id, sender_name, subject, body, type, expires_at, recipient_count, idempotency_key)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (sender_id, idempotency_key) where idempotency_key is not null do nothing
         returning id, created_at`,
        [caller.departmentId, caller.userId, caller.name, input.subject, body, input.type, expiresAt, recipientIds.length, key ?? null],
      );
      if (inserted.rowCount === 0) {
        // A concurrent request with the same key won the race and has committed.
        const { rows } = await client.query<SentMessageDto>(FIND_BY_KEY, [caller.userId, key]);
        return { kind: 'replayed', result: rows[0] };
      }
      const { id, created_at: createdAt } = inserted.rows[0];
      await client.query(
        `insert into mail_recipients (message_id, user_id, department_id, expires_at)
         select $1, u.id, $2, $3 from unnest($4::int[]) as u(id)`,
        [id, caller.departmentId, expiresAt, recipientIds],
      );
      await attachUploads(client, caller, input.attachmentIds ?? [], { mailMessageId: id });
      await this.offline.enqueue(client, caller.departmentId, recipientIds, {
        kind: 'message',
        title: input.subject,
        preview: preview(body),
        ids: { messageId: id },
      });
      return { kind: 'sent', id, createdAt, recipientIds };
    });

    if (outcome.kind === 'replayed') return outcome.result;
    this.events.publish(
      new MessageSent(caller.departmentId, caller.userId, outcome.recipientIds, {
        id: outcome.id,
        subject: input.subject,
        senderId: caller.userId,
        senderName: caller.name,
        type: input.type,
        createdAt: outcome.createdAt.toISOString(),
        isRead: false,
        readAt: null,
        response: null,
      }),
    );
    this.events.publish(new UnreadChanged(caller.departmentId, outcome.recipientIds));
    return { id: outcome.id, recipientCount: outcome.recipientIds.length };
  }

  /** A key used more than 24 hours ago may be used again: the old message lets go of it. */
  private async releaseStaleKey(client: PoolClient, senderId: number, key: string) {
    await client.query(
      `update mail_messages set idempotency_key = null
        where sender_id = $1 and idempotency_key = $2 and created_at <= now() - interval '24 hours'`,
      [senderId, key],
    );
  }
}
