import { Query } from '@nestjs/cqrs';

export interface MessageVersion {
  version: number;
  body: string;
  /** When the sender replaced this text. */
  replacedAt: string;
}

/** The earlier versions of an edited message, oldest first, for whoever may read the conversation. */
/** Every version in one page (a message has few): `nextCursor` is always null, as lists end. */
export class GetMessageEdits extends Query<{ conversationId: number; seq: number; items: MessageVersion[]; nextCursor: null }> {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly viewerId: number,
    readonly seq: number,
  ) {
    super();
  }
}
