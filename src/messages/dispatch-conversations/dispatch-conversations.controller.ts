import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, ResolvesPathId, type Principal } from '../../common/access';
import { ParseIdPipe } from '../../common/validation/ids';
import { ConversationMessageView } from '../conversations/dto/conversation-views.dto';
import { HistoryDto, TextMessageDto } from '../conversations/dto/conversation.dto';
import { DispatchRecordView } from './dto/dispatch-record.dto';
import type { ConversationMessagePayload } from '../realtime/socket-events';
import { DepartmentDispatchRecord } from './dispatch.resource';
import { CommentOnDispatch } from './commands/comment-on-dispatch.command';
import { GetDispatchConversationRecord, type DispatchConversationView } from './queries/get-dispatch-conversation-record.query';

/** The messages side of a dispatch; the host's dispatch controller owns the other `dispatches` routes. */
@ApiTags('dispatches')
@Controller('dispatches')
export class DispatchConversationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  /** 201 with the stored message. */
  @Post(':id/comment')
  @ResolvesPathId(DepartmentDispatchRecord)
  @ApiCreatedResponse({ type: ConversationMessageView })
  @ApiNotFoundResponse({ description: "No such dispatch in the caller's department" })
  @ApiForbiddenResponse({ description: "The caller is not authorized in the dispatch's zone" })
  @ApiConflictResponse({ description: 'The dispatch is closed, or has no conversation' })
  comment(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: TextMessageDto): Promise<ConversationMessagePayload> {
    return this.commands.execute(new CommentOnDispatch(caller, id, body.body, body.clientId));
  }

  /** The whole history by default; `after`, `before` or `limit` ask for one page of it by `seq`. */
  @Get(':id/conversation')
  @ApiOkResponse({ type: DispatchRecordView })
  @ApiNotFoundResponse({ description: 'No such dispatch, no conversation, or not one the caller may read' })
  conversation(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Query() query: HistoryDto): Promise<DispatchConversationView> {
    const paged = query.after !== undefined || query.before !== undefined || query.limit !== undefined;
    const range = paged ? { after: query.after, before: query.before, limit: query.limit ?? 50 } : null;
    return this.queries.execute(new GetDispatchConversationRecord(caller, id, range));
  }
}
