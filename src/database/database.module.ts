import { Global, Inject, Injectable, Logger, Module, OnModuleInit, type DynamicModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import { MikroORM, PostgreSqlDriver, RequestContext, type MigrationObject } from '@mikro-orm/postgresql';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { ConnectionLimits } from '../common/database/connection-limits';
import { applicationNameOf, type Environment } from '../config/environment';
import { DatabaseNotifications } from './database-notifications';
import { ormOptions } from './mikro-orm.config';
import { SharedPool } from './shared-pool';

/** Brings the schema up to date before anything else touches the database. */
@Injectable()
class MigrationRunner implements OnModuleInit {
  private readonly logger = new Logger('Migrations');

  constructor(private readonly orm: MikroORM) {}

  async onModuleInit() {
    const applied = await this.orm.getMigrator().up();
    if (applied.length) this.logger.log(`applied ${applied.map((m) => m.name).join(', ')}`);
  }
}

const ORM_FREE_ROUTES = Symbol('ORM_FREE_ROUTES');

/** The prefix `app.ts` gives every route. */
export const API_PREFIX = 'api';

/** The request hook of the HTTP server the ORM context is attached to (Fastify's `addHook`). */
interface RequestHooks {
  addHook(name: 'onRequest', hook: (request: { url: string }, reply: unknown, done: () => void) => void): unknown;
}

/**
 * A fork of the EntityManager per request, for the routes that use the ORM, made in Fastify's
 * first request hook. A Nest middleware would do the same through the middleware engine, which
 * then runs on every request (the polled routes included) only to reach this one test. The
 * ORM-free routes are told apart by one precompiled pattern.
 */
@Injectable()
class OrmRequestContext {
  constructor(orm: MikroORM, @Inject(ORM_FREE_ROUTES) ormFreeRoutes: readonly string[], adapterHost: HttpAdapterHost) {
    const names = ormFreeRoutes.map((prefix) => prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
    const ormFree = names ? new RegExp(`^/${API_PREFIX}/(?:${names})(?:[/?]|$)`) : /$^/;
    const server = adapterHost.httpAdapter?.getInstance?.() as Partial<RequestHooks> | undefined;
    // Without an HTTP server (a host that only runs jobs) there are no requests to give a context.
    if (typeof server?.addHook !== 'function') return;
    server.addHook('onRequest', (request, _reply, done) => {
      if (ormFree.test(request.url)) return done();
      RequestContext.create(orm.em, done);
    });
  }
}

@Global()
@Module({})
export class DatabaseModule {
  /**
   * `migrations`: the host's and every mounted module's, run in name order at start.
   * `ormFreeRoutes`: route prefixes (below the global prefix) whose handlers never use the ORM;
   * they skip the per-request EntityManager fork, which costs a polled route a share of its time.
   * `limits`: how long any of the ORM's connections may wait on the database.
   */
  static forRoot(migrations: MigrationObject[], ormFreeRoutes: readonly string[], limits: ConnectionLimits): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRootAsync({
          driver: PostgreSqlDriver,
          inject: [ConfigService],
          useFactory: (config: ConfigService<Environment, true>) => ({
            ...ormOptions(
              config.get('DATABASE_URL', { infer: true }) as string,
              migrations,
              config.get('DATABASE_POOL_SIZE', { infer: true }),
              limits,
              applicationNameOf({ DATABASE_APPLICATION_NAME: config.get('DATABASE_APPLICATION_NAME', { infer: true }) }),
            ),
            autoLoadEntities: true,
            // Through Nest's logger (pino), so migrations are logged at the configured level.
            logger: (message: string) => new Logger('MikroORM').log(message),
            registerRequestContext: false,
          }),
        }),
      ],
      providers: [
        MigrationRunner,
        OrmRequestContext,
        { provide: ORM_FREE_ROUTES, useValue: ormFreeRoutes },
        SharedPool,
        {
          provide: DatabaseNotifications,
          inject: [ConfigService],
          useFactory: (config: ConfigService<Environment, true>) =>
            new DatabaseNotifications({
              databaseUrl: config.get('DATABASE_URL', { infer: true }) as string,
              applicationName: applicationNameOf({ DATABASE_APPLICATION_NAME: config.get('DATABASE_APPLICATION_NAME', { infer: true }) }),
              limits,
            }),
        },
      ],
      exports: [SharedPool, DatabaseNotifications],
    };
  }
}
