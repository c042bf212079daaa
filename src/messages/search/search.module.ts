import { Module } from '@nestjs/common';
import { SearchHandler } from './queries/search.handler';
import { SearchController } from './search.controller';

/** Full-text search over the department mail and the conversations a member may read. */
@Module({
  controllers: [SearchController],
  providers: [SearchHandler],
})
export class SearchModule {}
