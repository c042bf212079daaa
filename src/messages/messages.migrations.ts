import type { MigrationObject } from '@mikro-orm/postgresql';
import { Migration20261121020000_conversations } from './migrations/Migration20261121020000_conversations';

/** The messages module's schema; the host runs these beside its own. */
export const messagesMigrations: MigrationObject[] = [
  { name: 'Migration20261121020000_conversations', class: Migration20261121020000_conversations },
];
