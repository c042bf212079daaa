import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
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
import { AckLinks, type AckLinkHolder } from './email/ack-link';
import { GetMessageRecipients } from './queries/get-message-recipients.query';

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; font-size: 1.1rem">
${body}
</body></html>`;

const HTML_PAGE = { 'text/html': { schema: { type: 'string' } } };

const ACKNOWLEDGED_PAGE = page(
  'Acknowledged',
  '<h1>Acknowledged</h1><p>Your acknowledgement is recorded and the sender can see it. You can close this page.</p>',
);

/**
 * Opening the emailed link only asks: mail scanners and link previews fetch every link they see,
 * and a fetch must not tell the sender that a person has read an urgent message.
 */
const confirmPage = (messageId: number, token: string) =>
  page(
    'Acknowledge this message',
    `<h1>Acknowledge this urgent message?</h1>
<p>The sender is waiting to know that you have it. Press the button to tell them.</p>
<form method="post" action="/api/messages/${messageId}/ack/link">
<input type="hidden" name="token" value="${escapeAttribute(token)}">
<button type="submit" autofocus style="font-size: 1.2rem; padding: 0.6rem 1.4rem">Acknowledge</button>
</form>`,
  );

const escapeAttribute = (value: string) => value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);

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

  /** The emailed link: shows the button that acknowledges; the token is checked first, so a bad link says so at once. */
  @Get(':id/ack')
  @ApiOkResponse({ description: 'A page with the Acknowledge button', content: HTML_PAGE })
  async confirmByLink(@Param('id', ParseIdPipe) id: number, @Query() q: AckLinkQueryDto, @Res() reply: FastifyReply): Promise<void> {
    await this.linkHolder(id, q.token);
    await reply.status(200).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(confirmPage(id, q.token));
  }

  /** The button on that page: the signed token is the only authority, for that recipient and message. */
  @Post(':id/ack/link')
  @HttpCode(200)
  @ApiOkResponse({ description: 'A page saying the acknowledgement is recorded', content: HTML_PAGE })
  async acknowledgeByLink(@Param('id', ParseIdPipe) id: number, @Body() body: AckLinkQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const holder = await this.linkHolder(id, body.token);
    await this.commands.execute(new AcknowledgeMessage(holder.departmentId, holder.userId, id));
    await reply.status(200).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(ACKNOWLEDGED_PAGE);
  }

  private async linkHolder(id: number, token: string): Promise<AckLinkHolder> {
    const holder = this.links.verify(id, token);
    if (!(await this.directory.isModuleEnabled(holder.departmentId, 'messages'))) {
      throw DomainError.forbidden(moduleDisabledMessage('messages'));
    }
    const [member] = await this.directory.members(holder.departmentId, [holder.userId]);
    if (!member?.active) throw DomainError.forbidden('This acknowledgement link is no longer valid');
    return holder;
  }
}
