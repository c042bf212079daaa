import { CallersConversation } from './conversation.resource';
import { Module } from '@nestjs/common';
import { EscalationModule } from '../urgent/escalation/escalation.module';
import { ArchiveConversationHandler } from './commands/archive-conversation.handler';
import { EditMessageHandler, RetractMessageHandler } from './commands/change-message.handler';
import { InviteMembersHandler } from './commands/invite-members.handler';
import { LeaveConversationHandler } from './commands/leave-conversation.handler';
import { MarkConversationReadHandler } from './commands/mark-conversation-read.handler';
import { OpenConversationHandler } from './commands/open-conversation.handler';
import { OpenDirectConversationHandler } from './commands/open-direct-conversation.handler';
import { PostMessageHandler } from './commands/post-message.handler';
import { SendMassTextHandler } from './commands/send-mass-text.handler';
import { SetNotificationLevelHandler } from './commands/set-notification-level.handler';
import { SetReadsAfterLeavingHandler } from './commands/set-reads-after-leaving.handler';
import { SignalTypingHandler, TypingThrottle } from './commands/signal-typing.handler';
import { ConversationStore } from './conversation.store';
import { ConversationsController } from './conversations.controller';
import { InviteeRules } from './invitee-rules';
import { ConversationHistoryHandler } from './queries/conversation-history.handler';
import { DispatchConversationHandler } from './queries/dispatch-conversation.handler';
import { GetConversationHandler } from './queries/get-conversation.handler';
import { ListConversationsHandler } from './queries/list-conversations.handler';
import { MessageEditsHandler } from './queries/message-edits.handler';
import { ReadReceiptsHandler } from './queries/read-receipts.handler';
import { MassTextRepository } from './mass-texts/mass-text.repository';
import { ListMassTextsHandler } from './mass-texts/queries/list-mass-texts.handler';
import { MassTextOverviewHandler } from './mass-texts/queries/mass-text-overview.handler';
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
  ConversationHistoryHandler,
  DispatchConversationHandler,
  MessageEditsHandler,
  ReadReceiptsHandler,
  ListMassTextsHandler,
  MassTextOverviewHandler,
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
