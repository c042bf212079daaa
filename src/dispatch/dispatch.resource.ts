import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { PathResource, Principal } from '../common/access';

/** A dispatch of the caller's department; another department's is 404. */
@Injectable()
export class DepartmentDispatch implements PathResource {
  constructor(private readonly em: EntityManager) {}

  async visibleTo(caller: Principal, id: number): Promise<boolean> {
    const rows = await this.em.getConnection().execute('select 1 from dispatches where id = ? and department_id = ?', [id, caller.departmentId]);
    return rows.length > 0;
  }

  notFound = (id: number) => `Dispatch ${id} not found`;
}
