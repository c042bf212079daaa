import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { MessageDetail } from '../dto/mail-views';
import { MessageDetails } from '../message-details';
import { ReadMarker } from '../read-marker';
import { ViewMessage } from './view-message.command';

@CommandHandler(ViewMessage)
export class ViewMessageHandler implements ICommandHandler<ViewMessage, MessageDetail> {
  constructor(
    private readonly reads: ReadMarker,
    private readonly details: MessageDetails,
  ) {}

  async execute({ caller, messageId }: ViewMessage): Promise<MessageDetail> {
    const { detail, unread } = await this.details.load(caller, messageId);
    // Only a recipient's own unread copy changes: for the sender, or a copy already read, viewing writes nothing.
    if (!unread) return detail;
    const [read] = await this.reads.markRead(caller, [messageId]);
    return read ? { ...detail, readAt: read.readAt.toISOString() } : detail;
  }
}
