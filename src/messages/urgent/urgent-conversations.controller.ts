import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ConversationAcknowledgedResultDto, ConversationDeliveryDto } from './dto/delivery-responses.dto';
import { Caller, type Principal } from '../../common/access';
import { ParseIdPipe } from '../../common/validation/ids';
import type { ConversationAcknowledgedResult } from '../realtime/socket-events';
import { AcknowledgeConversationMessage } from './commands/acknowledge-conversation-message.command';
import type { ConversationDelivery } from './dto/delivery-views';
import { GetConversationDelivery } from './queries/get-conversation-delivery.query';

/** Acknowledging urgent conversation messages, and their author's record of who got them. */
@ApiTags('conversations')
@Controller('conversations')
export class UrgentConversationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post(':id/messages/:seq/ack')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationAcknowledgedResultDto })
  acknowledge(
    @Caller() caller: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Param('seq', ParseIdPipe) seq: number,
  ): Promise<ConversationAcknowledgedResult> {
    return this.commands.execute(new AcknowledgeConversationMessage(caller.departmentId, caller.userId, id, seq));
  }

  @Get(':id/messages/:seq/delivery')
  @ApiOkResponse({ type: ConversationDeliveryDto })
  delivery(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Param('seq', ParseIdPipe) seq: number): Promise<ConversationDelivery> {
    return this.queries.execute(new GetConversationDelivery(caller, id, seq));
  }
}
