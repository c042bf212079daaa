import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Authenticator } from '../common/access';
import { RedisStatus } from '../common/health/redis-status';
import { MESSAGES_AUTHENTICATOR, requireAuthenticator } from './auth/messages-auth';
import { DepartmentDirectory } from './directory/department-directory';
import { MessagesDatabase } from './database/messages-database';
import { SqlPool } from './database/sql-pool';
import { PresenceService } from './presence/presence.service';
import { OfflineNotifier } from './push/offline-notifier';
import { PushQueue } from './push/push-queue';
import { SocketTransport } from './realtime/socket-transport';
import { PushRepository } from './push/push.repository';
import { DeliveryRecorder } from './urgent/delivery-recorder';
import { UrgentRepository } from './urgent/urgent.repository';
import { MESSAGES_OPTIONS, type MessagesModuleAsyncOptions } from './messages.options';

/**
 * What every feature of the messages module shares: its options, the host's directory, database
 * and authenticator, presence, the push queue, the offline notifier and the delivery record.
 * Global so the feature modules can inject them.
 */
@Global()
@Module({})
export class MessagesCoreModule {
  static forRootAsync(options: MessagesModuleAsyncOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: MESSAGES_OPTIONS, inject: (options.inject ?? []) as never[], useFactory: options.useFactory },
      { provide: DepartmentDirectory, useClass: options.directory },
      { provide: MessagesDatabase, useClass: options.database },
      { provide: MESSAGES_AUTHENTICATOR, inject: [{ token: Authenticator, optional: true }], useFactory: requireAuthenticator },
      SqlPool,
      { provide: SocketTransport, inject: [MESSAGES_OPTIONS, { token: RedisStatus, optional: true }], useFactory: SocketTransport.connect },
      PresenceService,
      PushRepository,
      PushQueue,
      OfflineNotifier,
      UrgentRepository,
      DeliveryRecorder,
    ];
    return {
      module: MessagesCoreModule,
      imports: [CqrsModule, ...(options.imports ?? [])],
      providers,
      exports: [
        MESSAGES_OPTIONS,
        DepartmentDirectory,
        MessagesDatabase,
        MESSAGES_AUTHENTICATOR,
        SqlPool,
        SocketTransport,
        PresenceService,
        PushRepository,
        PushQueue,
        OfflineNotifier,
        UrgentRepository,
        DeliveryRecorder,
        CqrsModule,
      ],
    };
  }
}
