import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { MailStoreModule } from '../mail/mail-store.module';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';
import { AttachmentRepository } from './attachment.repository';
import { AttachmentSweeper } from './attachment-sweeper';
import { AttachmentsController } from './attachments.controller';
import { UploadAttachmentHandler } from './commands/upload-attachment.handler';
import { GetAttachmentFileHandler } from './queries/get-attachment-file.handler';
import { AttachmentStorage } from './storage/attachment-storage';
import { FolderStorage } from './storage/folder-storage';
import { S3Storage } from './storage/s3-storage';

/** Uploads, the files messages carry, and the sweep of those no message took. */
@Module({
  imports: [ConversationsModule, MailStoreModule],
  controllers: [AttachmentsController],
  providers: [
    {
      provide: AttachmentStorage,
      inject: [MESSAGES_OPTIONS],
      useFactory: ({ attachments }: MessagesModuleOptions) => {
        const storage = attachments?.storage ?? { kind: 'local', folder: 'attachments' };
        return storage.kind === 's3' ? new S3Storage(storage) : new FolderStorage(storage.folder);
      },
    },
    AttachmentRepository,
    UploadAttachmentHandler,
    GetAttachmentFileHandler,
    AttachmentSweeper,
  ],
  exports: [AttachmentStorage, AttachmentSweeper],
})
export class AttachmentsModule {}
