import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/errors/domain-error';
import { isId } from '../../common/validation/ids';
import { DISPATCH_COLUMNS, toDispatchSummary, type DispatchRow } from '../dispatch.records';
import { DISPATCH_STATUSES, type DispatchPage, type DispatchStatus } from '../dto/dispatch.dto';

export const DEFAULT_PAGE_SIZE = 50;

/** The department's dispatches, open first, then newest first; keyset pages. */
export class ListDispatches extends Query<DispatchPage> {
  constructor(
    readonly departmentId: number,
    readonly options: { status?: DispatchStatus; number?: string; limit?: number; cursor?: string },
  ) {
    super();
  }
}

// The cursor is the (status, id) of the last item; the order is status descending ("open"
// before "closed"), then id descending, which the (department_id, status, id) index serves.
const encodeCursor = (d: { status: DispatchStatus; id: number }) => Buffer.from(`${d.status}:${d.id}`).toString('base64url');

function decodeCursor(cursor: string): { status: DispatchStatus; id: number } {
  const [status, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (!(DISPATCH_STATUSES as readonly string[]).includes(status) || !isId(id ?? '')) {
    throw DomainError.invalid('cursor is not one this list returned');
  }
  return { status: status as DispatchStatus, id: Number(id) };
}

@QueryHandler(ListDispatches)
export class ListDispatchesHandler implements IQueryHandler<ListDispatches> {
  constructor(private readonly em: EntityManager) {}

  async execute({ departmentId, options }: ListDispatches): Promise<DispatchPage> {
    const limit = options.limit ?? DEFAULT_PAGE_SIZE;
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    const where = ['d.department_id = ?'];
    const params: unknown[] = [departmentId];
    if (options.status) {
      where.push('d.status = ?');
      params.push(options.status);
    }
    if (options.number) {
      where.push('lower(d.number) = lower(?)');
      params.push(options.number);
    }
    if (after) {
      where.push('(d.status, d.id) < (?, ?)');
      params.push(after.status, after.id);
    }
    const rows = await this.em.getConnection().execute<(DispatchRow & { taskCount: number; openTaskCount: number })[]>(
      `select ${DISPATCH_COLUMNS}, c."taskCount", c."openTaskCount"
         from dispatches d
         cross join lateral (
           select count(*)::int as "taskCount", (count(*) filter (where t.cleared_at is null))::int as "openTaskCount"
             from dispatch_tasks t where t.dispatch_id = d.id) c
        where ${where.join(' and ')}
        order by d.status desc, d.id desc
        limit ?`,
      [...params, limit + 1],
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => toDispatchSummary(r, r.taskCount, r.openTaskCount)),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
    };
  }
}
