import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AttachmentView, MessageType, Priority, ResponseCode } from '../../realtime/socket-events';
import type { DeliverySummary } from '../../urgent/dto/delivery-views';
import { PRIORITIES } from '../../urgent/dto/urgent.dto';
import { RESPONSE_CODES } from './respond.dto';
import { MESSAGE_TYPES } from './send-message.dto';
import type { Affected, InboxItem, MessageAudit, MessageDetail, MessageRemoval, OutboxItem, RecipientStatus, ResponseResult, ResponseTally, TopUnread } from './mail-views';

/*
 * What /api/docs shows for each mail response. Each class implements the view it documents, so
 * the compiler keeps the two in step; the views stay plain types for the web app to import.
 */

const NULLABLE_TIME = { type: String, format: 'date-time', nullable: true } as const;

export class InboxItemDto implements InboxItem {
  @ApiProperty() id!: number;
  @ApiProperty() subject!: string;
  @ApiProperty() senderId!: number;
  @ApiProperty() senderName!: string;
  @ApiProperty({ enum: MESSAGE_TYPES }) type!: MessageType;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty() isRead!: boolean;
  @ApiProperty(NULLABLE_TIME) readAt!: string | null;
  @ApiProperty({ enum: RESPONSE_CODES, nullable: true }) response!: ResponseCode | null;
  @ApiProperty({ enum: PRIORITIES }) priority!: Priority;
  @ApiProperty(NULLABLE_TIME) acknowledgedAt!: string | null;
}

export class InboxPageDto {
  @ApiProperty({ type: [InboxItemDto] }) items!: InboxItemDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' }) nextCursor!: string | null;
}

export class ResponseTallyDto implements ResponseTally {
  @ApiProperty() yes!: number;
  @ApiProperty() no!: number;
  @ApiProperty() maybe!: number;
}

export class OutboxItemDto implements OutboxItem {
  @ApiProperty() id!: number;
  @ApiProperty() subject!: string;
  @ApiProperty({ enum: MESSAGE_TYPES }) type!: MessageType;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty(NULLABLE_TIME) expiresAt!: string | null;
  @ApiProperty() recipientCount!: number;
  @ApiProperty() readCount!: number;
  @ApiProperty({ type: ResponseTallyDto }) responses!: ResponseTallyDto;
}

export class OutboxPageDto {
  @ApiProperty({ type: [OutboxItemDto] }) items!: OutboxItemDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' }) nextCursor!: string | null;
}

export class TopUnreadDto implements TopUnread {
  @ApiProperty({ description: 'All unread messages of the caller' }) count!: number;
  @ApiProperty({ type: [InboxItemDto], description: 'The newest `limit` of them' }) items!: InboxItemDto[];
}

export class RecipientStatusDto implements RecipientStatus {
  @ApiProperty() userId!: number;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty(NULLABLE_TIME) readAt!: string | null;
  @ApiProperty({ enum: RESPONSE_CODES, nullable: true }) response!: ResponseCode | null;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty(NULLABLE_TIME) respondedAt!: string | null;
}

export class AttachmentViewDto implements AttachmentView {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'As read from the content, not the name' }) contentType!: string;
  @ApiProperty() size!: number;
  @ApiPropertyOptional() width?: number;
  @ApiPropertyOptional() height?: number;
}

export class DeliverySummaryDto implements DeliverySummary {
  @ApiProperty() recipients!: number;
  @ApiProperty({ description: 'Some channel reached them, or they read it' }) reached!: number;
  @ApiProperty() read!: number;
  @ApiProperty() acknowledged!: number;
  @ApiProperty({ description: 'Not reached, with no live socket, no push device and no email sent' }) unreachable!: number;
}

export class MessageDetailDto implements MessageDetail {
  @ApiProperty() id!: number;
  @ApiProperty() subject!: string;
  @ApiProperty({ description: 'Sanitized HTML' }) body!: string;
  @ApiProperty() senderId!: number;
  @ApiProperty() senderName!: string;
  @ApiProperty({ enum: MESSAGE_TYPES }) type!: MessageType;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty(NULLABLE_TIME) expiresAt!: string | null;
  @ApiProperty() expired!: boolean;
  @ApiProperty({ ...NULLABLE_TIME, description: "The caller's own copy (null for the sender)" }) readAt!: string | null;
  @ApiProperty({ enum: RESPONSE_CODES, nullable: true }) response!: ResponseCode | null;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ enum: PRIORITIES }) priority!: Priority;
  @ApiProperty(NULLABLE_TIME) acknowledgedAt!: string | null;
  @ApiProperty({ type: [AttachmentViewDto] }) attachments!: AttachmentViewDto[];
  @ApiPropertyOptional({ description: 'Sender only' }) recipientCount?: number;
  @ApiPropertyOptional({ description: 'Sender only' }) readCount?: number;
  @ApiPropertyOptional({ type: ResponseTallyDto, description: 'Sender only' }) responses?: ResponseTallyDto;
  @ApiPropertyOptional({ type: [RecipientStatusDto], description: 'Sender only: the first page, at most 100, by user id' }) recipients?: RecipientStatusDto[];
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Sender only: `cursor` for GET /api/messages/:id/recipients; null when the first page is all' })
  recipientsNextCursor?: string | null;
  @ApiPropertyOptional({ type: DeliverySummaryDto, description: 'Sender only' }) delivery?: DeliverySummaryDto;
}

export class ResponseResultDto implements ResponseResult {
  @ApiProperty() messageId!: number;
  @ApiProperty({ enum: RESPONSE_CODES }) response!: ResponseCode;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ format: 'date-time' }) respondedAt!: string;
}

export class MessageRemovalDto implements MessageRemoval {
  @ApiProperty({ enum: ['inbox', 'outbox'] }) box!: 'inbox' | 'outbox';
  @ApiProperty({ description: 'Whose inbox or outbox it left' }) ownerId!: number;
  @ApiProperty({ type: String, nullable: true }) ownerName!: string | null;
  @ApiProperty({ type: Number, nullable: true }) removedBy!: number | null;
  @ApiProperty({ type: String, nullable: true }) removedByName!: string | null;
  @ApiProperty({ format: 'date-time' }) removedAt!: string;
}

export class MessageAuditDto implements MessageAudit {
  @ApiProperty() messageId!: number;
  @ApiProperty() senderId!: number;
  @ApiProperty() senderName!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty() recipientCount!: number;
  @ApiProperty({ type: [MessageRemovalDto], description: 'Oldest first' }) removals!: MessageRemovalDto[];
}

export class AffectedDto implements Affected {
  @ApiProperty() affected!: number;
}
