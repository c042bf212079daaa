import { Query } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import type { ConversationDelivery } from '../dto/delivery-views';

/** The author's record of an urgent conversation message: each member it must reach, and the counts. */
export class GetConversationDelivery extends Query<ConversationDelivery> {
  constructor(
    readonly caller: Principal,
    readonly conversationId: number,
    readonly seq: number,
  ) {
    super();
  }
}
