import { Query } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import type { OutboxItem, Page } from '../dto/mail-views';

export class GetOutbox extends Query<Page<OutboxItem>> {
  constructor(
    readonly caller: Principal,
    readonly limit: number,
    readonly cursor: string | undefined,
  ) {
    super();
  }
}
