import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMinSize, IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsIdList, MAX_ID } from '../../../common/validation/ids';
import type { Priority } from '../../realtime/socket-events';
import { PRIORITIES } from '../../urgent/dto/urgent.dto';
import { MAX_BODY_LENGTH } from '../conversation.store';

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

export class PostConversationMessageDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_BODY_LENGTH, description: 'Plain text' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_BODY_LENGTH)
  body: string;

  @ApiPropertyOptional({ maxLength: 100, description: 'Your id for the message; a repeat returns the first message' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  clientId?: string;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal', description: 'urgent: each member must acknowledge it' })
  @IsOptional()
  @IsIn(PRIORITIES, { message: `priority must be one of ${PRIORITIES.join(', ')}` })
  priority?: Priority;
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
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
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
