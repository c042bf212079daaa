import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Affected } from '../dto/mail-views';
import { ReadMarker } from '../read-marker';
import { MarkMessagesRead } from './mark-messages-read.command';

@CommandHandler(MarkMessagesRead)
export class MarkMessagesReadHandler implements ICommandHandler<MarkMessagesRead, Affected> {
  constructor(private readonly reads: ReadMarker) {}

  async execute({ caller, messageIds }: MarkMessagesRead): Promise<Affected> {
    return { affected: (await this.reads.markRead(caller, messageIds)).length };
  }
}
