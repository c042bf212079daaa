import { CallersMessage } from './mail.resource';
import { Module } from '@nestjs/common';
import { RecipientsModule } from '../recipients/recipients.module';
import { EscalationModule } from '../urgent/escalation/escalation.module';
import { DeleteInboxMessagesHandler } from './commands/delete-inbox-messages.handler';
import { DeleteOutboxMessagesHandler } from './commands/delete-outbox-messages.handler';
import { MarkMessagesReadHandler } from './commands/mark-messages-read.handler';
import { RespondToMessageHandler } from './commands/respond-to-message.handler';
import { SendMessageHandler } from './commands/send-message.handler';
import { MessagesController } from './messages.controller';
import { GetInboxHandler } from './queries/get-inbox.query';
import { GetMessageHandler } from './queries/get-message.query';
import { GetMessageAuditHandler } from './queries/get-message-audit.query';
import { GetOutboxHandler } from './queries/get-outbox.query';
import { GetTopUnreadHandler } from './queries/get-top-unread.query';

const CommandHandlers = [
  SendMessageHandler,
  RespondToMessageHandler,
  DeleteInboxMessagesHandler,
  DeleteOutboxMessagesHandler,
  MarkMessagesReadHandler,
];
const QueryHandlers = [GetInboxHandler, GetOutboxHandler, GetTopUnreadHandler, GetMessageHandler, GetMessageAuditHandler];

/** Department mail: inbox, outbox, responses and the unread counter. */
@Module({
  imports: [RecipientsModule, EscalationModule],
  controllers: [MessagesController],
  providers: [...CommandHandlers, ...QueryHandlers, CallersMessage],
})
export class MailModule {}
