import { Query } from '@nestjs/cqrs';
import type { MessageAudit } from '../dto/mail-views';

/** For a department admin: who removed a message from which inbox or outbox, and when. */
export class GetMessageAudit extends Query<MessageAudit> {
  constructor(
    readonly departmentId: number,
    readonly messageId: number,
  ) {
    super();
  }
}
