import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal } from '../../common/access';
import { SearchPageView } from './dto/search-results.dto';
import { SearchQueryDto } from './dto/search.dto';
import { SearchMessages } from './queries/search-messages.query';

@ApiTags('search')
@Controller('search')
export class SearchController {
  constructor(private readonly queries: QueryBus) {}

  /** Mail and conversation messages the caller may read, best match first, `{ items, nextCursor }`. */
  @Get()
  @ApiOkResponse({ type: SearchPageView })
  search(@Caller() caller: Principal, @Query() query: SearchQueryDto) {
    return this.queries.execute(new SearchMessages(caller, query.q, query.limit, query.cursor));
  }
}
