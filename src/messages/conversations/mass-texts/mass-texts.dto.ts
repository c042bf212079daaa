import { ApiProperty, OmitType } from '@nestjs/swagger';
import type { MassTextOverview, MassTextRecipient, MassTextSummary } from './mass-text.queries';
import { PageLimit } from '../../../common/validation/page-limit';

export class ListMassTextsDto {
  @PageLimit(100, 20)
  limit?: number;
}

/** What /api/docs shows for the sender's mass texts. */
export class MassTextSummaryDto implements MassTextSummary {
  @ApiProperty() id!: number;
  @ApiProperty() body!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty() recipientCount!: number;
  @ApiProperty() readCount!: number;
  @ApiProperty() repliedCount!: number;
  @ApiProperty({ type: [Number], description: 'The direct conversations it went into; the chat list shows them as this one row' })
  conversationIds!: number[];
}

export class MassTextPageDto {
  @ApiProperty({ type: [MassTextSummaryDto], description: 'Newest first' }) items!: MassTextSummaryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Always null: the newest `limit` are the list' }) nextCursor!: null;
}

export class MassTextReplyDto {
  @ApiProperty() seq!: number;
  @ApiProperty() body!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class MassTextRecipientDto implements MassTextRecipient {
  @ApiProperty() userId!: number;
  @ApiProperty() name!: string;
  @ApiProperty() conversationId!: number;
  @ApiProperty({ description: 'The line the mass text is in that conversation' }) seq!: number;
  @ApiProperty() read!: boolean;
  @ApiProperty() replied!: boolean;
  @ApiProperty({ type: MassTextReplyDto, nullable: true, description: 'Their latest line after the mass text' }) lastReply!: MassTextReplyDto | null;
}

export class MassTextOverviewDto extends OmitType(MassTextSummaryDto, ['conversationIds'] as const) implements MassTextOverview {
  @ApiProperty({ type: [MassTextRecipientDto] }) recipients!: MassTextRecipientDto[];
}
