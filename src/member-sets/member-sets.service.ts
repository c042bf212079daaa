import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../common/errors/domain-error';
import { intArray } from '../common/sql';
import { MemberSet, type MemberSetKind } from './member-set.entity';

export interface MemberSetView {
  id: number;
  name: string;
  memberIds: number[];
}

/** Named sets of members of one department: groups, roles, shifts, zones. */
@Injectable()
export class MemberSetsService {
  constructor(private readonly em: EntityManager) {}

  async create(departmentId: number, kind: MemberSetKind, name: string): Promise<MemberSetView> {
    const [taken] = await this.em
      .getConnection()
      .execute('select 1 from member_sets where department_id = ? and kind = ? and lower(name) = lower(?)', [departmentId, kind, name]);
    if (taken) throw DomainError.conflict(`A ${kind} named "${name}" already exists`);
    const set = this.em.create(MemberSet, { departmentId, kind, name, createdAt: new Date() });
    await this.em.flush();
    return { id: set.id, name: set.name, memberIds: [] };
  }

  async list(departmentId: number, kind: MemberSetKind): Promise<MemberSetView[]> {
    return this.em.getConnection().execute<MemberSetView[]>(
      `select s.id, s.name,
              coalesce(array_agg(m.user_id order by m.user_id) filter (where m.user_id is not null), '{}') as "memberIds"
         from member_sets s left join member_set_members m on m.set_id = s.id
        where s.department_id = ? and s.kind = ?
        group by s.id order by s.id`,
      [departmentId, kind],
    );
  }

  /** Replaces the members of a set; every user must belong to the department. */
  async exists(departmentId: number, kind: MemberSetKind, setId: number): Promise<boolean> {
    const rows = await this.em
      .getConnection()
      .execute('select 1 from member_sets where id = ? and department_id = ? and kind = ?', [setId, departmentId, kind]);
    return rows.length > 0;
  }

  async setMembers(departmentId: number, kind: MemberSetKind, setId: number, userIds: number[]): Promise<MemberSetView> {
    const ids = [...new Set(userIds)];
    return this.em.transactional(async (em) => {
      const connection = em.getConnection();
      const ctx = em.getTransactionContext();
      const [set] = await connection.execute<{ id: number; name: string }[]>(
        'select id, name from member_sets where id = ? and department_id = ? and kind = ? for update',
        [setId, departmentId, kind],
        'all',
        ctx,
      );
      if (!set) throw DomainError.notFound(`${kind[0].toUpperCase()}${kind.slice(1)} ${setId} not found`);
      const unknown = await connection.execute<{ id: number }[]>(
        `select u.id from unnest(?::int[]) as u(id)
          where not exists (select 1 from members m where m.id = u.id and m.department_id = ?)`,
        [intArray(ids), departmentId],
        'all',
        ctx,
      );
      if (unknown.length) throw DomainError.invalid(`Unknown userIds: ${unknown.map((u) => u.id).join(', ')}`);
      await connection.execute('delete from member_set_members where set_id = ?', [setId], 'run', ctx);
      await connection.execute(
        `insert into member_set_members (set_id, user_id, department_id) select ?, u.id, ? from unnest(?::int[]) as u(id)`,
        [setId, departmentId, intArray(ids)],
        'run',
        ctx,
      );
      return { id: set.id, name: set.name, memberIds: ids.sort((a, b) => a - b) };
    });
  }
}
