import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/errors/domain-error';
import { DISPATCH_COLUMNS, iso, sqlIn, toDispatchDetail, type DispatchRow } from '../dispatch.records';
import type { DispatchDetail } from '../dto/dispatch.dto';
import { appendToOutbox } from '../outbox/dispatch-outbox';
import { DispatchRelay } from '../outbox/dispatch-relay';

/** Opens a dispatch; the caller is its dispatcher. */
export class CreateDispatch extends Command<DispatchDetail> {
  constructor(
    readonly departmentId: number,
    readonly dispatcherId: number,
    readonly number: string,
    readonly zoneId: number,
    readonly title: string,
    readonly address: string | null = null,
  ) {
    super();
  }
}

@CommandHandler(CreateDispatch)
export class CreateDispatchHandler implements ICommandHandler<CreateDispatch> {
  constructor(
    private readonly em: EntityManager,
    private readonly relay: DispatchRelay,
  ) {}

  async execute(command: CreateDispatch): Promise<DispatchDetail> {
    const { departmentId, dispatcherId, number, zoneId, title } = command;
    const address = command.address?.trim() || null;
    const dispatch = await this.em.transactional(async (tx) => {
      const run = sqlIn(tx);
      const [zone] = await run(`select 1 from member_sets where id = ? and department_id = ? and kind = 'zone'`, [zoneId, departmentId]);
      if (!zone) throw DomainError.invalid(`zoneId ${zoneId} is not a zone of this department`);
      // A concurrent insert of the same number waits for the other to commit, then does nothing.
      const [created] = await run<DispatchRow>(
        `with d as (
           insert into dispatches (department_id, number, zone_id, title, dispatcher_id, address) values (?, ?, ?, ?, ?, ?)
           on conflict (department_id, lower(number)) do nothing
           returning *)
         select ${DISPATCH_COLUMNS} from d`,
        [departmentId, number, zoneId, title, dispatcherId, address],
      );
      if (!created) throw DomainError.conflict(`A dispatch numbered "${number}" already exists in this department`);
      await appendToOutbox(tx, [
        {
          type: 'DispatchCreated',
          eventId: randomUUID(),
          departmentId,
          dispatchId: created.id,
          occurredAt: iso(created.createdAt),
          number: created.number,
          title: created.title,
          zoneId: created.zoneId,
          dispatcherId,
        },
      ]);
      return created;
    });
    await this.relay.deliverNow(dispatch.id);
    return toDispatchDetail(dispatch, []);
  }
}
