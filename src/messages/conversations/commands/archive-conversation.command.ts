import { Command } from '@nestjs/cqrs';

/** Makes the conversation read-only (writes and invitations answer 409); its history stays. Archiving twice is harmless. */
export class ArchiveConversation extends Command<{ conversationId: number; archived: boolean }> {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    /** The system message that closes the history. */
    readonly note = 'This conversation was archived',
  ) {
    super();
  }
}
