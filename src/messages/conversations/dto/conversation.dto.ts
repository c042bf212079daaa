import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsIdList, MAX_ID } from '../../../common/validation/ids';
import { MAX_ATTACHMENTS_PER_MESSAGE } from '../../attachments/attachment-links';
import type { ConversationKind, NotificationLevel, Priority } from '../../realtime/socket-events';
import { EscalationDto, PRIORITIES } from '../../urgent/dto/urgent.dto';
import { CONVERSATION_CURSOR, MAX_BODY_LENGTH } from '../conversation.store';

const MAX_MEMBERS = 500;

export class CreateConversationDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiProperty({ type: [Number], description: 'Members besides you (zone rule applies)' })
  @IsIdList('memberIds', MAX_MEMBERS)
  memberIds: number[];
}

export class DirectConversationDto {
  @ApiProperty()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  userId: number;
}

export class LocationDto {
  @ApiProperty({ minimum: -90, maximum: 90 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-90)
  @Max(90)
  lat: number;

  @ApiProperty({ minimum: -180, maximum: 180 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-180)
  @Max(180)
  lng: number;

  @ApiPropertyOptional({ minimum: 0, description: 'How far off the position may be, in metres' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1_000_000)
  accuracyM?: number;
}

export class MessageBodyDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_BODY_LENGTH, description: 'Plain text' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_BODY_LENGTH)
  body: string;
}

/** A text with the client's id for it: a dispatch comment. */
export class TextMessageDto extends MessageBodyDto {
  @ApiPropertyOptional({ maxLength: 100, description: 'Your id for the message; a repeat returns the first message' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  clientId?: string;
}

export class PostConversationMessageDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: MAX_BODY_LENGTH, description: 'Plain text; may be left out when the message carries a location or attachments' })
  // Required unless a location or attachments stand in for it.
  @ValidateIf((o: PostConversationMessageDto) => (o.location === undefined && !o.attachmentIds?.length) || o.body !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_BODY_LENGTH)
  body?: string;

  @ApiPropertyOptional({ description: 'The seq of an earlier message this one replies to' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  replyToSeq?: number;

  @ApiPropertyOptional({ type: [Number], description: 'Members called to attention (notified even when muted to mentions)' })
  @IsOptional()
  @IsIdList('mentionUserIds', 100)
  mentionUserIds?: number[];

  @ApiPropertyOptional({ type: [Number], description: 'Your unused uploads (POST /attachments) that this message carries' })
  @IsOptional()
  @IsIdList('attachmentIds', MAX_ATTACHMENTS_PER_MESSAGE)
  attachmentIds?: number[];

  @ApiPropertyOptional({ type: LocationDto })
  @IsOptional()
  @IsObject({ message: 'location must be an object { lat, lng, accuracyM? }' })
  @ValidateNested()
  @Type(() => LocationDto)
  location?: LocationDto;

  @ApiPropertyOptional({ maxLength: 100, description: 'Your id for the message; a repeat returns the first message' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  clientId?: string;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal', description: 'urgent: each member must acknowledge it' })
  @IsOptional()
  @IsIn(PRIORITIES, { message: `priority must be one of ${PRIORITIES.join(', ')}` })
  priority?: Priority;

  @ApiPropertyOptional({ type: EscalationDto, description: 'Urgent messages only: reminders until each member acknowledges, then a message to the people named' })
  @IsOptional()
  @IsObject({ message: 'escalation must be an object' })
  @ValidateNested()
  @Type(() => EscalationDto)
  escalation?: EscalationDto;
}

/** The socket's `conversation:send` payload. */
export class SendConversationMessageDto extends PostConversationMessageDto {
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  conversationId: number;
}

export class InviteDto {
  @ApiProperty({ type: [Number] })
  @ArrayMinSize(1)
  @IsIdList('userIds', MAX_MEMBERS)
  userIds: number[];
}

export class MarkReadDto {
  @ApiProperty({ description: 'Everything up to this seq is read' })
  @IsInt()
  @Min(0)
  @Max(MAX_ID)
  seq: number;
}

/** The socket's `conversation:read` payload. */
export class ReadConversationDto extends MarkReadDto {
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  conversationId: number;
}

export class MassTextDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_BODY_LENGTH })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_BODY_LENGTH)
  body: string;

  @ApiPropertyOptional({ type: [Number] })
  @IsOptional()
  @IsIdList('userIds', 5_000)
  userIds?: number[];

  @ApiPropertyOptional({ type: [Number] })
  @IsOptional()
  @IsIdList('groupIds', MAX_MEMBERS)
  groupIds?: number[];

  @ApiPropertyOptional({ type: [Number] })
  @IsOptional()
  @IsIdList('roleIds', MAX_MEMBERS)
  roleIds?: number[];
}

export class ListConversationsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(CONVERSATION_CURSOR, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({ enum: ['dispatch', 'personal', 'direct'] })
  @IsOptional()
  @IsIn(['dispatch', 'personal', 'direct'], { message: 'kind must be dispatch, personal or direct' })
  kind?: ConversationKind;
}

export class NotificationLevelDto {
  @ApiProperty({ enum: ['all', 'mentions', 'none'], description: 'Which messages push a notification (urgent ones always do)' })
  @IsIn(['all', 'mentions', 'none'], { message: 'level must be all, mentions or none' })
  level: NotificationLevel;
}

/** The socket's `conversation:typing` payload. */
export class TypingDto {
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  conversationId: number;
}

export class HistoryDto {
  @ApiPropertyOptional({ description: 'Messages after this seq, oldest first (catch-up)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_ID)
  after?: number;

  @ApiPropertyOptional({ description: 'Messages before this seq (scrolling back)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  before?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}
