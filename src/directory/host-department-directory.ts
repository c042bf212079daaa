import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { intArray } from '../common/sql';
import { onDutyAt } from '../shifts/on-duty.sql';
import {
  DepartmentDirectory,
  type DirectoryKind,
  type DirectoryMember,
  type MemberSelection,
} from '../messages/directory/department-directory';

/** The host's answer to the messages module's questions, over members and member sets. */
@Injectable()
export class HostDepartmentDirectory extends DepartmentDirectory {
  constructor(private readonly em: EntityManager) {
    super();
  }

  private query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.em.getConnection().execute<T[]>(sql, params);
  }

  async unknownIds(departmentId: number, kind: DirectoryKind, ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows =
      kind === 'user'
        ? await this.query<{ id: number }>(
            `select u.id from unnest(?::int[]) u(id)
              where not exists (select 1 from members m where m.id = u.id and m.department_id = ?)`,
            [intArray(ids), departmentId],
          )
        : await this.query<{ id: number }>(
            `select u.id from unnest(?::int[]) u(id)
              where not exists (select 1 from member_sets s where s.id = u.id and s.department_id = ? and s.kind = ?)`,
            [intArray(ids), departmentId, kind],
          );
    return rows.map((r) => r.id);
  }

  async selectMemberIds(departmentId: number, selection: MemberSelection): Promise<number[]> {
    const groups = intArray(selection.groupIds ?? []);
    const roles = intArray(selection.roleIds ?? []);
    const excluded = intArray(selection.excludeShiftIds ?? []);
    const inGroup = `exists (select 1 from member_set_members g where g.user_id = m.id and g.set_id = any(?::int[]))`;
    const withRole = `exists (select 1 from member_set_members r where r.user_id = m.id and r.set_id = any(?::int[]))`;
    const chosen = selection.everyone
      ? 'true'
      : selection.groupAndRole
        ? `(${inGroup} and ${withRole})`
        : `(${inGroup} or ${withRole})`;
    const params: unknown[] = [departmentId, ...(selection.everyone ? [] : [groups, roles]), excluded];
    const rows = await this.query<{ id: number }>(
      `select m.id from members m
        where m.department_id = ? and m.active and ${chosen}
          and not exists (select 1 from member_set_members s where s.user_id = m.id and s.set_id = any(?::int[]))`,
      params,
    );
    return rows.map((r) => r.id);
  }

  async activeMemberIds(departmentId: number, userIds: readonly number[]): Promise<number[]> {
    if (userIds.length === 0) return [];
    const rows = await this.query<{ id: number }>(
      'select id from members where id = any(?::int[]) and department_id = ? and active',
      [intArray(userIds), departmentId],
    );
    return rows.map((r) => r.id);
  }

  async members(departmentId: number, userIds: readonly number[]): Promise<DirectoryMember[]> {
    if (userIds.length === 0) return [];
    return this.query<DirectoryMember>(
      `select id, name, active, current_zone_id as "currentZoneId"
         from members where id = any(?::int[]) and department_id = ? order by id`,
      [intArray(userIds), departmentId],
    );
  }

  override async emailAddresses(departmentId: number, userIds: readonly number[]): Promise<{ id: number; email: string }[]> {
    if (userIds.length === 0) return [];
    return this.query<{ id: number; email: string }>('select id, email from members where id = any(?::int[]) and department_id = ? and active', [
      intArray(userIds),
      departmentId,
    ]);
  }

  async authorizedInZone(departmentId: number, zoneId: number, userIds: readonly number[]): Promise<number[]> {
    if (userIds.length === 0) return [];
    const rows = await this.query<{ user_id: number }>(
      `select z.user_id from member_set_members z join member_sets s on s.id = z.set_id
        where s.id = ? and s.kind = 'zone' and s.department_id = ? and z.user_id = any(?::int[])`,
      [zoneId, departmentId, intArray(userIds)],
    );
    return rows.map((r) => r.user_id);
  }

  async onDutyMemberIds(departmentId: number, at: Date): Promise<number[]> {
    const rows = await this.query<{ id: number }>(
      `select m.id from members m
        where m.department_id = ? and m.active
          and exists (select 1 from member_set_members sm join shift_schedules sch on sch.shift_id = sm.set_id
                       where sm.user_id = m.id and sch.department_id = m.department_id and ${onDutyAt('sch', '?')})
        order by m.id`,
      [departmentId, at],
    );
    return rows.map((r) => r.id);
  }

  async isModuleEnabled(departmentId: number, moduleName: string): Promise<boolean> {
    const [row] = await this.query<{ enabled: boolean | null }>(`select (modules ->> ?)::boolean as enabled from departments where id = ?`, [
      moduleName,
      departmentId,
    ]);
    return !!row && row.enabled !== false;
  }
}
