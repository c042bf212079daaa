import { Inject, Module, OnApplicationShutdown, type DynamicModule, type Provider } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DepartmentDirectory } from './directory/department-directory';
import { SqlPool } from './database/sql-pool';
import { PresenceService } from './presence/presence.service';
import { OfflineNotifier } from './push/offline-notifier';
import { MESSAGES_OPTIONS, type MessagesModuleAsyncOptions, type MessagesModuleOptions } from './messages.options';

/**
 * The messages plugin: department mail, live conversations and their delivery. A host mounts it
 * with `forRoot`/`forRootAsync` and gives it a `DepartmentDirectory`; it needs nothing else of
 * the host but the shared access kernel (`common/access`) and the ORM connection.
 */
@Module({})
export class MessagesModule implements OnApplicationShutdown {
  constructor(@Inject(SqlPool) private readonly sql: SqlPool) {}

  static forRoot(options: MessagesModuleOptions & { directory: MessagesModuleAsyncOptions['directory'] }): DynamicModule {
    const { directory, ...rest } = options;
    return MessagesModule.forRootAsync({ directory, useFactory: () => rest });
  }

  static forRootAsync(options: MessagesModuleAsyncOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: MESSAGES_OPTIONS, inject: (options.inject ?? []) as never[], useFactory: options.useFactory },
      { provide: DepartmentDirectory, useClass: options.directory },
      {
        provide: SqlPool,
        inject: [MESSAGES_OPTIONS],
        useFactory: (o: MessagesModuleOptions) => new SqlPool(o.databaseUrl, o.poolSize ?? 10),
      },
      PresenceService,
      OfflineNotifier,
    ];
    return {
      module: MessagesModule,
      imports: [CqrsModule, ...(options.imports ?? [])],
      providers,
      exports: [],
    };
  }

  async onApplicationShutdown() {
    await this.sql.close();
  }
}
