import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { MassTextOverview, MassTextRecipient, MassTextSummary } from './mass-text.queries';

export class ListMassTextsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 100' })
  @Min(1, { message: 'limit must be an integer from 1 to 100' })
  @Max(100, { message: 'limit must be an integer from 1 to 100' })
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

export class MassTextOverviewDto implements MassTextOverview {
  @ApiProperty() id!: number;
  @ApiProperty() body!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty() recipientCount!: number;
  @ApiProperty() readCount!: number;
  @ApiProperty() repliedCount!: number;
  @ApiProperty({ type: [MassTextRecipientDto] }) recipients!: MassTextRecipientDto[];
}
