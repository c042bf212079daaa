import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Caller, RateLimitClass, ResolvesPathId, type Principal } from '../../common/access';
import { ParseIdPipe } from '../../common/validation/ids';
import { CallersConversation } from './conversation.resource';
import { EditMessage } from './commands/edit-message.command';
import { RetractMessage } from './commands/retract-message.command';
import { InviteMembers } from './commands/invite-members.command';
import { LeaveConversation } from './commands/leave-conversation.command';
import { MarkConversationRead } from './commands/mark-conversation-read.command';
import { OpenConversation } from './commands/open-conversation.command';
import { OpenDirectConversation } from './commands/open-direct-conversation.command';
import { PostMessage } from './commands/post-message.command';
import { SendMassText } from './commands/send-mass-text.command';
import { SetNotificationLevel } from './commands/set-notification-level.command';
import {
  CreateConversationDto,
  DirectConversationDto,
  HistoryDto,
  InviteDto,
  ListConversationsDto,
  MarkReadDto,
  MassTextDto,
  MessageBodyDto,
  NotificationLevelDto,
  PostConversationMessageDto,
} from './dto/conversation.dto';
import {
  ConversationMessageView,
  ConversationPageView,
  ConversationReadView,
  ConversationView,
  HistoryPageView,
  InviteResultView,
  LeaveResultView,
  MassTextResultView,
  MessageEditsView,
  NotificationLevelView,
  ReadReceiptsView,
} from './dto/conversation-views.dto';
import { GetConversationHistory } from './queries/get-conversation-history.query';
import { GetConversation } from './queries/get-conversation.query';
import { ListConversations } from './queries/list-conversations.query';
import { GetMessageEdits } from './queries/get-message-edits.query';
import { GetReadReceipts } from './queries/get-read-receipts.query';

@ApiTags('conversations')
@Controller('conversations')
export class ConversationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOkResponse({ type: ConversationPageView })
  list(@Caller() caller: Principal, @Query() query: ListConversationsDto) {
    return this.queries.execute(
      new ListConversations(caller.departmentId, caller.userId, { limit: query.limit ?? 50, cursor: query.cursor, kind: query.kind }),
    );
  }

  @Post()
  @ApiCreatedResponse({ type: ConversationView })
  @RateLimitClass('mass-send', { whenListing: 'memberIds' })
  async create(@Caller() caller: Principal, @Body() body: CreateConversationDto) {
    const { conversation } = await this.commands.execute(
      new OpenConversation({ departmentId: caller.departmentId, kind: 'personal', title: body.title, openedBy: caller, memberIds: body.memberIds }),
    );
    return conversation;
  }

  /** 201 when the conversation was made now, 200 when it already existed. */
  @Post('direct')
  @ApiCreatedResponse({ type: ConversationView, description: 'Made now' })
  @ApiOkResponse({ type: ConversationView, description: 'It existed already' })
  async direct(@Caller() caller: Principal, @Body() body: DirectConversationDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const { conversation, created } = await this.commands.execute(new OpenDirectConversation(caller, body.userId));
    reply.status(created ? 201 : 200);
    return conversation;
  }

  @Post('mass-text')
  @ApiCreatedResponse({ type: MassTextResultView })
  @RateLimitClass('mass-send')
  massText(@Caller() caller: Principal, @Body() body: MassTextDto) {
    return this.commands.execute(new SendMassText({ sender: caller, ...body }));
  }

  @Get(':id')
  @ApiOkResponse({ type: ConversationView })
  get(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.queries.execute(new GetConversation(caller.departmentId, id, caller.userId));
  }

  @Get(':id/messages')
  @ApiOkResponse({ type: HistoryPageView })
  history(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Query() query: HistoryDto) {
    return this.queries.execute(
      new GetConversationHistory(caller.departmentId, id, caller.userId, { after: query.after, before: query.before, limit: query.limit ?? 50 }),
    );
  }

  @Post(':id/messages')
  @ApiCreatedResponse({ type: ConversationMessageView })
  @ResolvesPathId(CallersConversation)
  post(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: PostConversationMessageDto) {
    return this.commands.execute(new PostMessage({ author: caller, conversationId: id, ...body }));
  }

  @Patch(':id/messages/:seq')
  @ApiOkResponse({ type: ConversationMessageView })
  @ResolvesPathId(CallersConversation)
  edit(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Param('seq', ParseIdPipe) seq: number, @Body() body: MessageBodyDto) {
    return this.commands.execute(new EditMessage(caller, id, seq, body.body));
  }

  @Delete(':id/messages/:seq')
  @ApiOkResponse({ type: ConversationMessageView, description: 'The message as retracted' })
  retract(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Param('seq', ParseIdPipe) seq: number) {
    return this.commands.execute(new RetractMessage(caller, id, seq));
  }

  @Get(':id/messages/:seq/edits')
  @ApiOkResponse({ type: MessageEditsView })
  edits(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Param('seq', ParseIdPipe) seq: number) {
    return this.queries.execute(new GetMessageEdits(caller.departmentId, id, caller.userId, seq));
  }

  @Put(':id/notifications')
  @ApiOkResponse({ type: NotificationLevelView })
  @ResolvesPathId(CallersConversation)
  notifications(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: NotificationLevelDto) {
    return this.commands.execute(new SetNotificationLevel(caller, id, body.level));
  }

  @Get(':id/receipts')
  @ApiOkResponse({ type: ReadReceiptsView })
  receipts(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.queries.execute(new GetReadReceipts(caller.departmentId, id, caller.userId));
  }

  @Post(':id/invite')
  @ApiOkResponse({ type: InviteResultView })
  @ResolvesPathId(CallersConversation)
  @RateLimitClass('mass-send', { whenListing: 'userIds' })
  @HttpCode(200)
  invite(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: InviteDto) {
    return this.commands.execute(
      new InviteMembers({ departmentId: caller.departmentId, conversationId: id, userIds: body.userIds, invitedBy: caller }),
    );
  }

  @Post(':id/leave')
  @ApiOkResponse({ type: LeaveResultView })
  @HttpCode(200)
  leave(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.commands.execute(new LeaveConversation(caller, id));
  }

  @Post(':id/read')
  @ApiOkResponse({ type: ConversationReadView })
  @ResolvesPathId(CallersConversation)
  @HttpCode(200)
  read(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: MarkReadDto) {
    return this.commands.execute(new MarkConversationRead(caller.departmentId, caller.userId, id, body.seq));
  }
}
