import type { Readable } from 'node:stream';
import { Command } from '@nestjs/cqrs';
import type { Actor } from '../../conversations/conversation.store';
import type { AttachmentView } from '../../realtime/socket-events';

/** One uploaded file part as the multipart parser hands it over: its stream is read once, here. */
export interface UploadedPart {
  fileName: string;
  stream: Readable;
}

/** Stores an upload for its uploader; it is theirs alone until a message carries it. */
export class UploadAttachment extends Command<AttachmentView> {
  constructor(
    readonly uploader: Actor,
    readonly part: UploadedPart,
  ) {
    super();
  }
}

/** The name as shown and offered for download: no folders, no control characters, not too long. */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  // Control characters and quotes would break the Content-Disposition header.
  const name = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200);
  return name || 'file';
}
