import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SearchPage } from '../search-views';

/** One hit: a department message (`kind: mail`) or a conversation message (`kind: conversation`), for /api/docs. */
export class SearchHitView {
  @ApiProperty({ enum: ['mail', 'conversation'] }) kind!: 'mail' | 'conversation';
  @ApiProperty({ description: 'The text with the matched words in <mark>; everything else in it is escaped' }) snippet!: string;
  @ApiProperty() senderName!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ description: 'mail' }) messageId?: number;
  @ApiPropertyOptional({ description: 'mail' }) subject?: string;
  @ApiPropertyOptional({ description: 'conversation' }) conversationId?: number;
  @ApiPropertyOptional({ description: 'conversation' }) seq?: number;
  @ApiPropertyOptional({ description: 'conversation' }) conversationTitle?: string;
}

export class SearchPageView {
  @ApiProperty({ type: [SearchHitView], description: 'Best match first' }) items!: SearchHitView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

// The description covers every hit the search answers.
const _covers = (page: SearchPage): SearchPageView => page;
void _covers;
