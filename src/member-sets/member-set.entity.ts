import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Groups (stations), roles (EMT, Engineer), shifts (A-shift) and operational zones share one shape. */
export const MEMBER_SET_KINDS = ['group', 'role', 'shift', 'zone'] as const;
export type MemberSetKind = (typeof MEMBER_SET_KINDS)[number];

@Entity({ tableName: 'member_sets' })
export class MemberSet {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'integer' })
  departmentId!: number;

  @Property({ type: 'text' })
  kind!: MemberSetKind;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
