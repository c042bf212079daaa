import { Command } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import type { Affected } from '../dto/mail-views';

/**
 * Hides messages from the caller's inbox only. In a batch, ids that are not in the caller's
 * inbox are skipped; `single` makes a missing one a 404.
 */
export class DeleteInboxMessages extends Command<Affected> {
  constructor(
    readonly caller: Principal,
    readonly messageIds: readonly number[],
    readonly single = false,
  ) {
    super();
  }
}
