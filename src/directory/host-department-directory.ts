import { Injectable } from '@nestjs/common';
import type { QueryResultRow } from 'pg';
import { intArray } from '../common/sql';
import { SharedPool } from '../database/shared-pool';
import { onDutyAt } from '../shifts/on-duty.sql';
import {
  DepartmentDirectory,
  type DirectoryKind,
  type DirectoryMember,
  type DirectoryTransaction,
  type MemberSelection,
} from '../messages';

/**
 * The host's answer to the messages module's questions, over members and member sets. Plain SQL
 * on the process's pool, or on the caller's transaction when it passes one.
 */
@Injectable()
export class HostDepartmentDirectory extends DepartmentDirectory {
  constructor(private readonly pool: SharedPool) {
    super();
  }

  private async query<T extends QueryResultRow>(sql: string, params: unknown[], tx?: DirectoryTransaction): Promise<T[]> {
    if (tx) return (await tx.query<T>(sql, params)).rows;
    return this.pool.query<T>(sql, params);
  }

  async unknownIds(departmentId: number, kind: DirectoryKind, ids: readonly number[], tx?: DirectoryTransaction): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows =
      kind === 'user'
        ? await this.query<{ id: number }>(
            `select u.id from unnest($1::int[]) u(id)
              where not exists (select 1 from members m where m.id = u.id and m.department_id = $2)`,
            [intArray(ids), departmentId],
            tx,
          )
        : await this.query<{ id: number }>(
            `select u.id from unnest($1::int[]) u(id)
              where not exists (select 1 from member_sets s where s.id = u.id and s.department_id = $2 and s.kind = $3)`,
            [intArray(ids), departmentId, kind],
            tx,
          );
    return rows.map((r) => r.id);
  }

  async selectMemberIds(departmentId: number, selection: MemberSelection, tx?: DirectoryTransaction): Promise<number[]> {
    const groups = intArray(selection.groupIds ?? []);
    const roles = intArray(selection.roleIds ?? []);
    const excluded = intArray(selection.excludeShiftIds ?? []);
    const inGroup = `exists (select 1 from member_set_members g where g.user_id = m.id and g.set_id = any($2::int[]))`;
    const withRole = `exists (select 1 from member_set_members r where r.user_id = m.id and r.set_id = any($3::int[]))`;
    const chosen = selection.everyone
      ? 'true'
      : selection.groupAndRole
        ? `(${inGroup} and ${withRole})`
        : `(${inGroup} or ${withRole})`;
    const params: unknown[] = [departmentId, ...(selection.everyone ? [] : [groups, roles]), excluded];
    const rows = await this.query<{ id: number }>(
      `select m.id from members m
        where m.department_id = $1 and m.active and ${chosen}
          and not exists (select 1 from member_set_members s where s.user_id = m.id and s.set_id = any($${params.length}::int[]))`,
      params,
      tx,
    );
    return rows.map((r) => r.id);
  }

  async activeMemberIds(departmentId: number, userIds: readonly number[], tx?: DirectoryTransaction): Promise<number[]> {
    if (userIds.length === 0) return [];
    const rows = await this.query<{ id: number }>(
      'select id from members where id = any($1::int[]) and department_id = $2 and active',
      [intArray(userIds), departmentId],
      tx,
    );
    return rows.map((r) => r.id);
  }

  async members(departmentId: number, userIds: readonly number[], tx?: DirectoryTransaction): Promise<DirectoryMember[]> {
    if (userIds.length === 0) return [];
    return this.query<DirectoryMember>(
      `select id, name, active, current_zone_id as "currentZoneId"
         from members where id = any($1::int[]) and department_id = $2 order by id`,
      [intArray(userIds), departmentId],
      tx,
    );
  }

  override async emailAddresses(departmentId: number, userIds: readonly number[], tx?: DirectoryTransaction): Promise<{ id: number; email: string }[]> {
    if (userIds.length === 0) return [];
    return this.query<{ id: number; email: string }>(
      'select id, email from members where id = any($1::int[]) and department_id = $2 and active',
      [intArray(userIds), departmentId],
      tx,
    );
  }

  async authorizedInZone(departmentId: number, zoneId: number, userIds: readonly number[], tx?: DirectoryTransaction): Promise<number[]> {
    if (userIds.length === 0) return [];
    const rows = await this.query<{ user_id: number }>(
      `select z.user_id from member_set_members z join member_sets s on s.id = z.set_id
        where s.id = $1 and s.kind = 'zone' and s.department_id = $2 and z.user_id = any($3::int[])`,
      [zoneId, departmentId, intArray(userIds)],
      tx,
    );
    return rows.map((r) => r.user_id);
  }

  async onDutyMemberIds(departmentId: number, at: Date, tx?: DirectoryTransaction): Promise<number[]> {
    const rows = await this.query<{ id: number }>(
      `select m.id from members m
        where m.department_id = $1 and m.active
          and exists (select 1 from member_set_members sm join shift_schedules sch on sch.shift_id = sm.set_id
                       where sm.user_id = m.id and sch.department_id = m.department_id and ${onDutyAt('sch', '$2')})
        order by m.id`,
      [departmentId, at],
      tx,
    );
    return rows.map((r) => r.id);
  }

  async isModuleEnabled(departmentId: number, moduleName: string, tx?: DirectoryTransaction): Promise<boolean> {
    const [row] = await this.query<{ enabled: boolean | null }>(
      'select (modules ->> $1)::boolean as enabled from departments where id = $2',
      [moduleName, departmentId],
      tx,
    );
    return !!row && row.enabled !== false;
  }
}
