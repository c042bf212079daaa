import { Global, Inject, Module, OnApplicationShutdown, type DynamicModule, type Provider } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DepartmentDirectory } from './directory/department-directory';
import { SqlPool } from './database/sql-pool';
import { PresenceService } from './presence/presence.service';
import { OfflineNotifier } from './push/offline-notifier';
import { PushQueue } from './push/push-queue';
import { PushRepository } from './push/push.repository';
import { DeliveryRecorder } from './urgent/delivery-recorder';
import { MESSAGES_OPTIONS, type MessagesModuleAsyncOptions, type MessagesModuleOptions } from './messages.options';

/**
 * What every feature of the messages module shares: its options, the host's directory, the SQL
 * pool, presence, the push queue, the offline notifier and the delivery record. Global so the feature modules can inject them.
 */
@Global()
@Module({})
export class MessagesCoreModule implements OnApplicationShutdown {
  constructor(@Inject(SqlPool) private readonly sql: SqlPool) {}

  static forRootAsync(options: MessagesModuleAsyncOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: MESSAGES_OPTIONS, inject: (options.inject ?? []) as never[], useFactory: options.useFactory },
      { provide: DepartmentDirectory, useClass: options.directory },
      {
        provide: SqlPool,
        inject: [MESSAGES_OPTIONS],
        useFactory: (o: MessagesModuleOptions) => new SqlPool(o.databaseUrl, o.poolSize ?? 10, o.connectionLimits),
      },
      PresenceService,
      PushRepository,
      PushQueue,
      OfflineNotifier,
      DeliveryRecorder,
    ];
    return {
      module: MessagesCoreModule,
      imports: [CqrsModule, ...(options.imports ?? [])],
      providers,
      exports: [MESSAGES_OPTIONS, DepartmentDirectory, SqlPool, PresenceService, PushRepository, PushQueue, OfflineNotifier, DeliveryRecorder, CqrsModule],
    };
  }

  async onApplicationShutdown() {
    await this.sql.close();
  }
}
