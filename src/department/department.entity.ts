import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

export type ModuleSwitches = Record<string, boolean>;

@Entity({ tableName: 'departments' })
export class Department {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'json' })
  modules: ModuleSwitches = { messages: true };

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
