import { DepartmentDispatchRecord } from './dispatch.resource';
import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { CommentOnDispatchHandler } from './commands/comment-on-dispatch.handler';
import { DispatchConversationsController } from './dispatch-conversations.controller';
import { DispatchConversationsSubscriber } from './dispatch-conversations.subscriber';
import { DispatchRecords } from './dispatch-records';
import { GetDispatchConversationRecordHandler } from './queries/get-dispatch-conversation-record.handler';

/**
 * Dispatch conversations: the host's dispatch events (`common/events`) open, fill and archive a
 * conversation per dispatch; officers and dispatchers comment and read the record here. The
 * subscriber is found by the host at start; nothing here imports the host's dispatch module.
 */
@Module({
  imports: [ConversationsModule],
  controllers: [DispatchConversationsController],
  providers: [DispatchRecords, DepartmentDispatchRecord, DispatchConversationsSubscriber, CommentOnDispatchHandler, GetDispatchConversationRecordHandler],
})
export class DispatchConversationsModule {}
