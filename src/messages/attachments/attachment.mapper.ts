import type { AttachmentView } from '../realtime/socket-events';

export interface AttachmentRow {
  id: number;
  department_id: number;
  uploaded_by: number;
  name: string;
  content_type: string;
  size: string | number;
  width: number | null;
  height: number | null;
  storage_key: string;
  thumbnail_key: string | null;
  conversation_id: number | null;
  seq: number | null;
  mail_message_id: number | null;
}

export const toAttachment = (r: Pick<AttachmentRow, 'id' | 'name' | 'content_type' | 'size' | 'width' | 'height'>): AttachmentView => ({
  id: r.id,
  name: r.name,
  contentType: r.content_type,
  size: Number(r.size),
  ...(r.width !== null && r.height !== null && { width: r.width, height: r.height }),
});

/** The attachments of the rows of `table` (a conversation message or a mail message), as a JSON array, in upload order. */
export const attachmentsJsonSql = (where: string) => `
  coalesce((select json_agg(json_strip_nulls(json_build_object('id', a.id, 'name', a.name, 'contentType', a.content_type,
                    'size', a.size, 'width', a.width, 'height', a.height)) order by a.id)
              from attachments a where ${where}), '[]'::json)`;
