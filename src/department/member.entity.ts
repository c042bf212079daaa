import { ArrayType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

@Entity({ tableName: 'members' })
export class Member {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'integer' })
  departmentId!: number;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  email!: string;

  @Property({ type: 'text', hidden: true, lazy: true })
  passwordHash!: string;

  @Property({ type: ArrayType })
  permissions: string[] = [];

  @Property({ type: 'boolean' })
  isAdmin = false;

  @Property({ type: 'boolean' })
  active = true;

  @Property({ type: 'integer', nullable: true })
  currentZoneId: number | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
