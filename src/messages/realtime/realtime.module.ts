import { MailStoreModule } from '../mail/mail-store.module';
import { SocketAdmission } from './socket-admission';
import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { DeliveryHandlers } from './delivery.handlers';
import { DispatchBoardSubscriber } from './dispatch-board.subscriber';
import { ResponseDelivery } from './response-delivery.handler';
import { MessagesGateway } from './messages.gateway';
import { SocketRateLimiter } from './socket-rate-limiter';
import { UnreadCounter } from './unread-counter';

/** The socket.io gateway and the handlers that turn committed changes into socket events. */
@Module({
  imports: [MailStoreModule, ConversationsModule],
  providers: [MessagesGateway, UnreadCounter, SocketRateLimiter, SocketAdmission, DispatchBoardSubscriber, ResponseDelivery, ...DeliveryHandlers],
  exports: [MessagesGateway],
})
export class RealtimeModule {}
