import '@fastify/multipart';
import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Caller, type Principal } from '../../common/access';
import { DomainError } from '../../common/errors/domain-error';
import { ParseIdPipe } from '../../common/validation/ids';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';
import { attachmentSettings, INLINE_TYPES } from './attachment-settings';
import { AttachmentViewDto } from './dto/attachment-view.dto';
import { UploadAttachment, type UploadedPart } from './commands/upload-attachment.command';
import { GetAttachmentFile, type AttachmentFile } from './queries/get-attachment-file.query';

/** `filename` for old clients (ASCII only), `filename*` with the real name. */
const disposition = (kind: 'inline' | 'attachment', name: string) =>
  `${kind}; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/**
 * Uploads and their files. A file is served as data, never as a page: its stored type (read
 * from the content), `nosniff`, a download unless it is an image, and a policy under which
 * nothing in it can run even when opened directly.
 */
@ApiTags('attachments')
@Controller('attachments')
export class AttachmentsController {
  private readonly maxBytes: number;

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions,
  ) {
    this.maxBytes = attachmentSettings(options.attachments).maxBytes;
  }

  @Post()
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiCreatedResponse({ type: AttachmentViewDto })
  async upload(@Caller() caller: Principal, @Req() request: FastifyRequest) {
    return this.commands.execute(new UploadAttachment(caller, await this.filePart(request)));
  }

  @Get(':id')
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The file, with its stored type', schema: { type: 'string', format: 'binary' } })
  async file(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Res() reply: FastifyReply) {
    return send(reply, await this.queries.execute(new GetAttachmentFile(caller, id, 'file')));
  }

  @Get(':id/thumbnail')
  @ApiProduces('image/jpeg')
  @ApiOkResponse({ description: 'A small JPEG of an image', schema: { type: 'string', format: 'binary' } })
  async thumbnail(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Res() reply: FastifyReply) {
    return send(reply, await this.queries.execute(new GetAttachmentFile(caller, id, 'thumbnail')));
  }

  private async filePart(request: FastifyRequest): Promise<UploadedPart> {
    const expected = 'file: send the upload as multipart/form-data with one field named file';
    if (!request.isMultipart()) throw DomainError.invalid(expected);
    const part = await request.file({ limits: { fileSize: this.maxBytes, files: 1, fields: 0, parts: 1 } }).catch(() => undefined);
    if (!part) throw DomainError.invalid(expected);
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw DomainError.invalid(`${expected}, not ${part.fieldname.slice(0, 50)}`);
    }
    return { fileName: part.filename ?? '', stream: part.file };
  }
}

function send(reply: FastifyReply, file: AttachmentFile) {
  const inline = INLINE_TYPES.has(file.contentType);
  reply
    .header('content-type', file.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : file.contentType)
    .header('content-disposition', disposition(inline ? 'inline' : 'attachment', file.name))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-cache');
  if (file.size >= 0) reply.header('content-length', String(file.size));
  return reply.send(file.stream);
}
