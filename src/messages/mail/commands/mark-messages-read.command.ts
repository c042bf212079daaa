import { Command } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import type { Affected } from '../dto/mail-views';

/** Marks the caller's copies read; ids that are not in the caller's inbox are skipped. */
export class MarkMessagesRead extends Command<Affected> {
  constructor(
    readonly caller: Principal,
    readonly messageIds: readonly number[],
  ) {
    super();
  }
}
