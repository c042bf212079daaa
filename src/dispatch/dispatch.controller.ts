import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, ResolvesPathId, type Principal } from '../common/access';
import { ParseIdPipe } from '../common/validation/ids';
import { AssignTask } from './commands/assign-task';
import { ClearTask } from './commands/clear-task';
import { CloseDispatch } from './commands/close-dispatch';
import { CreateDispatch } from './commands/create-dispatch';
import { AssignTaskDto, CreateDispatchDto, DispatchDetail, DispatchPage, ListDispatchesQuery, TaskView } from './dto/dispatch.dto';
import { DepartmentDispatch } from './dispatch.resource';
import { GetDispatch } from './queries/get-dispatch';
import { ListDispatches } from './queries/list-dispatches';

/**
 * Dispatches of the caller's department. Every member reads them; holders of
 * `Dispatches_Manage` dispatch (the caller is the dispatcher), assign and close.
 */
@ApiTags('dispatches')
@Controller('dispatches')
export class DispatchController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}
  @Post()
  @ApiCreatedResponse({ type: DispatchDetail })
  @ApiConflictResponse({ description: 'The number is already used in the department' })
  create(@Caller() caller: Principal, @Body() body: CreateDispatchDto): Promise<DispatchDetail> {
    return this.commands.execute(new CreateDispatch(caller.departmentId, caller.userId, body.number, body.zoneId, body.title, body.address));
  }
  @Get()
  @ApiOkResponse({ type: DispatchPage })
  list(@Caller() caller: Principal, @Query() query: ListDispatchesQuery): Promise<DispatchPage> {
    return this.queries.execute(new ListDispatches(caller.departmentId, query));
  }
  @Get(':id')
  @ApiOkResponse({ type: DispatchDetail })
  @ApiNotFoundResponse({ description: 'No such dispatch in the caller\'s department' })
  get(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number): Promise<DispatchDetail> {
    return this.queries.execute(new GetDispatch(caller.departmentId, id));
  }
  @Post(':id/tasks')
  @ResolvesPathId(DepartmentDispatch)
  @ApiCreatedResponse({ type: TaskView })
  @ApiConflictResponse({ description: 'The dispatch is closed' })
  assignTask(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: AssignTaskDto): Promise<TaskView> {
    return this.commands.execute(new AssignTask(caller.departmentId, caller.userId, id, body.officerId, body.description));
  }
  @Post(':id/tasks/:taskId/clear')
  @HttpCode(200)
  @ApiOkResponse({ type: TaskView })
  @ApiConflictResponse({ description: 'The task is already cleared, or the dispatch closed' })
  clearTask(
    @Caller() caller: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Param('taskId', ParseIdPipe) taskId: number,
  ): Promise<TaskView> {
    return this.commands.execute(new ClearTask(caller, id, taskId));
  }
  @Post(':id/close')
  @HttpCode(200)
  @ApiOkResponse({ type: DispatchDetail })
  @ApiConflictResponse({ description: 'The dispatch is already closed' })
  close(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number): Promise<DispatchDetail> {
    return this.commands.execute(new CloseDispatch(caller.departmentId, caller.userId, id));
  }
}
