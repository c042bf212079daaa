import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNotModifiedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Caller, RateLimitClass, ResolvesPathId, type Principal } from '../../common/access';
import { CallersMessage } from './mail.resource';
import { ParseIdListPipe, ParseIdPipe } from '../../common/validation/ids';
import { DeleteInboxMessages } from './commands/delete-inbox-messages.command';
import { DeleteOutboxMessages } from './commands/delete-outbox-messages.command';
import { MarkMessagesRead } from './commands/mark-messages-read.command';
import { RespondToMessage } from './commands/respond-to-message.command';
import { SendMessage } from './commands/send-message.command';
import { ViewMessage } from './commands/view-message.command';
import type { Affected, InboxItem, MessageAudit, MessageDetail, OutboxItem, Page, ResponseResult } from './dto/mail-views';
import { AffectedDto, InboxPageDto, MessageAuditDto, MessageDetailDto, OutboxPageDto, ResponseResultDto, TopUnreadDto } from './dto/mail-responses.dto';
import { InboxQueryDto, PageQueryDto, TopUnreadQueryDto } from './dto/page-query.dto';
import { RespondDto } from './dto/respond.dto';
import { SendMessageDto, SentMessageDto } from './dto/send-message.dto';
import { GetInbox } from './queries/get-inbox.query';
import { GetMessageAudit } from './queries/get-message-audit.query';
import { GetOutbox } from './queries/get-outbox.query';
import { GetTopUnread } from './queries/get-top-unread.query';

/**
 * Department mail. Fixed paths (`inbox`, `outbox`, `unread/top`, `read`) are declared before
 * `:id`; the router also prefers a fixed segment over a parameter, so they are never taken for ids.
 */
@ApiTags('messages')
@Controller('messages')
export class MessagesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}
  @RateLimitClass('mass-send')
  @Post()
  @ApiCreatedResponse({ type: SentMessageDto })
  send(@Caller() caller: Principal, @Body() body: SendMessageDto): Promise<SentMessageDto> {
    return this.commands.execute(new SendMessage(caller, body));
  }
  @Get('inbox')
  @ApiOkResponse({ type: InboxPageDto })
  inbox(@Caller() caller: Principal, @Query() q: InboxQueryDto): Promise<Page<InboxItem>> {
    return this.queries.execute(new GetInbox(caller, q.limit, q.cursor, q.unread));
  }
  @Get('outbox')
  @ApiOkResponse({ type: OutboxPageDto })
  outbox(@Caller() caller: Principal, @Query() q: PageQueryDto): Promise<Page<OutboxItem>> {
    return this.queries.execute(new GetOutbox(caller, q.limit, q.cursor));
  }
  @Get('unread/top')
  @ApiOkResponse({ type: TopUnreadDto, description: 'With an ETag' })
  @ApiNotModifiedResponse({ description: 'The If-None-Match ETag is still current' })
  async topUnread(
    @Caller() caller: Principal,
    @Query() q: TopUnreadQueryDto,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const result = await this.queries.execute(new GetTopUnread(caller, q.limit, ifNoneMatch));
    reply.header('ETag', result.etag).header('Cache-Control', 'private, no-cache');
    if (result.notModified) await reply.status(304).send();
    else await reply.status(200).send(result.body);
  }
  @Put('read')
  @ApiOkResponse({ type: AffectedDto })
  markRead(@Caller() caller: Principal, @Query('ids', ParseIdListPipe) ids: number[]): Promise<Affected> {
    return this.commands.execute(new MarkMessagesRead(caller, ids));
  }
  @Delete('inbox')
  @ApiOkResponse({ type: AffectedDto })
  deleteFromInbox(@Caller() caller: Principal, @Query('ids', ParseIdListPipe) ids: number[]): Promise<Affected> {
    return this.commands.execute(new DeleteInboxMessages(caller, ids));
  }
  @Delete('outbox')
  @ApiOkResponse({ type: AffectedDto })
  deleteFromOutbox(@Caller() caller: Principal, @Query('ids', ParseIdListPipe) ids: number[]): Promise<Affected> {
    return this.commands.execute(new DeleteOutboxMessages(caller, ids));
  }
  @Delete('inbox/:id')
  @ApiOkResponse({ type: AffectedDto })
  deleteOneFromInbox(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number): Promise<Affected> {
    return this.commands.execute(new DeleteInboxMessages(caller, [id], true));
  }
  @Delete('outbox/:id')
  @ApiOkResponse({ type: AffectedDto })
  deleteOneFromOutbox(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number): Promise<Affected> {
    return this.commands.execute(new DeleteOutboxMessages(caller, [id], true));
  }
  @Get(':id')
  @ApiOkResponse({ type: MessageDetailDto, description: "A recipient's viewing reads it; the sender also gets the tallies and the first page of recipients" })
  view(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number): Promise<MessageDetail> {
    return this.commands.execute(new ViewMessage(caller, id));
  }

  /** Deletes are soft, so an admin can answer "who removed it": each removal, by whom and when. */
  @Get(':id/audit')
  @ApiOkResponse({ type: MessageAuditDto })
  audit(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number): Promise<MessageAudit> {
    return this.queries.execute(new GetMessageAudit(caller.departmentId, id));
  }
  @Post(':id/response')
  @ApiOkResponse({ type: ResponseResultDto })
  @ResolvesPathId(CallersMessage)
  @HttpCode(200)
  respond(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: RespondDto): Promise<ResponseResult> {
    return this.commands.execute(new RespondToMessage(caller, id, body.response, body.note ?? null));
  }
}
