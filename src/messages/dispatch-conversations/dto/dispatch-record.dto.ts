import { ApiProperty } from '@nestjs/swagger';
import { ConversationMessageView, ConversationView } from '../../conversations/dto/conversation-views.dto';
import type { DispatchConversationView, DispatchSummary } from '../queries/get-dispatch-conversation-record.query';

/** What the dispatch record route answers, described for /api/docs. */

export class DispatchSummaryView implements DispatchSummary {
  @ApiProperty() id!: number;
  @ApiProperty() number!: string;
  @ApiProperty() zoneId!: number;
  @ApiProperty({ enum: ['open', 'closed'] }) status!: 'open' | 'closed';
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
}

export class DispatchRecordView implements DispatchConversationView {
  @ApiProperty({ type: DispatchSummaryView }) dispatch!: DispatchSummaryView;
  @ApiProperty({ type: ConversationView }) conversation!: ConversationView;
  @ApiProperty({ type: [ConversationMessageView], description: 'Oldest first: the whole history, or the page asked for' })
  messages!: ConversationMessageView[];
  @ApiProperty({ type: String, nullable: true, description: 'With a page asked for: the seq to pass the same way (after or before) for the next; null when none is left' })
  nextCursor!: string | null;
}
