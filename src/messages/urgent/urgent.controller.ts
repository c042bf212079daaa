import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Caller, moduleDisabledMessage, type Principal } from '../../common/access';
import { DomainError } from '../../common/errors/domain-error';
import { ParseIdPipe } from '../../common/validation/ids';
import { DepartmentDirectory } from '../directory/department-directory';
import type { AcknowledgedResult } from '../realtime/socket-events';
import { AcknowledgeMessage } from './commands/acknowledge-message.command';
import type { RecipientDeliveryPage } from './dto/delivery-views';
import { AcknowledgedResultDto, RecipientDeliveryPageDto } from './dto/delivery-responses.dto';
import { AckLinkQueryDto, RecipientsQueryDto } from './dto/urgent.dto';
import { AckLinks } from './email/ack-link';
import { GetMessageRecipients } from './queries/get-message-recipients.query';

const ACKNOWLEDGED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acknowledged</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">
<h1>Acknowledged</h1><p>Your acknowledgement is recorded and the sender can see it. You can close this page.</p>
</body></html>`;

/** Acknowledging department messages, and the sender's record of who got them. */
@ApiTags('messages')
@Controller('messages')
export class UrgentMailController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly links: AckLinks,
    private readonly directory: DepartmentDirectory,
  ) {}

  @Post(':id/ack')
  @HttpCode(200)
  @ApiOkResponse({ type: AcknowledgedResultDto })
  acknowledge(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number): Promise<AcknowledgedResult> {
    return this.commands.execute(new AcknowledgeMessage(caller.departmentId, caller.userId, id));
  }

  @Get(':id/recipients')
  @ApiOkResponse({ type: RecipientDeliveryPageDto })
  recipients(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Query() q: RecipientsQueryDto): Promise<RecipientDeliveryPage> {
    return this.queries.execute(new GetMessageRecipients(caller, id, q.state, q.limit, q.cursor));
  }

  /** The emailed one-click link: the signed token is the only authority, for that recipient and message. */
  @Get(':id/ack')
  @ApiOkResponse({ description: 'A page saying the acknowledgement is recorded' })
  async acknowledgeByLink(@Param('id', ParseIdPipe) id: number, @Query() q: AckLinkQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const holder = this.links.verify(id, q.token);
    if (!(await this.directory.isModuleEnabled(holder.departmentId, 'messages'))) {
      throw DomainError.forbidden(moduleDisabledMessage('messages'));
    }
    const [member] = await this.directory.members(holder.departmentId, [holder.userId]);
    if (!member?.active) throw DomainError.forbidden('This acknowledgement link is no longer valid');
    await this.commands.execute(new AcknowledgeMessage(holder.departmentId, holder.userId, id));
    await reply.status(200).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(ACKNOWLEDGED_PAGE);
  }
}
