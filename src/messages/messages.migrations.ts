import type { MigrationObject } from '@mikro-orm/postgresql';

/** The messages module's schema; the host runs these beside its own. */
export const messagesMigrations: MigrationObject[] = [];
