import type { SqlClient } from '../database/messages-database';

/**
 * What the messages module needs to know about a department's people, and the only way it
 * reaches them. The host implements it over its own tables; the module never sees those.
 * Every method is scoped to one department: ids of other departments are never returned.
 */
export type DirectoryKind = 'user' | 'group' | 'role' | 'shift' | 'zone';

export interface DirectoryMember {
  id: number;
  name: string;
  active: boolean;
  currentZoneId: number | null;
}

/** A choice of members by group, role and shift membership, resolved by the directory in one pass. */
export interface MemberSelection {
  /** Every active member (groupIds and roleIds are ignored). */
  everyone?: boolean;
  groupIds?: readonly number[];
  roleIds?: readonly number[];
  /** true: in at least one of groupIds AND holding one of roleIds; false: in either. */
  groupAndRole?: boolean;
  /** Members of these shifts are left out. */
  excludeShiftIds?: readonly number[];
}

/**
 * The caller's open transaction (pg's query API, `$1` placeholders). A read given one runs on it:
 * a handler that holds a row lock then needs no second connection of the pool, and sees its own writes.
 * A directory not kept in the same database ignores it.
 */
export type DirectoryTransaction = SqlClient;

export abstract class DepartmentDirectory {
  /** Of `ids`, those that are not a `kind` of this department (unknown or another department's). */
  abstract unknownIds(departmentId: number, kind: DirectoryKind, ids: readonly number[], tx?: DirectoryTransaction): Promise<number[]>;

  /** The active members the selection names, by id. */
  abstract selectMemberIds(departmentId: number, selection: MemberSelection, tx?: DirectoryTransaction): Promise<number[]>;

  /** Of `userIds`, the active members of this department. */
  abstract activeMemberIds(departmentId: number, userIds: readonly number[], tx?: DirectoryTransaction): Promise<number[]>;

  /** The named members of this department (unknown ids are left out). */
  abstract members(departmentId: number, userIds: readonly number[], tx?: DirectoryTransaction): Promise<DirectoryMember[]>;

  /**
   * Where to email the named active members (the email channel of urgent messages). A host that
   * keeps no addresses leaves it as is: nobody is emailed.
   */
  emailAddresses(departmentId: number, userIds: readonly number[], tx?: DirectoryTransaction): Promise<{ id: number; email: string }[]> {
    void departmentId;
    void userIds;
    void tx;
    return Promise.resolve([]);
  }

  /** Of `userIds`, those authorized in the operational zone. */
  abstract authorizedInZone(departmentId: number, zoneId: number, userIds: readonly number[], tx?: DirectoryTransaction): Promise<number[]>;

  /** The active members of the shifts on duty at `at` (each shift's schedule says when). */
  abstract onDutyMemberIds(departmentId: number, at: Date, tx?: DirectoryTransaction): Promise<number[]>;

  /** Whether the department has the named module switched on. */
  abstract isModuleEnabled(departmentId: number, moduleName: string, tx?: DirectoryTransaction): Promise<boolean>;
}
