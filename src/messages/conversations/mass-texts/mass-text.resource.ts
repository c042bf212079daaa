import { Injectable } from '@nestjs/common';
import type { PathResource, Principal } from '../../../common/access';
import { SqlPool } from '../../database/sql-pool';

/** A mass text the caller sent; anyone else's (its recipients' included) is 404. */
@Injectable()
export class CallersMassText implements PathResource {
  constructor(private readonly sql: SqlPool) {}

  async visibleTo(caller: Principal, id: number): Promise<boolean> {
    const rows = await this.sql.query('select 1 from mass_texts where id = $1 and department_id = $2 and sender_id = $3', [id, caller.departmentId, caller.userId]);
    return rows.length > 0;
  }

  notFound = (id: number) => `Mass text ${id} not found`;
}
