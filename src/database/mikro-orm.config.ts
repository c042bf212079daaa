import { defineConfig, ReflectMetadataProvider, type MigrationObject } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { DEFAULT_CONNECTION_LIMITS, pgClientSettings, type ConnectionLimits } from '../common/database/connection-limits';

/**
 * MikroORM options for the host and every module it mounts. Entities are registered by the
 * modules themselves (`forFeature` + `autoLoadEntities`); migrations are listed explicitly so
 * the same list runs from `dist/`, from jest and from the CLI without globbing. The ORM's pool is
 * the process's only one: raw SQL and the job queue borrow its connections (`SharedPool`).
 */
export function ormOptions(
  clientUrl: string,
  migrations: MigrationObject[],
  poolSize = 10,
  limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS,
  applicationName?: string,
) {
  return defineConfig({
    clientUrl,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: poolSize, acquireTimeoutMillis: limits.acquireTimeoutMs, createTimeoutMillis: limits.acquireTimeoutMs },
    // Knex hands these to each `pg` client it opens.
    driverOptions: {
      acquireConnectionTimeout: limits.acquireTimeoutMs,
      connection: { ...pgClientSettings(limits), ...(applicationName && { application_name: applicationName }) },
    },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
    migrations: {
      migrationsList: [...migrations].sort((a, b) => a.name.localeCompare(b.name)),
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
  });
}
