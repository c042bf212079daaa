/** What the mass-text queries answer; the web app reads these types too. */
export interface MassTextSummary {
  id: number;
  body: string;
  createdAt: string;
  recipientCount: number;
  readCount: number;
  repliedCount: number;
  /** The direct conversations it went into: the chat list shows them as this one row. */
  conversationIds: number[];
}

export interface MassTextRecipient {
  userId: number;
  name: string;
  conversationId: number;
  /** The line the mass text is in that conversation. */
  seq: number;
  read: boolean;
  replied: boolean;
  /** Their latest line after the mass text, if any. */
  lastReply: { seq: number; body: string; createdAt: string } | null;
}

export interface MassTextOverview extends Omit<MassTextSummary, 'conversationIds'> {
  recipients: MassTextRecipient[];
}
