import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsObject,
  ValidateNested,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { MAX_ATTACHMENTS_PER_MESSAGE } from '../../attachments/attachment-links';
import type { MessageType, Priority } from '../../realtime/socket-events';
import { EscalationDto, PRIORITIES } from '../../urgent/dto/urgent.dto';
import { SEND_MODES, type SendMode } from '../../recipients/recipient-selection';
import { IsIdList } from '../../../common/validation/ids';

export const MESSAGE_TYPES: readonly MessageType[] = ['normal', 'callback', 'poll', 'alert'];
const MAX_LISTED_IDS = 10_000;

const IdList = (field: string) => applyDecorators(IsOptional(), IsIdList(field, MAX_LISTED_IDS));

export class SendMessageDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Drill tonight' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'subject must not be blank' })
  subject!: string;

  @ApiProperty({ description: 'HTML; stored and returned sanitized', maxLength: 20_000, example: '<p>Station 1, 19:00</p>' })
  @IsString()
  @MinLength(1)
  @MaxLength(20_000)
  body!: string;

  @ApiPropertyOptional({ enum: MESSAGE_TYPES, default: 'normal' })
  @IsOptional()
  @IsIn(MESSAGE_TYPES)
  type: MessageType = 'normal';

  @ApiProperty({ enum: SEND_MODES })
  @IsIn(SEND_MODES)
  sendMode!: SendMode;

  @ApiPropertyOptional({ type: [Number] })
  @IdList('userIds')
  userIds: number[] = [];

  @ApiPropertyOptional({ type: [Number] })
  @IdList('groupIds')
  groupIds: number[] = [];

  @ApiPropertyOptional({ type: [Number] })
  @IdList('roleIds')
  roleIds: number[] = [];

  @ApiPropertyOptional({ type: [Number], description: 'Members of these shifts are left out of everyone, group and role expansions' })
  @IdList('excludeShiftIds')
  excludeShiftIds: number[] = [];

  @ApiPropertyOptional({ description: 'ISO 8601, in the future; after it the message leaves inboxes and cannot be answered' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'expiresAt must be an ISO 8601 date-time' })
  expiresAt?: string;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal', description: 'urgent: each recipient must acknowledge it' })
  @IsOptional()
  @IsIn(PRIORITIES, { message: `priority must be one of ${PRIORITIES.join(', ')}` })
  priority: Priority = 'normal';

  @ApiPropertyOptional({ type: EscalationDto, description: 'Urgent messages only: reminders until acknowledged, then a message to the people named' })
  @IsOptional()
  @IsObject({ message: 'escalation must be an object' })
  @ValidateNested()
  @Type(() => EscalationDto)
  escalation?: EscalationDto;

  @ApiPropertyOptional({ description: 'The same key from the same sender within 24 h returns the first result and sends nothing again' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  idempotencyKey?: string;

  @ApiPropertyOptional({ type: [Number], description: 'Your unused uploads (POST /attachments) that the message carries' })
  @IsOptional()
  @IsIdList('attachmentIds', MAX_ATTACHMENTS_PER_MESSAGE)
  attachmentIds?: number[];
}

export class SentMessageDto {
  @ApiProperty() id!: number;
  @ApiProperty() recipientCount!: number;
}
