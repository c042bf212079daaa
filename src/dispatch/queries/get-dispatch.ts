import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/errors/domain-error';
import { DISPATCH_COLUMNS, TASK_COLUMNS, toDispatchDetail, type DispatchRow, type TaskRow } from '../dispatch.records';
import type { DispatchDetail } from '../dto/dispatch.dto';

/** One dispatch of the caller's department with its tasks. */
export class GetDispatch extends Query<DispatchDetail> {
  constructor(
    readonly departmentId: number,
    readonly dispatchId: number,
  ) {
    super();
  }
}

@QueryHandler(GetDispatch)
export class GetDispatchHandler implements IQueryHandler<GetDispatch> {
  constructor(private readonly em: EntityManager) {}

  async execute({ departmentId, dispatchId }: GetDispatch): Promise<DispatchDetail> {
    const connection = this.em.getConnection();
    const [dispatch] = await connection.execute<DispatchRow[]>(
      `select ${DISPATCH_COLUMNS} from dispatches d where d.id = ? and d.department_id = ?`,
      [dispatchId, departmentId],
    );
    if (!dispatch) throw DomainError.notFound(`Dispatch ${dispatchId} not found`);
    const tasks = await connection.execute<TaskRow[]>(`select ${TASK_COLUMNS} from dispatch_tasks t where t.dispatch_id = ? order by t.id`, [
      dispatchId,
    ]);
    return toDispatchDetail(dispatch, tasks);
  }
}
