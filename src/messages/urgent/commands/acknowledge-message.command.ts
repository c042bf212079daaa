import { Command } from '@nestjs/cqrs';
import type { AcknowledgedResult } from '../../realtime/socket-events';

export class AcknowledgeMessage extends Command<AcknowledgedResult> {
  constructor(
    readonly departmentId: number,
    readonly userId: number,
    readonly messageId: number,
  ) {
    super();
  }
}
