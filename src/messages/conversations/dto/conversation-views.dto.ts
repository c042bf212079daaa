import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AttachmentViewDto } from '../../attachments/dto/attachment-view.dto';
import type {
  ConversationKind,
  ConversationMemberView,
  ConversationMessagePayload,
  ConversationReadResult,
  ConversationSummary,
  MessageLocation,
  NotificationLevel,
  Priority,
  ReplyQuote,
} from '../../realtime/socket-events';

/*
 * What the conversation routes answer, described for /api/docs. Each class implements the type
 * the code returns, so the description cannot drift from the answer.
 */

const KINDS: ConversationKind[] = ['dispatch', 'personal', 'direct'];
const LEVELS: NotificationLevel[] = ['all', 'mentions', 'none'];
const PRIORITY_VALUES: Priority[] = ['normal', 'urgent'];

export class ReplyQuoteDto implements ReplyQuote {
  @ApiProperty() seq!: number;
  @ApiProperty() senderName!: string;
  @ApiProperty({ description: 'The quoted text as it reads now, at most 200 characters; empty once retracted' }) body!: string;
  @ApiProperty() retracted!: boolean;
}

export class MessageLocationDto implements MessageLocation {
  @ApiProperty() lat!: number;
  @ApiProperty() lng!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'How far off the position may be, in metres' }) accuracyM!: number | null;
}

export class ConversationMessageView implements ConversationMessagePayload {
  @ApiProperty() conversationId!: number;
  @ApiProperty({ description: 'Its place in the conversation: 1, 2, 3, ...' }) seq!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'null for a system line (joins, leaves, invitations)' }) senderId!: number | null;
  @ApiProperty() senderName!: string;
  @ApiProperty({ description: 'Plain text; empty once retracted, or for a message that carries only a location or attachments' }) body!: string;
  @ApiProperty({ enum: ['text', 'system'] }) kind!: 'text' | 'system';
  @ApiProperty({ type: String, nullable: true }) clientId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ enum: PRIORITY_VALUES }) priority!: Priority;
  @ApiProperty({ type: ReplyQuoteDto, nullable: true }) replyTo!: ReplyQuoteDto | null;
  @ApiProperty({ type: [Number] }) mentionUserIds!: number[];
  @ApiProperty({ type: MessageLocationDto, nullable: true }) location!: MessageLocationDto | null;
  @ApiProperty({ type: [AttachmentViewDto] }) attachments!: AttachmentViewDto[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) editedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) retractedAt!: string | null;
}

export class ConversationMemberDto implements ConversationMemberView {
  @ApiProperty() userId!: number;
  @ApiProperty() name!: string;
}

export class ConversationView implements ConversationSummary {
  @ApiProperty() id!: number;
  @ApiProperty({ enum: KINDS }) kind!: ConversationKind;
  @ApiProperty({ description: "For a direct conversation, the other person's name" }) title!: string;
  @ApiProperty({ type: Number, nullable: true }) zoneId!: number | null;
  @ApiProperty({ type: Number, nullable: true }) dispatchId!: number | null;
  @ApiProperty({ type: Number, nullable: true }) createdBy!: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) archivedAt!: string | null;
  @ApiProperty({ type: [ConversationMemberDto], description: 'The current members' }) members!: ConversationMemberDto[];
  @ApiProperty({ description: 'false once the caller has left' }) isMember!: boolean;
  @ApiProperty() lastSeq!: number;
  @ApiProperty() lastReadSeq!: number;
  @ApiProperty({ description: 'Text messages after the caller’s read position' }) unreadCount!: number;
  @ApiProperty({ enum: LEVELS }) notificationLevel!: NotificationLevel;
  @ApiProperty({ type: ConversationMessageView, nullable: true }) lastMessage!: ConversationMessageView | null;
}

export class ConversationPageView {
  @ApiProperty({ type: [ConversationView], description: 'Most recent activity first' }) items!: ConversationView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

export class HistoryPageView {
  @ApiProperty({ type: [ConversationMessageView], description: 'In seq order, oldest first' }) items!: ConversationMessageView[];
  @ApiProperty({ type: String, nullable: true, description: 'The seq to pass as after (or before, as this page was asked) for the next page; null when none is left' })
  nextCursor!: string | null;
  @ApiProperty({ description: 'Whether a next page exists (nextCursor is not null)' }) hasMore!: boolean;
}

export class ConversationReadView implements ConversationReadResult {
  @ApiProperty() conversationId!: number;
  @ApiProperty({ description: 'The caller’s read position after the call' }) seq!: number;
  @ApiProperty() unreadCount!: number;
}

export class MessageVersionView {
  @ApiProperty() version!: number;
  @ApiProperty() body!: string;
  @ApiProperty({ format: 'date-time', description: 'When the sender replaced this text' }) replacedAt!: string;
}

export class MessageEditsView {
  @ApiProperty() conversationId!: number;
  @ApiProperty() seq!: number;
  @ApiProperty({ type: [MessageVersionView], description: 'Oldest first' }) items!: MessageVersionView[];
  @ApiProperty({ type: String, nullable: true, description: 'Always null: every version fits one page' }) nextCursor!: null;
}

export class ReadReceiptView {
  @ApiProperty() userId!: number;
  @ApiProperty({ description: 'The last seq they have read' }) seq!: number;
}

export class ReadReceiptsView {
  @ApiProperty() conversationId!: number;
  @ApiProperty({ type: [ReadReceiptView] }) items!: ReadReceiptView[];
  @ApiProperty({ type: String, nullable: true, description: 'Always null: every member fits one page' }) nextCursor!: null;
}

export class InviteResultView {
  @ApiProperty() conversationId!: number;
  @ApiProperty({ type: [Number], description: 'Those who were not current members and now are' }) invitedUserIds!: number[];
}

export class LeaveResultView {
  @ApiProperty() conversationId!: number;
  @ApiProperty() left!: boolean;
}

export class NotificationLevelView {
  @ApiProperty() conversationId!: number;
  @ApiProperty({ enum: LEVELS }) level!: NotificationLevel;
}

export class MassTextResultView {
  @ApiProperty({ description: 'How many direct conversations received the text' }) recipientCount!: number;
}
