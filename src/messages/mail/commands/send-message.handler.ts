import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import type { UnreadChange } from '../unread/unread-state.repository';
import { DomainError } from '../../../common/errors/domain-error';
import { attachUploads } from '../../attachments/attachment-links';
import { SqlPool } from '../../database/sql-pool';
import { MessageSent, UnreadChanged } from '../../events/mail.events';
import { RecipientResolver } from '../../recipients/recipient-resolver';
import type { SentMessageDto } from '../dto/send-message.dto';
import { EscalationPlanner } from '../../urgent/escalation/escalation-planner';
import { MailWriter, newInboxItem, type NewMail } from '../mail-writer';
import { MailRepository } from '../mail.repository';
import { UnreadVersions } from '../unread/unread-versions';
import { sanitizeBody } from '../sanitize-body';
import { SendMessage } from './send-message.command';

type Outcome = { kind: 'sent'; id: number; createdAt: Date; unread: UnreadChange | null } | { kind: 'replayed'; result: SentMessageDto };

/**
 * Resolves the recipients (and an urgent message's escalation), then in one transaction stores
 * the message, fans it out, queues the offline notifications and the first reminder. Events go
 * out only after the commit.
 */
@CommandHandler(SendMessage)
export class SendMessageHandler implements ICommandHandler<SendMessage, SentMessageDto> {
  constructor(
    private readonly sql: SqlPool,
    private readonly recipients: RecipientResolver,
    private readonly writer: MailWriter,
    private readonly mail: MailRepository,
    private readonly versions: UnreadVersions,
    private readonly escalation: EscalationPlanner,
    private readonly events: EventBus,
  ) {}

  async execute({ caller, input }: SendMessage): Promise<SentMessageDto> {
    const key = input.idempotencyKey;
    if (key) {
      const first = await this.mail.findByKey(caller.userId, key);
      if (first) return first;
    }
    const body = sanitizeBody(input.body);
    if (!body) throw DomainError.invalid('body has no content left once unsafe HTML is removed');
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw DomainError.invalid('expiresAt must be in the future');

    const plan = await this.escalation.plan(caller, input);
    const mail: NewMail = {
      departmentId: caller.departmentId,
      senderId: caller.userId,
      senderName: caller.name,
      subject: input.subject,
      body,
      type: input.type,
      priority: input.priority,
      expiresAt,
      idempotencyKey: key ?? null,
      escalation: plan,
      recipientIds: await this.recipients.resolve(caller.departmentId, caller.userId, input),
    };

    const outcome = await this.sql.transaction<Outcome>(async (client) => {
      if (key) await this.mail.releaseStaleKey(client, caller.userId, key);
      const written = await this.writer.write(client, mail);
      if (!written) {
        // A concurrent request with the same key won the race and has committed.
        return { kind: 'replayed', result: (await this.mail.findByKey(caller.userId, key!, client))! };
      }
      await attachUploads(client, caller, input.attachmentIds ?? [], { mailMessageId: written.id });
      if (plan) await this.escalation.schedule(client, { messageId: written.id }, plan);
      return { kind: 'sent', ...written };
    });

    if (outcome.kind === 'replayed') return outcome.result;
    this.versions.apply(outcome.unread);
    this.events.publish(new MessageSent(caller.departmentId, caller.userId, mail.recipientIds, newInboxItem(mail, outcome.id, outcome.createdAt)));
    this.events.publish(new UnreadChanged(caller.departmentId, mail.recipientIds));
    return { id: outcome.id, recipientCount: mail.recipientIds.length };
  }
}
