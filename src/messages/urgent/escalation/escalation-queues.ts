/** One job per escalated subject and step: step k <= repeats reminds, the step after escalates. */
export const URGENT_REMINDER_QUEUE = 'urgent-reminder';
/** One job per recipient of a first reminder: the email with its acknowledgement link. */
export const URGENT_EMAIL_QUEUE = 'urgent-email';

/** What an escalation is about: an urgent department message, or one urgent line of a conversation. */
export type EscalationRef = { messageId: number } | { conversationId: number; seq: number };

/** A step of one escalation (jobs queued before conversations had escalation carry `messageId` and `step`). */
export type ReminderJob = EscalationRef & { step: number };

/** The subject of a job, without its step. */
export function refOf(job: ReminderJob): EscalationRef {
  return 'conversationId' in job ? { conversationId: job.conversationId, seq: job.seq } : { messageId: job.messageId };
}

export interface EmailJob {
  messageId: number;
  userId: number;
}
