import { Command } from '@nestjs/cqrs';
import type { ConversationSummary } from '../../realtime/socket-events';
import { type Actor } from '../conversation.store';

export interface OpenConversationInput {
  departmentId: number;
  kind: 'personal' | 'dispatch';
  title: string;
  /** The member who opens it (a current member at once); null when the system opens it. */
  openedBy: Actor | null;
  /** Members brought in besides the opener. */
  memberIds: readonly number[];
  /** Dispatch: the dispatch's zone, which every invitation is checked against. */
  zoneId?: number | null;
  /** Dispatch: one conversation per dispatch; opening it again returns it (and adds missing members). */
  dispatchId?: number | null;
  /** Members given here keep reading after they leave (the dispatch rule) until told otherwise. */
  readsAfterLeaving?: boolean;
  /** Check `memberIds` against the zone (the conversation's, else the opener's current zone). Default true. */
  enforceZone?: boolean;
}

/** Opens a personal or dispatch conversation with its first members. */
export class OpenConversation extends Command<{ conversation: ConversationSummary; created: boolean }> {
  constructor(readonly input: OpenConversationInput) {
    super();
  }
}
