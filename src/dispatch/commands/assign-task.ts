import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/errors/domain-error';
import { iso, lockOpenDispatch, sqlIn, TASK_COLUMNS, toTaskView, type TaskRow } from '../dispatch.records';
import type { TaskView } from '../dto/dispatch.dto';
import { appendToOutbox } from '../outbox/dispatch-outbox';
import { DispatchRelay } from '../outbox/dispatch-relay';

/** Gives an officer of the department a task on an open dispatch. */
export class AssignTask extends Command<TaskView> {
  constructor(
    readonly departmentId: number,
    readonly assignedBy: number,
    readonly dispatchId: number,
    readonly officerId: number,
    readonly description: string,
  ) {
    super();
  }
}

@CommandHandler(AssignTask)
export class AssignTaskHandler implements ICommandHandler<AssignTask> {
  constructor(
    private readonly em: EntityManager,
    private readonly relay: DispatchRelay,
  ) {}

  async execute(command: AssignTask): Promise<TaskView> {
    const { departmentId, assignedBy, dispatchId, officerId, description } = command;
    const task = await this.em.transactional(async (tx) => {
      const run = sqlIn(tx);
      await lockOpenDispatch(tx, departmentId, dispatchId);
      const [officer] = await run<{ active: boolean }>('select active from members where id = ? and department_id = ?', [officerId, departmentId]);
      if (!officer) throw DomainError.invalid(`officerId ${officerId} is not a member of this department`);
      if (!officer.active) throw DomainError.invalid(`officerId ${officerId} is not an active member`);
      const [created] = await run<TaskRow>(
        `with t as (
           insert into dispatch_tasks (dispatch_id, department_id, officer_id, description, assigned_by) values (?, ?, ?, ?, ?)
           returning *)
         select ${TASK_COLUMNS} from t`,
        [dispatchId, departmentId, officerId, description, assignedBy],
      );
      await appendToOutbox(tx, [
        {
          type: 'TaskAssigned',
          eventId: randomUUID(),
          departmentId,
          dispatchId,
          occurredAt: iso(created.assignedAt),
          taskId: created.id,
          officerId,
          description: created.description,
          assignedBy,
        },
      ]);
      return created;
    });
    await this.relay.deliverNow(dispatchId);
    return toTaskView(task);
  }
}
