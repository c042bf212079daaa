import { CallersMessage } from './mail.resource';
import { Module } from '@nestjs/common';
import { RecipientsModule } from '../recipients/recipients.module';
import { EscalationModule } from '../urgent/escalation/escalation.module';
import { DeleteInboxMessagesHandler } from './commands/delete-inbox-messages.handler';
import { DeleteOutboxMessagesHandler } from './commands/delete-outbox-messages.handler';
import { MarkMessagesReadHandler } from './commands/mark-messages-read.handler';
import { RespondToMessageHandler } from './commands/respond-to-message.handler';
import { SendMessageHandler } from './commands/send-message.handler';
import { ViewMessageHandler } from './commands/view-message.handler';
import { MailStoreModule } from './mail-store.module';
import { MessageDetails } from './message-details';
import { ReadMarker } from './read-marker';
import { MessagesController } from './messages.controller';
import { PolledFastPath } from './polled-fast-path';
import { GetInboxHandler } from './queries/get-inbox.handler';
import { GetMessageAuditHandler } from './queries/get-message-audit.handler';
import { GetOutboxHandler } from './queries/get-outbox.handler';
import { GetTopUnreadHandler } from './queries/get-top-unread.handler';

const CommandHandlers = [
  SendMessageHandler,
  RespondToMessageHandler,
  DeleteInboxMessagesHandler,
  DeleteOutboxMessagesHandler,
  MarkMessagesReadHandler,
  ViewMessageHandler,
];
const QueryHandlers = [GetInboxHandler, GetOutboxHandler, GetTopUnreadHandler, GetMessageAuditHandler];

/** Department mail: inbox, outbox, responses and the unread counter. */
@Module({
  imports: [RecipientsModule, EscalationModule, MailStoreModule],
  controllers: [MessagesController],
  providers: [...CommandHandlers, ...QueryHandlers, CallersMessage, ReadMarker, MessageDetails, PolledFastPath],
})
export class MailModule {}
