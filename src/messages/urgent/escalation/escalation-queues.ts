/** One job per urgent message and step: step k <= repeats reminds, the step after escalates. */
export const URGENT_REMINDER_QUEUE = 'urgent-reminder';
/** One job per recipient of a first reminder: the email with its acknowledgement link. */
export const URGENT_EMAIL_QUEUE = 'urgent-email';

export interface ReminderJob {
  messageId: number;
  step: number;
}

export interface EmailJob {
  messageId: number;
  userId: number;
}
