import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../common/errors/domain-error';
import type { DispatchDetail, DispatchStatus, DispatchSummary, TaskView } from './dto/dispatch.dto';

/** MikroORM's driver hands timestamps back as text; plain `pg` as Dates. Either way, ISO 8601 out. */
export type Timestamp = Date | string;
export const iso = (t: Timestamp): string => new Date(t).toISOString();
const isoOrNull = (t: Timestamp | null) => (t === null ? null : iso(t));

export interface DispatchRow {
  id: number;
  departmentId: number;
  number: string;
  zoneId: number;
  title: string;
  address: string | null;
  dispatcherId: number;
  status: DispatchStatus;
  createdAt: Timestamp;
  closedAt: Timestamp | null;
  closedBy: number | null;
}

export interface TaskRow {
  id: number;
  dispatchId: number;
  officerId: number;
  description: string;
  assignedBy: number;
  assignedAt: Timestamp;
  clearedAt: Timestamp | null;
  clearedBy: number | null;
}

export const DISPATCH_COLUMNS = `d.id, d.department_id as "departmentId", d.number, d.zone_id as "zoneId", d.title, d.address,
  d.dispatcher_id as "dispatcherId", d.status, d.created_at as "createdAt", d.closed_at as "closedAt", d.closed_by as "closedBy"`;

export const TASK_COLUMNS = `t.id, t.dispatch_id as "dispatchId", t.officer_id as "officerId", t.description,
  t.assigned_by as "assignedBy", t.assigned_at as "assignedAt", t.cleared_at as "clearedAt", t.cleared_by as "clearedBy"`;

export const toTaskView = (t: TaskRow): TaskView => ({
  id: t.id,
  dispatchId: t.dispatchId,
  officerId: t.officerId,
  description: t.description,
  assignedBy: t.assignedBy,
  assignedAt: iso(t.assignedAt),
  clearedAt: isoOrNull(t.clearedAt),
  clearedBy: t.clearedBy,
});

export const toDispatchSummary = (d: DispatchRow, taskCount: number, openTaskCount: number): DispatchSummary => ({
  id: d.id,
  number: d.number,
  title: d.title,
  address: d.address ?? null,
  zoneId: d.zoneId,
  dispatcherId: d.dispatcherId,
  status: d.status,
  createdAt: iso(d.createdAt),
  closedAt: isoOrNull(d.closedAt),
  closedBy: d.closedBy,
  taskCount,
  openTaskCount,
});

export const toDispatchDetail = (d: DispatchRow, tasks: TaskRow[]): DispatchDetail => ({
  ...toDispatchSummary(d, tasks.length, tasks.filter((t) => !t.clearedAt).length),
  tasks: tasks.map(toTaskView),
});

/** Raw SQL inside the transaction of `tx`. */
export const sqlIn =
  (tx: EntityManager) =>
  <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    tx.getConnection().execute<T[]>(sql, params, 'all', tx.getTransactionContext());

/**
 * Locks the caller's dispatch for a change: writes to one dispatch run one after another, so
 * its events enter the outbox in the order they happened. Another department's is not found.
 */
export async function lockOpenDispatch(
  tx: EntityManager,
  departmentId: number,
  dispatchId: number,
  whenClosed = (d: DispatchRow) => `Dispatch ${d.number} is closed`,
): Promise<DispatchRow> {
  const [dispatch] = await sqlIn(tx)<DispatchRow>(
    `select ${DISPATCH_COLUMNS} from dispatches d where d.id = ? and d.department_id = ? for update`,
    [dispatchId, departmentId],
  );
  if (!dispatch) throw DomainError.notFound(`Dispatch ${dispatchId} not found`);
  if (dispatch.status === 'closed') throw DomainError.conflict(whenClosed(dispatch));
  return dispatch;
}
