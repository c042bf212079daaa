import { Command } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import type { MessageDetail } from '../dto/mail-views';

/** Opening a message: a recipient's copy is read by it; then the message as the caller may see it. */
export class ViewMessage extends Command<MessageDetail> {
  constructor(
    readonly caller: Principal,
    readonly messageId: number,
  ) {
    super();
  }
}
