import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, ResolvesPathId, type Principal } from '../../../common/access';
import { ParseIdPipe } from '../../../common/validation/ids';
import { ListMassTextsDto, MassTextOverviewDto, MassTextPageDto } from './mass-texts.dto';
import type { MassTextOverview, MassTextSummary } from './mass-text.queries';
import { ListMassTexts } from './queries/list-mass-texts.query';
import { GetMassTextOverview } from './queries/get-mass-text-overview.query';
import { CallersMassText } from './mass-text.resource';

/** The sender's view of their mass texts: one entry each, with who read and who replied. */
@ApiTags('conversations')
@Controller('conversations/mass-texts')
export class MassTextsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOkResponse({ type: MassTextPageDto })
  list(@Caller() caller: Principal, @Query() query: ListMassTextsDto): Promise<{ items: MassTextSummary[]; nextCursor: null }> {
    return this.queries.execute(new ListMassTexts(caller.departmentId, caller.userId, query.limit ?? 20));
  }

  @Get(':id')
  @ApiOkResponse({ type: MassTextOverviewDto })
  @ResolvesPathId(CallersMassText)
  overview(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number): Promise<MassTextOverview> {
    return this.queries.execute(new GetMassTextOverview(caller.departmentId, caller.userId, id));
  }
}
