import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { SqlPool } from '../database/sql-pool';
import type { AttachmentRow } from './attachment.mapper';

type Tx = Pick<PoolClient, 'query'>;

/** Every statement over uploaded files, written once; the snapshot test keeps their text. */
export const ATTACHMENT_SQL = {
  find: 'select * from attachments where id = $1 and department_id = $2',
  /** One upload at a time per department passes the quota check, so two cannot overshoot it together. */
  lockQuota: 'select pg_advisory_xact_lock(hashtext($1), $2)',
  usedBytes: 'select coalesce(sum(size), 0) as used from attachments where department_id = $1',
  insert: `insert into attachments (department_id, uploaded_by, name, content_type, size, width, height, storage_key, thumbnail_key)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning *`,
  /** Only the uploader's unused uploads are taken; the caller compares what came back with what it asked for. */
  attach: `update attachments set conversation_id = $4, seq = $5, mail_message_id = $6, attached_at = now()
      where id = any($1::int[]) and department_id = $2 and uploaded_by = $3
        and conversation_id is null and mail_message_id is null
      returning *`,
  /** Released files are dated far back, so the next sweep removes them. */
  release: `update attachments set conversation_id = null, seq = null, attached_at = null, created_at = '-infinity'
      where conversation_id = $1 and seq = $2`,
  /** Skips rows another sweeper holds, so two processes sweep side by side. */
  sweep: `delete from attachments where id in (
           select id from attachments
            where conversation_id is null and mail_message_id is null and created_at < $1
            order by created_at limit $2 for update skip locked)
         returning storage_key, thumbnail_key`,
};

export interface NewAttachment {
  departmentId: number;
  uploadedBy: number;
  name: string;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  storageKey: string;
  thumbnailKey: string | null;
}

@Injectable()
export class AttachmentRepository {
  constructor(private readonly sql: SqlPool) {}

  async find(departmentId: number, attachmentId: number): Promise<AttachmentRow | undefined> {
    const [row] = await this.sql.query<AttachmentRow>(ATTACHMENT_SQL.find, [attachmentId, departmentId]);
    return row;
  }

  /** Held until the transaction ends. */
  async lockQuota(tx: Tx, departmentId: number): Promise<void> {
    await tx.query(ATTACHMENT_SQL.lockQuota, ['attachments-quota', departmentId]);
  }

  async usedBytes(tx: Tx, departmentId: number): Promise<number> {
    const { rows } = await tx.query<{ used: string }>(ATTACHMENT_SQL.usedBytes, [departmentId]);
    return Number(rows[0].used);
  }

  async insert(tx: Tx, a: NewAttachment): Promise<AttachmentRow> {
    const { rows } = await tx.query<AttachmentRow>(ATTACHMENT_SQL.insert, [
      a.departmentId,
      a.uploadedBy,
      a.name,
      a.contentType,
      a.size,
      a.width,
      a.height,
      a.storageKey,
      a.thumbnailKey,
    ]);
    return rows[0];
  }

  sweep(before: Date, limit: number): Promise<{ storage_key: string; thumbnail_key: string | null }[]> {
    return this.sql.query<{ storage_key: string; thumbnail_key: string | null }>(ATTACHMENT_SQL.sweep, [before, limit]);
  }
}
