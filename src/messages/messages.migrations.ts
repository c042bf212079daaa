import type { MigrationObject } from '@mikro-orm/postgresql';
import { Migration20261121010000_mail } from './migrations/Migration20261121010000_mail';

/** The messages module's schema; the host runs these beside its own. */
export const messagesMigrations: MigrationObject[] = [
  { name: 'Migration20261121010000_mail', class: Migration20261121010000_mail },
];
