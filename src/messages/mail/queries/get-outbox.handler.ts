import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { toPage } from '../cursor';
import type { OutboxItem, Page } from '../dto/mail-views';
import { toOutboxItem } from '../mail.mapper';
import { MailRepository } from '../mail.repository';
import { GetOutbox } from './get-outbox.query';

@QueryHandler(GetOutbox)
export class GetOutboxHandler implements IQueryHandler<GetOutbox, Page<OutboxItem>> {
  constructor(private readonly mail: MailRepository) {}

  async execute({ caller, limit, cursor }: GetOutbox): Promise<Page<OutboxItem>> {
    const rows = await this.mail.outbox(caller.userId, caller.departmentId, cursor, limit + 1);
    return toPage(rows, limit, toOutboxItem);
  }
}
