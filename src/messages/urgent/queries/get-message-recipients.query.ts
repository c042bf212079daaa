import { Query } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import type { RecipientDeliveryPage } from '../dto/delivery-views';
import type { RecipientState } from '../dto/urgent.dto';

/** The sender's page of a message's recipients, with each one's delivery state. */
export class GetMessageRecipients extends Query<RecipientDeliveryPage> {
  constructor(
    readonly caller: Principal,
    readonly messageId: number,
    readonly state: RecipientState,
    readonly limit: number,
    readonly cursor: string | undefined,
  ) {
    super();
  }
}
