import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EntityManager } from '@mikro-orm/postgresql';
import { missingPermissions, permissionsMessage, type Principal } from '../../common/access';
import { DomainError } from '../../common/errors/domain-error';
import { DISPATCH_ACCESS } from '../dispatch.access';
import { iso, lockOpenDispatch, sqlIn, TASK_COLUMNS, toTaskView, type TaskRow, type Timestamp } from '../dispatch.records';
import type { TaskView } from '../dto/dispatch.dto';
import { appendToOutbox } from '../outbox/dispatch-outbox';
import { DispatchRelay } from '../outbox/dispatch-relay';

/** Marks a task of an open dispatch cleared: the officer is done with it. */
export class ClearTask extends Command<TaskView> {
  constructor(
    readonly caller: Principal,
    readonly dispatchId: number,
    readonly taskId: number,
  ) {
    super();
  }
}

/** Its rule in the access table: the dispatcher's permission, unless the caller is the task's officer. */
const CLEAR_TASK_NEEDS = DISPATCH_ACCESS['POST /dispatches/:id/tasks/:taskId/clear'].permissions;

@CommandHandler(ClearTask)
export class ClearTaskHandler implements ICommandHandler<ClearTask> {
  constructor(
    private readonly em: EntityManager,
    private readonly relay: DispatchRelay,
  ) {}

  async execute(command: ClearTask): Promise<TaskView> {
    const { caller, dispatchId, taskId } = command;
    const { departmentId, userId: clearedBy } = caller;
    const missing = missingPermissions(caller, CLEAR_TASK_NEEDS);
    const task = await this.em.transactional(async (tx) => {
      const run = sqlIn(tx);
      await lockOpenDispatch(tx, departmentId, dispatchId, (d) => `Dispatch ${d.number} is closed; its tasks were cleared when it closed`);
      const [existing] = await run<{ clearedAt: Timestamp | null; officerId: number }>(
        'select cleared_at as "clearedAt", officer_id as "officerId" from dispatch_tasks where id = ? and dispatch_id = ?',
        [taskId, dispatchId],
      );
      if (!existing) throw DomainError.notFound(`Task ${taskId} not found on dispatch ${dispatchId}`);
      if (missing.length && existing.officerId !== clearedBy) throw DomainError.forbidden(`${permissionsMessage(missing)}, or being the task's officer`);
      if (existing.clearedAt) throw DomainError.conflict(`Task ${taskId} is already cleared`);
      const [cleared] = await run<TaskRow & { officerHasOpenTasks: boolean }>(
        `with t as (
           update dispatch_tasks set cleared_at = now(), cleared_by = ? where id = ? returning *)
         select ${TASK_COLUMNS},
                exists (select 1 from dispatch_tasks o
                         where o.dispatch_id = t.dispatch_id and o.officer_id = t.officer_id
                           and o.cleared_at is null and o.id <> t.id) as "officerHasOpenTasks"
           from t`,
        [clearedBy, taskId],
      );
      await appendToOutbox(tx, [
        {
          type: 'TaskCleared',
          eventId: randomUUID(),
          departmentId,
          dispatchId,
          occurredAt: iso(cleared.clearedAt as Timestamp),
          taskId,
          officerId: cleared.officerId,
          officerHasOpenTasks: cleared.officerHasOpenTasks,
          clearedBy,
        },
      ]);
      return cleared;
    });
    await this.relay.deliverNow(dispatchId);
    return toTaskView(task);
  }
}
