import { Command } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import type { ResponseCode } from '../../realtime/socket-events';
import type { ResponseResult } from '../dto/mail-views';

export class RespondToMessage extends Command<ResponseResult> {
  constructor(
    readonly caller: Principal,
    readonly messageId: number,
    readonly response: ResponseCode,
    readonly note: string | null,
  ) {
    super();
  }
}
