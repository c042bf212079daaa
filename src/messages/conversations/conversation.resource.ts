import { Injectable } from '@nestjs/common';
import type { PathResource, Principal } from '../../common/access';
import { ConversationStore } from './conversation.store';

/** A conversation the caller is or was in; any other, another department's included, is 404. */
@Injectable()
export class CallersConversation implements PathResource {
  constructor(private readonly store: ConversationStore) {}

  async visibleTo(caller: Principal, id: number): Promise<boolean> {
    return (await this.store.access(this.store.pool, caller.departmentId, id, caller.userId))?.hasMembership === true;
  }

  notFound = (id: number) => `Conversation ${id} not found`;
}
