import { CallersConversation } from './conversation.resource';
import { Module } from '@nestjs/common';
import { EscalationModule } from '../urgent/escalation/escalation.module';
import { ArchiveConversationHandler } from './commands/archive-conversation.command';
import { EditMessageHandler, RetractMessageHandler } from './commands/change-message.command';
import { InviteMembersHandler } from './commands/invite-members.command';
import { LeaveConversationHandler } from './commands/leave-conversation.command';
import { MarkConversationReadHandler } from './commands/mark-conversation-read.command';
import { OpenConversationHandler } from './commands/open-conversation.command';
import { OpenDirectConversationHandler } from './commands/open-direct-conversation.command';
import { PostMessageHandler } from './commands/post-message.command';
import { SendMassTextHandler } from './commands/send-mass-text.command';
import { SetNotificationLevelHandler } from './commands/set-notification-level.command';
import { SetReadsAfterLeavingHandler } from './commands/set-reads-after-leaving.command';
import { SignalTypingHandler, TypingThrottle } from './commands/signal-typing.command';
import { ConversationStore } from './conversation.store';
import { ConversationsController } from './conversations.controller';
import { InviteeRules } from './invitee-rules';
import { ConversationHistoryHandler } from './queries/conversation-history.query';
import { DispatchConversationHandler } from './queries/dispatch-conversation.query';
import { GetConversationHandler } from './queries/get-conversation.query';
import { ListConversationsHandler } from './queries/list-conversations.query';
import { MessageEditsHandler } from './queries/message-edits.query';
import { ReadReceiptsHandler } from './queries/read-receipts.query';
import { ListMassTextsHandler, MassTextOverviewHandler } from './mass-texts/mass-text.queries';
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
];

/** Live conversations: personal, direct and dispatch, their members, messages and read positions. */
@Module({
  imports: [EscalationModule],
  controllers: [MassTextsController, ConversationsController],
  providers: [ConversationStore, InviteeRules, CallersConversation, CallersMassText, TypingThrottle, ...CommandHandlers, ...QueryHandlers, ListMassTextsHandler, MassTextOverviewHandler],
  // The post handler is composed into the dispatch comment by injection.
  exports: [ConversationStore, PostMessageHandler],
})
export class ConversationsModule {}
