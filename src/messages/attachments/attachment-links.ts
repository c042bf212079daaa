import type { PoolClient } from 'pg';
import { DomainError } from '../../common/errors/domain-error';
import type { AttachmentView } from '../realtime/socket-events';
import { toAttachment, type AttachmentRow } from './attachment.mapper';
import { ATTACHMENT_SQL } from './attachment.repository';

export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

/**
 * Gives the uploader's unused uploads to a message, inside the transaction that writes it. An id
 * that is not an unused upload of theirs (someone else's, another department's, already carried
 * by a message, or removed) is 400 naming it, and the whole write rolls back.
 */
export async function attachUploads(
  tx: Pick<PoolClient, 'query'>,
  uploader: { userId: number; departmentId: number },
  attachmentIds: readonly number[],
  to: { conversationId: number; seq: number } | { mailMessageId: number },
): Promise<AttachmentView[]> {
  const ids = [...new Set(attachmentIds)];
  if (!ids.length) return [];
  const { rows } = await tx.query<AttachmentRow>(ATTACHMENT_SQL.attach, [
    ids,
    uploader.departmentId,
    uploader.userId,
    'conversationId' in to ? to.conversationId : null,
    'conversationId' in to ? to.seq : null,
    'mailMessageId' in to ? to.mailMessageId : null,
  ]);
  const missing = ids.find((id) => !rows.some((r) => r.id === id));
  if (missing !== undefined) throw DomainError.invalid(`attachmentIds: attachment ${missing} is not an unused upload of yours`);
  return rows.sort((a, b) => a.id - b.id).map(toAttachment);
}

/** A retracted message lets go of its attachments: nobody may fetch them any more, and the sweep removes them. */
export async function releaseAttachments(tx: Pick<PoolClient, 'query'>, conversationId: number, seq: number): Promise<void> {
  await tx.query(ATTACHMENT_SQL.release, [conversationId, seq]);
}
