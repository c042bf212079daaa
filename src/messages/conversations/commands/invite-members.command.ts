import { Command } from '@nestjs/cqrs';
import { type Actor } from '../conversation.store';

export interface InviteMembersInput {
  departmentId: number;
  conversationId: number;
  userIds: readonly number[];
  /** A member inviting (must be a current member); null when the system brings people in (a task assignment). */
  invitedBy: Actor | null;
  /** The invitees keep reading after they leave (the dispatch rule). */
  readsAfterLeaving?: boolean;
  /** Check the invitees against the zone (the conversation's, else the inviter's current zone). Default true. */
  enforceZone?: boolean;
}

export interface InviteMembersResult {
  conversationId: number;
  /** Those who were not current members and now are. */
  invitedUserIds: number[];
}

/** Brings users into a conversation at once (no accept step). */
export class InviteMembers extends Command<InviteMembersResult> {
  constructor(readonly input: InviteMembersInput) {
    super();
  }
}
