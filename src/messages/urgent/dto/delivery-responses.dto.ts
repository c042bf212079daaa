import { ApiProperty } from '@nestjs/swagger';
import { DeliverySummaryDto } from '../../mail/dto/mail-responses.dto';
import { RESPONSE_CODES } from '../../mail/dto/respond.dto';
import type { AcknowledgedResult, ConversationAcknowledgedResult, Priority, ResponseCode } from '../../realtime/socket-events';
import type { ConversationDelivery, RecipientDelivery, RecipientDeliveryPage, RecipientDeliveryState } from './delivery-views';
import { PRIORITIES } from './urgent.dto';

/** What /api/docs shows for the acknowledgement and the sender's delivery record. */

const NULLABLE_TIME = { type: String, format: 'date-time', nullable: true } as const;
const STATES: RecipientDeliveryState[] = ['acknowledged', 'read', 'reached', 'pending', 'unreachable'];

export class AcknowledgedResultDto implements AcknowledgedResult {
  @ApiProperty() messageId!: number;
  @ApiProperty({ format: 'date-time', description: 'The first acknowledgement stands' }) acknowledgedAt!: string;
}

export class DeliveryChannelsDto {
  @ApiProperty(NULLABLE_TIME) socket!: string | null;
  @ApiProperty(NULLABLE_TIME) push!: string | null;
  @ApiProperty(NULLABLE_TIME) email!: string | null;
}

export class RecipientDeliveryDto implements RecipientDelivery {
  @ApiProperty() userId!: number;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ enum: STATES }) state!: RecipientDeliveryState;
  @ApiProperty({ type: DeliveryChannelsDto, description: 'When each channel first reached them' }) channels!: DeliveryChannelsDto;
  @ApiProperty(NULLABLE_TIME) readAt!: string | null;
  @ApiProperty(NULLABLE_TIME) acknowledgedAt!: string | null;
  @ApiProperty({ enum: RESPONSE_CODES, nullable: true }) response!: ResponseCode | null;
}

export class RecipientDeliveryPageDto implements RecipientDeliveryPage {
  @ApiProperty() messageId!: number;
  @ApiProperty({ enum: PRIORITIES }) priority!: Priority;
  @ApiProperty({ type: DeliverySummaryDto }) summary!: DeliverySummaryDto;
  @ApiProperty({ type: [RecipientDeliveryDto] }) items!: RecipientDeliveryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' }) nextCursor!: string | null;
}

export class ConversationAcknowledgedResultDto implements ConversationAcknowledgedResult {
  @ApiProperty() conversationId!: number;
  @ApiProperty() seq!: number;
  @ApiProperty({ format: 'date-time', description: 'The first acknowledgement stands' }) acknowledgedAt!: string;
}

export class ConversationDeliveryDto implements ConversationDelivery {
  @ApiProperty() conversationId!: number;
  @ApiProperty() seq!: number;
  @ApiProperty({ type: DeliverySummaryDto }) summary!: DeliverySummaryDto;
  @ApiProperty({ type: [RecipientDeliveryDto], description: 'Every member the line went to (a conversation holds at most CONVERSATION_MAX_MEMBERS)' })
  items!: RecipientDeliveryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Always null: the whole record is one page' }) nextCursor!: null;
}
