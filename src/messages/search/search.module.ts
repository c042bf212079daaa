import { Module } from '@nestjs/common';
import { SearchMessagesHandler } from './queries/search-messages.handler';
import { SearchController } from './search.controller';
import { SearchRepository } from './search.repository';

/** Full-text search over the department mail and the conversations a member may read. */
@Module({
  controllers: [SearchController],
  providers: [SearchRepository, SearchMessagesHandler],
})
export class SearchModule {}
