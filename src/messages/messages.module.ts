import { Module, type DynamicModule } from '@nestjs/common';
import { AttachmentsModule } from './attachments/attachments.module';
import { ConversationsModule } from './conversations/conversations.module';
import { DispatchConversationsModule } from './dispatch-conversations/dispatch-conversations.module';
import { MailModule } from './mail/mail.module';
import { MessagesCoreModule } from './messages-core.module';
import { messagesMigrations } from './messages.migrations';
import type { MessagesModuleAsyncOptions, MessagesModuleOptions } from './messages.options';
import { PushModule } from './push/push.module';
import { RealtimeModule } from './realtime/realtime.module';
import { SearchModule } from './search/search.module';
import { UrgentModule } from './urgent/urgent.module';

/** The features of the plugin; each is a folder with its own module. */
const FEATURES: DynamicModule['imports'] = [MailModule, ConversationsModule, AttachmentsModule, DispatchConversationsModule, RealtimeModule, PushModule, UrgentModule, SearchModule];

/**
 * The messages plugin: department mail, live conversations and their delivery. A host mounts it
 * with `forRoot`/`forRootAsync` and gives it a `DepartmentDirectory`, a `MessagesDatabase` and
 * (globally or through `imports`) an `Authenticator`; of the host it needs nothing else but the
 * shared kernel (`common`). See docs/plugin.md.
 */
@Module({})
export class MessagesModule {
  /** The module's schema: the host runs these beside its own migrations, in name order. */
  static readonly migrations = messagesMigrations;

  /**
   * Route prefixes (below the host's global prefix) that only this module serves; none of its
   * handlers uses the host's ORM, so a host may spare them its per-request ORM context.
   * (`dispatches` is shared with the host's own routes and is not among them.)
   */
  static readonly ownRoutePrefixes: readonly string[] = ['messages', 'conversations', 'push', 'attachments', 'search'];

  static forRoot(options: MessagesModuleOptions & Pick<MessagesModuleAsyncOptions, 'directory' | 'database' | 'imports'>): DynamicModule {
    const { directory, database, imports, ...rest } = options;
    return MessagesModule.forRootAsync({ directory, database, imports, useFactory: () => rest });
  }

  static forRootAsync(options: MessagesModuleAsyncOptions): DynamicModule {
    return {
      module: MessagesModule,
      imports: [MessagesCoreModule.forRootAsync(options), ...(FEATURES ?? [])],
    };
  }
}
