import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpException, HttpStatus, Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { AttachmentRepository } from '../attachment.repository';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../../messages.options';
import type { AttachmentView } from '../../realtime/socket-events';
import { toAttachment } from '../attachment.mapper';
import { attachmentSettings, THUMBNAIL_PIXELS } from '../attachment-settings';
import { detectContentType } from '../content-type';
import { AttachmentStorage } from '../storage/attachment-storage';
import { UploadAttachment, cleanFileName } from './upload-attachment.command';

const tooLarge = (maxBytes: number) => new HttpException(`file: larger than the ${maxBytes} bytes an attachment may have`, HttpStatus.PAYLOAD_TOO_LARGE);

@CommandHandler(UploadAttachment)
export class UploadAttachmentHandler implements ICommandHandler<UploadAttachment> {
  private readonly logger = new Logger('UploadAttachment');
  private readonly settings: ReturnType<typeof attachmentSettings>;

  constructor(
    private readonly sql: SqlPool,
    private readonly attachments: AttachmentRepository,
    private readonly storage: AttachmentStorage,
    @Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions,
  ) {
    this.settings = attachmentSettings(options.attachments);
  }

  async execute({ uploader, part }: UploadAttachment): Promise<AttachmentView> {
    // The upload goes to a file of its own first: checked and measured there, never held in memory.
    const folder = await mkdtemp(join(tmpdir(), 'messages-upload-'));
    const stored: string[] = [];
    try {
      const path = join(folder, 'upload');
      await this.receive(part.stream, path);
      const { size } = await stat(path);
      const contentType = await detectContentType(path);
      if (!this.settings.types.has(contentType)) {
        throw new HttpException(`file: content of type ${contentType} is not accepted (${[...this.settings.types].join(', ')})`, HttpStatus.UNSUPPORTED_MEDIA_TYPE);
      }
      const image = contentType.startsWith('image/') ? await this.thumbnail(path, join(folder, 'thumbnail')) : null;

      const key = `${uploader.departmentId}/${randomUUID()}`;
      const row = await this.sql.transaction(async (tx) => {
        await this.attachments.lockQuota(tx, uploader.departmentId);
        const used = await this.attachments.usedBytes(tx, uploader.departmentId);
        if (used + size > this.settings.quotaBytes) {
          throw new HttpException(`file: the department's attachment quota of ${this.settings.quotaBytes} bytes is used up`, HttpStatus.PAYLOAD_TOO_LARGE);
        }
        await this.put(key, path, contentType, size);
        stored.push(key);
        if (image) {
          await this.put(`${key}.thumbnail`, join(folder, 'thumbnail'), 'image/jpeg', image.thumbnailSize);
          stored.push(`${key}.thumbnail`);
        }
        return this.attachments.insert(tx, {
          departmentId: uploader.departmentId,
          uploadedBy: uploader.userId,
          name: cleanFileName(part.fileName),
          contentType,
          size,
          width: image?.width ?? null,
          height: image?.height ?? null,
          storageKey: key,
          thumbnailKey: image ? `${key}.thumbnail` : null,
        });
      });
      stored.length = 0;
      return toAttachment(row);
    } finally {
      // A refused or failed upload leaves nothing behind.
      await Promise.all(stored.map((key) => this.storage.remove(key).catch(() => undefined)));
      await rm(folder, { recursive: true, force: true });
    }
  }

  /** A storage that fails or refuses the server is an outage (503), told in one line. */
  private async put(key: string, path: string, contentType: string, size: number): Promise<void> {
    await this.storage.put(key, path, contentType, size).catch((error: unknown) => {
      this.logger.warn(`put ${key}: ${error instanceof Error ? error.message : String(error)}`);
      throw new DomainError('unavailable', 'The attachment storage is unavailable; try again shortly');
    });
  }

  private async receive(stream: Readable, path: string): Promise<void> {
    try {
      await pipeline(stream, createWriteStream(path));
    } catch (error) {
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(this.settings.maxBytes);
      throw error;
    }
    if ((stream as Readable & { truncated?: boolean }).truncated) throw tooLarge(this.settings.maxBytes);
  }

  /** The image's size (as shown, after its orientation) and a small JPEG of it. */
  private async thumbnail(path: string, target: string): Promise<{ width: number; height: number; thumbnailSize: number }> {
    // Loaded with the first image: the image library costs every process about 18 MB from the moment it loads.
    const { default: sharp } = await import('sharp');
    try {
      const meta = await sharp(path).metadata();
      const turned = (meta.orientation ?? 1) >= 5;
      const info = await sharp(path)
        .rotate()
        .resize(THUMBNAIL_PIXELS, THUMBNAIL_PIXELS, { fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 75 })
        .toFile(target);
      return { width: (turned ? meta.height : meta.width) ?? 0, height: (turned ? meta.width : meta.height) ?? 0, thumbnailSize: info.size };
    } catch {
      throw DomainError.invalid('file: the image cannot be read');
    }
  }
}
