import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsIdList, MAX_ID } from '../../../common/validation/ids';
import type { Priority } from '../../realtime/socket-events';

export const PRIORITIES: readonly Priority[] = ['normal', 'urgent'];
export const MAX_REPEATS = 20;
const MAX_REPEAT_SECONDS = 86_400;
const MAX_NOTIFIED = 500;

/** Reminders until each recipient acknowledges, then a message to the people named. */
export class EscalationDto {
  @ApiProperty({ description: 'Seconds between reminders; at least ESCALATION_MIN_INTERVAL_SECONDS', maximum: MAX_REPEAT_SECONDS })
  @IsInt({ message: 'escalation.repeatEverySeconds must be a whole number of seconds' })
  @Min(1, { message: 'escalation.repeatEverySeconds must be at least 1' })
  @Max(MAX_REPEAT_SECONDS, { message: `escalation.repeatEverySeconds must be at most ${MAX_REPEAT_SECONDS}` })
  repeatEverySeconds!: number;

  @ApiProperty({ description: 'Reminders at most, before the escalation message', minimum: 0, maximum: MAX_REPEATS })
  @IsInt({ message: 'escalation.repeats must be a whole number' })
  @Min(0, { message: 'escalation.repeats must be at least 0' })
  @Max(MAX_REPEATS, { message: `escalation.repeats must be at most ${MAX_REPEATS}` })
  repeats!: number;

  @ApiPropertyOptional({ type: [Number], description: 'Told who has not acknowledged after the last reminder' })
  @IsOptional()
  @IsIdList('escalation.thenNotifyUserIds', MAX_NOTIFIED)
  thenNotifyUserIds: number[] = [];

  @ApiPropertyOptional({ type: [Number], description: 'Holders of these roles are told too' })
  @IsOptional()
  @IsIdList('escalation.thenNotifyRoleIds', MAX_NOTIFIED)
  thenNotifyRoleIds: number[] = [];
}

/** Escalation as the message keeps it: the people to tell, resolved when it was sent. */
export interface EscalationPlan {
  repeatEverySeconds: number;
  repeats: number;
  notifyUserIds: number[];
  notifyRoleIds: number[];
}

export const RECIPIENT_STATES = ['unacknowledged', 'unread', 'unreachable', 'all'] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

export class RecipientsQueryDto {
  @ApiPropertyOptional({ enum: RECIPIENT_STATES, default: 'all' })
  @IsOptional()
  @IsIn(RECIPIENT_STATES, { message: `state must be one of ${RECIPIENT_STATES.join(', ')}` })
  state: RecipientState = 'all';

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(500)
  limit = 100;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  cursor?: string;
}

export class AckLinkQueryDto {
  @ApiProperty({ description: 'The signed token from the email' })
  @IsString()
  @MaxLength(500)
  token!: string;
}

/** `message:ack` and `message:received`. */
export class MessageRefDto {
  @IsInt({ message: 'messageId must be a positive integer' })
  @Min(1, { message: 'messageId must be a positive integer' })
  @Max(MAX_ID, { message: 'messageId must be a positive integer' })
  messageId!: number;
}

/** `conversation:ack` and `conversation:received`. */
export class ConversationMessageRefDto {
  @IsInt({ message: 'conversationId must be a positive integer' })
  @Min(1, { message: 'conversationId must be a positive integer' })
  @Max(MAX_ID, { message: 'conversationId must be a positive integer' })
  conversationId!: number;

  @IsInt({ message: 'seq must be a positive integer' })
  @Min(1, { message: 'seq must be a positive integer' })
  @Max(MAX_ID, { message: 'seq must be a positive integer' })
  seq!: number;
}
