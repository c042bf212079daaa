import { Command } from '@nestjs/cqrs';
import type { NotificationLevel } from '../../realtime/socket-events';
import { type Actor } from '../conversation.store';

/** The member chooses which messages of the conversation push a notification to their devices. */
export class SetNotificationLevel extends Command<{ conversationId: number; level: NotificationLevel }> {
  constructor(
    readonly member: Actor,
    readonly conversationId: number,
    readonly level: NotificationLevel,
  ) {
    super();
  }
}
