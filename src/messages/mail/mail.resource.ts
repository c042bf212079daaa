import { Injectable } from '@nestjs/common';
import type { PathResource, Principal } from '../../common/access';
import { SqlPool } from '../database/sql-pool';

/** A message the caller sent or received, in their department; any other is 404. */
@Injectable()
export class CallersMessage implements PathResource {
  constructor(private readonly sql: SqlPool) {}

  async visibleTo(caller: Principal, id: number): Promise<boolean> {
    const rows = await this.sql.query(
      `select 1 from mail_messages m
        where m.id = $1 and m.department_id = $2
          and (m.sender_id = $3 or exists (select 1 from mail_recipients r where r.message_id = m.id and r.user_id = $3))`,
      [id, caller.departmentId, caller.userId],
      'mail_message_visible',
    );
    return rows.length > 0;
  }

  notFound = (id: number) => `Message ${id} not found`;
}
