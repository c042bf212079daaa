import { DepartmentDispatch } from './dispatch.resource';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DispatchEventsModule } from '../common/events';
import { AssignTaskHandler } from './commands/assign-task';
import { ClearTaskHandler } from './commands/clear-task';
import { CloseDispatchHandler } from './commands/close-dispatch';
import { CreateDispatchHandler } from './commands/create-dispatch';
import { DispatchController } from './dispatch.controller';
import { DispatchRelay } from './outbox/dispatch-relay';
import { GetDispatchHandler } from './queries/get-dispatch';
import { ListDispatchesHandler } from './queries/list-dispatches';

/**
 * The host's dispatches and their officers' tasks. It knows nothing of what reacts to them:
 * changes leave as integration events (`common/events`) through a transactional outbox.
 */
@Module({
  imports: [CqrsModule, DispatchEventsModule],
  controllers: [DispatchController],
  providers: [
    CreateDispatchHandler,
    AssignTaskHandler,
    ClearTaskHandler,
    CloseDispatchHandler,
    ListDispatchesHandler,
    GetDispatchHandler,
    DispatchRelay,
    DepartmentDispatch,
  ],
})
export class DispatchModule {}
