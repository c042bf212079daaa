import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { MessageResponded } from '../events/message-responded.event';
import { MessagesGateway } from './messages.gateway';
import { userRoom } from './rooms';

/** The answer goes to the sender's sockets only: the tally and the notes are theirs to see. */
@EventsHandler(MessageResponded)
export class ResponseDelivery implements IEventHandler<MessageResponded> {
  constructor(private readonly gateway: MessagesGateway) {}

  handle({ senderId, payload }: MessageResponded) {
    this.gateway.server.to(userRoom(senderId)).emit('message:response', payload);
  }
}
