import { Command } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import type { Affected } from '../dto/mail-views';

/**
 * Hides messages from the sender's outbox only; recipients keep their copies. In a batch, ids
 * the caller did not send are skipped; `single` makes a missing one a 404.
 */
export class DeleteOutboxMessages extends Command<Affected> {
  constructor(
    readonly caller: Principal,
    readonly messageIds: readonly number[],
    readonly single = false,
  ) {
    super();
  }
}
