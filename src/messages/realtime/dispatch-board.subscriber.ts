import { Injectable } from '@nestjs/common';
import { DispatchEventSubscriber, type DispatchEvent } from '../../common/events';
import { DepartmentDirectory } from '../directory/department-directory';
import { MessagesGateway } from './messages.gateway';
import { userRooms } from './rooms';
import type { DispatchChangedPayload } from './socket-events';

const CHANGES = {
  DispatchCreated: 'created',
  TaskAssigned: 'task-assigned',
  TaskCleared: 'task-cleared',
  DispatchClosed: 'closed',
} as const satisfies Record<DispatchEvent['type'], DispatchChangedPayload['change']>;

/**
 * Tells every connected member of the department that a dispatch changed, so dispatch boards
 * and officers' task lists follow without polling. Dispatches are readable by every member;
 * the event names what changed, and the client reads the dispatch itself. A repeat of an event
 * (delivery is at least once) makes a client read once more, nothing worse.
 */
@Injectable()
export class DispatchBoardSubscriber extends DispatchEventSubscriber {
  constructor(
    private readonly gateway: MessagesGateway,
    private readonly directory: DepartmentDirectory,
  ) {
    super();
  }

  override get subscriberName(): string {
    return 'messages.dispatch-board';
  }

  async handle(event: DispatchEvent): Promise<void> {
    const memberIds = await this.directory.selectMemberIds(event.departmentId, { everyone: true });
    if (!memberIds.length) return;
    const payload: DispatchChangedPayload = {
      dispatchId: event.dispatchId,
      change: CHANGES[event.type],
      at: event.occurredAt,
      ...('officerId' in event && { officerId: event.officerId }),
      ...('taskId' in event && { taskId: event.taskId }),
    };
    this.gateway.server.to(userRooms(memberIds)).emit('dispatch:changed', payload);
  }
}
