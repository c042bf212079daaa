import { Logger } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { ConversationStore, type Actor } from '../../conversations/conversation.store';
import { MailRepository } from '../../mail/mail.repository';
import type { AttachmentRow } from '../attachment.mapper';
import { AttachmentRepository } from '../attachment.repository';
import { AttachmentMissing, AttachmentStorage } from '../storage/attachment-storage';
import { AttachmentFile, GetAttachmentFile } from './get-attachment-file.query';

@QueryHandler(GetAttachmentFile)
export class GetAttachmentFileHandler implements IQueryHandler<GetAttachmentFile> {
  private readonly logger = new Logger('AttachmentFile');

  constructor(
    private readonly attachments: AttachmentRepository,
    private readonly store: ConversationStore,
    private readonly mail: MailRepository,
    private readonly storage: AttachmentStorage,
  ) {}

  async execute({ caller, attachmentId, variant }: GetAttachmentFile): Promise<AttachmentFile> {
    const notFound = DomainError.notFound(`Attachment ${attachmentId} not found`);
    const row = await this.attachments.find(caller.departmentId, attachmentId);
    if (!row || !(await this.mayRead(caller, row))) throw notFound;
    if (variant === 'thumbnail' && !row.thumbnail_key) throw DomainError.notFound(`Attachment ${attachmentId} has no thumbnail: it is not an image`);
    const key = variant === 'thumbnail' ? row.thumbnail_key! : row.storage_key;
    // A file gone from the storage is not found; a storage that fails is an outage, not a 404.
    const stream = await this.storage.open(key).catch((error: unknown) => {
      if (error instanceof AttachmentMissing) throw notFound;
      this.logger.warn(`open ${key}: ${error instanceof Error ? error.message : String(error)}`);
      throw new DomainError('unavailable', 'The attachment storage is unavailable; try again shortly');
    });
    return variant === 'thumbnail'
      ? { name: `thumbnail-${row.name}.jpg`, contentType: 'image/jpeg', size: -1, stream }
      : { name: row.name, contentType: row.content_type, size: Number(row.size), stream };
  }

  private async mayRead(caller: Actor, row: AttachmentRow): Promise<boolean> {
    if (row.conversation_id !== null) {
      // The conversation's own rule: members, and those the dispatch rule still lets read.
      return this.store.readable(this.store.pool, caller.departmentId, row.conversation_id, caller.userId).then(
        () => true,
        () => false,
      );
    }
    if (row.mail_message_id !== null) {
      return this.mail.keptBy(row.mail_message_id, caller.departmentId, caller.userId);
    }
    return row.uploaded_by === caller.userId;
  }
}
