import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EntityManager } from '@mikro-orm/postgresql';
import type { DispatchEvent } from '../../common/events';
import { DISPATCH_COLUMNS, iso, lockOpenDispatch, sqlIn, TASK_COLUMNS, toDispatchDetail, type DispatchRow, type TaskRow, type Timestamp } from '../dispatch.records';
import type { DispatchDetail } from '../dto/dispatch.dto';
import { appendToOutbox } from '../outbox/dispatch-outbox';
import { DispatchRelay } from '../outbox/dispatch-relay';

/** Closes a dispatch; tasks still open are cleared with it. */
export class CloseDispatch extends Command<DispatchDetail> {
  constructor(
    readonly departmentId: number,
    readonly closedBy: number,
    readonly dispatchId: number,
  ) {
    super();
  }
}

@CommandHandler(CloseDispatch)
export class CloseDispatchHandler implements ICommandHandler<CloseDispatch> {
  constructor(
    private readonly em: EntityManager,
    private readonly relay: DispatchRelay,
  ) {}

  async execute(command: CloseDispatch): Promise<DispatchDetail> {
    const { departmentId, closedBy, dispatchId } = command;
    const { dispatch, tasks } = await this.em.transactional(async (tx) => {
      const run = sqlIn(tx);
      await lockOpenDispatch(tx, departmentId, dispatchId, (d) => `Dispatch ${d.number} is already closed`);
      const cleared = await run<{ id: number; officerId: number }>(
        `update dispatch_tasks set cleared_at = now(), cleared_by = ? where dispatch_id = ? and cleared_at is null
         returning id, officer_id as "officerId"`,
        [closedBy, dispatchId],
      );
      const [closed] = await run<DispatchRow>(
        `with d as (
           update dispatches set status = 'closed', closed_at = now(), closed_by = ? where id = ? returning *)
         select ${DISPATCH_COLUMNS} from d`,
        [closedBy, dispatchId],
      );
      const occurredAt = iso(closed.closedAt as Timestamp);
      cleared.sort((a, b) => a.id - b.id);
      const events: DispatchEvent[] = cleared.map((task, i) => ({
        type: 'TaskCleared',
        eventId: randomUUID(),
        departmentId,
        dispatchId,
        occurredAt,
        taskId: task.id,
        officerId: task.officerId,
        // Every task is cleared in this one step; "still open" means a later one in this list.
        officerHasOpenTasks: cleared.slice(i + 1).some((later) => later.officerId === task.officerId),
        clearedBy: closedBy,
      }));
      events.push({ type: 'DispatchClosed', eventId: randomUUID(), departmentId, dispatchId, occurredAt, number: closed.number, closedBy });
      await appendToOutbox(tx, events);
      const all = await run<TaskRow>(`select ${TASK_COLUMNS} from dispatch_tasks t where t.dispatch_id = ? order by t.id`, [dispatchId]);
      return { dispatch: closed, tasks: all };
    });
    await this.relay.deliverNow(dispatchId);
    return toDispatchDetail(dispatch, tasks);
  }
}
