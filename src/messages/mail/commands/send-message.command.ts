import { Command } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import type { SendMessageDto, SentMessageDto } from '../dto/send-message.dto';

export class SendMessage extends Command<SentMessageDto> {
  constructor(
    readonly caller: Principal,
    readonly input: SendMessageDto,
  ) {
    super();
  }
}
