import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, Caller, RequiresModule, type Principal } from '../../common/access';
import { ParseIdPipe } from '../../common/validation/ids';
import type { ConversationAcknowledgedResult } from '../realtime/socket-events';
import { AcknowledgeConversationMessage } from './commands/acknowledge-conversation-message.command';

/** Acknowledging urgent conversation messages. */
@ApiTags('conversations')
@Controller('conversations')
@RequiresModule('messages')
export class UrgentConversationsController {
  constructor(private readonly commands: CommandBus) {}

  @Authenticated({ policy: 'Messages_View' })
  @Post(':id/messages/:seq/ack')
  @HttpCode(200)
  acknowledge(
    @Caller() caller: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Param('seq', ParseIdPipe) seq: number,
  ): Promise<ConversationAcknowledgedResult> {
    return this.commands.execute(new AcknowledgeConversationMessage(caller.departmentId, caller.userId, id, seq));
  }
}
