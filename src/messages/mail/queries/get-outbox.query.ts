import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import { toPage } from '../cursor';
import type { OutboxItem, Page } from '../dto/mail-views';
import { toOutboxItem } from '../mail.mapper';
import { MailRepository } from '../mail.repository';

export class GetOutbox extends Query<Page<OutboxItem>> {
  constructor(
    readonly caller: Principal,
    readonly limit: number,
    readonly cursor: string | undefined,
  ) {
    super();
  }
}

@QueryHandler(GetOutbox)
export class GetOutboxHandler implements IQueryHandler<GetOutbox, Page<OutboxItem>> {
  constructor(private readonly mail: MailRepository) {}

  async execute({ caller, limit, cursor }: GetOutbox): Promise<Page<OutboxItem>> {
    const rows = await this.mail.outbox(caller.userId, caller.departmentId, cursor, limit + 1);
    return toPage(rows, limit, toOutboxItem);
  }
}
