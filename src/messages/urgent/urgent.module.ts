import { RecipientsModule } from '../recipients/recipients.module';
import { MailStoreModule } from '../mail/mail-store.module';
import { Module } from '@nestjs/common';
import { RealtimeModule } from '../realtime/realtime.module';
import { AcknowledgeConversationMessageHandler } from './commands/acknowledge-conversation-message.handler';
import { AcknowledgeMessageHandler } from './commands/acknowledge-message.handler';
import { ConfirmReceivedHandler } from './commands/confirm-received.handler';
import { AckLinks } from './email/ack-link';
import { UrgentMailer } from './email/urgent-mailer';
import { EscalationWorker } from './escalation/escalation.worker';
import { GetConversationDeliveryHandler } from './queries/get-conversation-delivery.handler';
import { GetMessageRecipientsHandler } from './queries/get-message-recipients.handler';
import { UrgentConversationsController } from './urgent-conversations.controller';
import { UrgentDeliveryHandlers } from './urgent-delivery.handlers';
import { UrgentMailController } from './urgent.controller';

/**
 * Urgent messages: acknowledgements, the delivery record the sender watches, reminders and
 * escalation (durable jobs), and the email channel with its acknowledgement link.
 */
@Module({
  imports: [MailStoreModule, RecipientsModule, RealtimeModule],
  controllers: [UrgentMailController, UrgentConversationsController],
  providers: [
    AcknowledgeMessageHandler,
    AcknowledgeConversationMessageHandler,
    ConfirmReceivedHandler,
    GetMessageRecipientsHandler,
    GetConversationDeliveryHandler,
    EscalationWorker,
    AckLinks,
    UrgentMailer,
    ...UrgentDeliveryHandlers,
  ],
})
export class UrgentModule {}
