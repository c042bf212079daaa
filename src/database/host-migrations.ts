import type { MigrationObject } from '@mikro-orm/postgresql';
import { Migration20261121000000_host_schema } from './migrations/Migration20261121000000_host_schema';

/** The host's own migrations; each mounted module contributes its list beside this one. */
export const hostMigrations: MigrationObject[] = [
  { name: 'Migration20261121000000_host_schema', class: Migration20261121000000_host_schema },
];
