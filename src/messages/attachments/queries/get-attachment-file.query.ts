import type { Readable } from 'node:stream';
import { Query } from '@nestjs/cqrs';
import { type Actor } from '../../conversations/conversation.store';

export interface AttachmentFile {
  name: string;
  contentType: string;
  size: number;
  stream: Readable;
}

/**
 * The file (or its thumbnail) for a caller who may read a message carrying it; an upload no
 * message carries is its uploader's alone. To anyone else it does not exist: 404.
 */
export class GetAttachmentFile extends Query<AttachmentFile> {
  constructor(
    readonly caller: Actor,
    readonly attachmentId: number,
    readonly variant: 'file' | 'thumbnail',
  ) {
    super();
  }
}
