import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated, Caller, RateLimitClass, RequiresModule, ResolvesPathId, type Principal } from '../../common/access';
import { CallersMessage } from './mail.resource';
import { ParseIdListPipe, ParseIdPipe } from '../../common/validation/ids';
import { DeleteInboxMessages } from './commands/delete-inbox-messages.command';
import { DeleteOutboxMessages } from './commands/delete-outbox-messages.command';
import { MarkMessagesRead } from './commands/mark-messages-read.command';
import { RespondToMessage } from './commands/respond-to-message.command';
import { SendMessage } from './commands/send-message.command';
import type { Affected, InboxItem, MessageAudit, MessageDetail, OutboxItem, Page, ResponseResult } from './dto/mail-views';
import { InboxQueryDto, PageQueryDto, TopUnreadQueryDto } from './dto/page-query.dto';
import { RespondDto } from './dto/respond.dto';
import { SendMessageDto, type SentMessageDto } from './dto/send-message.dto';
import { GetInbox } from './queries/get-inbox.query';
import { GetMessage } from './queries/get-message.query';
import { GetMessageAudit } from './queries/get-message-audit.query';
import { GetOutbox } from './queries/get-outbox.query';
import { GetTopUnread } from './queries/get-top-unread.query';

/**
 * Department mail. Fixed paths (`inbox`, `outbox`, `unread/top`, `read`) are declared before
 * `:id`; the router also prefers a fixed segment over a parameter, so they are never taken for ids.
 */
@ApiTags('messages')
@RequiresModule('messages')
@Controller('messages')
export class MailController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Authenticated({ policy: 'Messages_Create' })
  @RateLimitClass('mass-send')
  @Post()
  send(@Caller() caller: Principal, @Body() body: SendMessageDto): Promise<SentMessageDto> {
    return this.commands.execute(new SendMessage(caller, body));
  }

  @Authenticated({ policy: 'Messages_View' })
  @Get('inbox')
  inbox(@Caller() caller: Principal, @Query() q: InboxQueryDto): Promise<Page<InboxItem>> {
    return this.queries.execute(new GetInbox(caller, q.limit, q.cursor, q.unread));
  }

  @Authenticated({ policy: 'Messages_View' })
  @Get('outbox')
  outbox(@Caller() caller: Principal, @Query() q: PageQueryDto): Promise<Page<OutboxItem>> {
    return this.queries.execute(new GetOutbox(caller, q.limit, q.cursor));
  }

  @Authenticated({ policy: 'Messages_View' })
  @Get('unread/top')
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

  @Authenticated({ policy: 'Messages_View' })
  @Put('read')
  markRead(@Caller() caller: Principal, @Query('ids', ParseIdListPipe) ids: number[]): Promise<Affected> {
    return this.commands.execute(new MarkMessagesRead(caller, ids));
  }

  @Authenticated({ policy: 'Messages_Delete' })
  @Delete('inbox')
  deleteFromInbox(@Caller() caller: Principal, @Query('ids', ParseIdListPipe) ids: number[]): Promise<Affected> {
    return this.commands.execute(new DeleteInboxMessages(caller, ids));
  }

  @Authenticated({ policy: 'Messages_Delete' })
  @Delete('outbox')
  deleteFromOutbox(@Caller() caller: Principal, @Query('ids', ParseIdListPipe) ids: number[]): Promise<Affected> {
    return this.commands.execute(new DeleteOutboxMessages(caller, ids));
  }

  @Authenticated({ policy: 'Messages_Delete' })
  @Delete('inbox/:id')
  deleteOneFromInbox(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number): Promise<Affected> {
    return this.commands.execute(new DeleteInboxMessages(caller, [id], true));
  }

  @Authenticated({ policy: 'Messages_Delete' })
  @Delete('outbox/:id')
  deleteOneFromOutbox(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number): Promise<Affected> {
    return this.commands.execute(new DeleteOutboxMessages(caller, [id], true));
  }

  @Authenticated({ policy: 'Messages_View' })
  @Get(':id')
  view(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number): Promise<MessageDetail> {
    return this.queries.execute(new GetMessage(caller, id));
  }

  /** Deletes are soft, so an admin can answer "who removed it": each removal, by whom and when. */
  @Authenticated({ admin: true })
  @Get(':id/audit')
  audit(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number): Promise<MessageAudit> {
    return this.queries.execute(new GetMessageAudit(caller.departmentId, id));
  }

  @Authenticated({ policy: 'Messages_View' })
  @Post(':id/response')
  @ResolvesPathId(CallersMessage)
  @HttpCode(200)
  respond(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: RespondDto): Promise<ResponseResult> {
    return this.commands.execute(new RespondToMessage(caller, id, body.response, body.note ?? null));
  }
}
