import { CallersConversation } from './conversation.resource';
import { Module } from '@nestjs/common';
import { EscalationModule } from '../urgent/escalation/escalation.module';
import { ArchiveConversationHandler } from './commands/archive-conversation.handler';
import { EditMessageHandler } from './commands/edit-message.handler';
import { RetractMessageHandler } from './commands/retract-message.handler';
import { InviteMembersHandler } from './commands/invite-members.handler';
import { LeaveConversationHandler } from './commands/leave-conversation.handler';
import { MarkConversationReadHandler } from './commands/mark-conversation-read.handler';
import { OpenConversationHandler } from './commands/open-conversation.handler';
import { OpenDirectConversationHandler } from './commands/open-direct-conversation.handler';
import { PostMessageHandler } from './commands/post-message.handler';
import { SendMassTextHandler } from './commands/send-mass-text.handler';
import { SetNotificationLevelHandler } from './commands/set-notification-level.handler';
import { SetReadsAfterLeavingHandler } from './commands/set-reads-after-leaving.handler';
import { SignalTypingHandler } from './commands/signal-typing.handler';
import { ConversationStore } from './conversation.store';
import { ConversationsController } from './conversations.controller';
import { InviteeRules } from './invitee-rules';
import { TypingThrottle } from './typing-throttle';
import { GetConversationHistoryHandler } from './queries/get-conversation-history.handler';
import { GetDispatchConversationHandler } from './queries/get-dispatch-conversation.handler';
import { GetConversationHandler } from './queries/get-conversation.handler';
import { ListConversationsHandler } from './queries/list-conversations.handler';
import { GetMessageEditsHandler } from './queries/get-message-edits.handler';
import { GetReadReceiptsHandler } from './queries/get-read-receipts.handler';
import { MassTextRepository } from './mass-texts/mass-text.repository';
import { ListMassTextsHandler } from './mass-texts/queries/list-mass-texts.handler';
import { GetMassTextOverviewHandler } from './mass-texts/queries/get-mass-text-overview.handler';
import { CallersMassText } from './mass-texts/mass-text.resource';
import { MassTextsController } from './mass-texts/mass-texts.controller';

const CommandHandlers = [
  OpenConversationHandler,
  OpenDirectConversationHandler,
  InviteMembersHandler,
  PostMessageHandler,
  LeaveConversationHandler,
  MarkConversationReadHandler,
  ArchiveConversationHandler,
  SetReadsAfterLeavingHandler,
  SendMassTextHandler,
  EditMessageHandler,
  RetractMessageHandler,
  SetNotificationLevelHandler,
  SignalTypingHandler,
];
const QueryHandlers = [
  ListConversationsHandler,
  GetConversationHandler,
  GetConversationHistoryHandler,
  GetDispatchConversationHandler,
  GetMessageEditsHandler,
  GetReadReceiptsHandler,
  ListMassTextsHandler,
  GetMassTextOverviewHandler,
];

/** Live conversations: personal, direct and dispatch, their members, messages and read positions. */
@Module({
  imports: [EscalationModule],
  controllers: [MassTextsController, ConversationsController],
  providers: [ConversationStore, InviteeRules, CallersConversation, CallersMassText, TypingThrottle, MassTextRepository, ...CommandHandlers, ...QueryHandlers],
  // The post handler is composed into the dispatch comment by injection.
  exports: [ConversationStore, PostMessageHandler],
})
export class ConversationsModule {}
