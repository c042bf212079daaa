import { Module, type DynamicModule } from '@nestjs/common';
import { AttachmentsModule } from './attachments/attachments.module';
import { ConversationsModule } from './conversations/conversations.module';
import { DispatchConversationsModule } from './dispatch-conversations/dispatch-conversations.module';
import { MailModule } from './mail/mail.module';
import { MessagesCoreModule } from './messages-core.module';
import type { MessagesModuleAsyncOptions, MessagesModuleOptions } from './messages.options';
import { PushModule } from './push/push.module';
import { RealtimeModule } from './realtime/realtime.module';
import { SearchModule } from './search/search.module';
import { UrgentModule } from './urgent/urgent.module';

/** The features of the plugin; each is a folder with its own module. */
const FEATURES: DynamicModule['imports'] = [MailModule, ConversationsModule, AttachmentsModule, DispatchConversationsModule, RealtimeModule, PushModule, UrgentModule, SearchModule];

/**
 * The messages plugin: department mail, live conversations and their delivery. A host mounts it
 * with `forRoot`/`forRootAsync` and gives it a `DepartmentDirectory`; of the host it needs
 * nothing else but the shared access kernel (`common/access`) and the ORM's database.
 */
@Module({})
export class MessagesModule {
  static forRoot(options: MessagesModuleOptions & { directory: MessagesModuleAsyncOptions['directory'] }): DynamicModule {
    const { directory, ...rest } = options;
    return MessagesModule.forRootAsync({ directory, useFactory: () => rest });
  }

  static forRootAsync(options: MessagesModuleAsyncOptions): DynamicModule {
    return {
      module: MessagesModule,
      imports: [MessagesCoreModule.forRootAsync(options), ...(FEATURES ?? [])],
    };
  }
}
