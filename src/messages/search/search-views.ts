/** What `GET /api/search` answers; shared with the web app, so no runtime code here. */

interface HitBase {
  /** Text of the message with the matched words in `<mark>`; everything else in it is escaped. */
  snippet: string;
  senderName: string;
  createdAt: string;
}
export type SearchHit =
  | (HitBase & { kind: 'mail'; messageId: number; subject: string })
  | (HitBase & { kind: 'conversation'; conversationId: number; seq: number; conversationTitle: string });

export interface SearchPage {
  items: SearchHit[];
  nextCursor: string | null;
}
