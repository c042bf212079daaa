import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ReceivedResult } from '../../realtime/socket-events';
import { DeliveryRecorder } from '../delivery-recorder';
import { ConfirmReceived } from './confirm-received.command';

/** Only the recipient's own row can change, so a confirmation for anything else records nothing. */
@CommandHandler(ConfirmReceived)
export class ConfirmReceivedHandler implements ICommandHandler<ConfirmReceived, ReceivedResult> {
  constructor(private readonly record: DeliveryRecorder) {}

  async execute({ departmentId, userId, target }: ConfirmReceived): Promise<ReceivedResult> {
    const recorded =
      'messageId' in target
        ? await this.record.mailReached(departmentId, userId, target.messageId, 'socket')
        : await this.record.conversationReached(departmentId, userId, target.conversationId, target.seq, 'socket');
    return { recorded };
  }
}
