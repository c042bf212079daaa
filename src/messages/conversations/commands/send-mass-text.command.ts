import { Command } from '@nestjs/cqrs';
import { type Actor } from '../conversation.store';

export interface MassTextInput {
  sender: Actor;
  body: string;
  userIds?: readonly number[];
  groupIds?: readonly number[];
  roleIds?: readonly number[];
}

/**
 * One body into the sender's direct conversation with each recipient, so every reply stays
 * between the two. Set-based: a fixed number of statements whatever the number of recipients.
 */
export class SendMassText extends Command<{ recipientCount: number; massTextId: number }> {
  constructor(readonly input: MassTextInput) {
    super();
  }
}
