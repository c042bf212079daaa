import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DispatchEventSubscriber, type DispatchClosed, type DispatchCreated, type DispatchEvent, type TaskAssigned, type TaskCleared } from '../../common/events';
import { DomainError } from '../../common/errors/domain-error';
import { ArchiveConversation } from '../conversations/commands/archive-conversation.command';
import { InviteMembers } from '../conversations/commands/invite-members.command';
import { OpenConversation } from '../conversations/commands/open-conversation.command';
import { SetReadsAfterLeaving } from '../conversations/commands/set-reads-after-leaving.command';
import { DepartmentDirectory } from '../directory/department-directory';
import { DispatchRecords, type DispatchRecord } from './dispatch-records';
import { MESSAGES_MODULE } from '../messages.permissions';

type Recorded = (DispatchRecord & { applied: boolean }) | null;

/**
 * Turns the host's dispatch events into the dispatch's conversation: opened with the dispatcher
 * when the dispatch is created, each assigned officer brought in, the officer's reading right
 * ended when their last task on it is cleared, archived when the dispatch closes.
 *
 * Delivery is at least once. Each reaction is idempotent on its own (one conversation per
 * dispatch, an invitation of a member adds nothing, archiving twice is harmless), and the event
 * id is recorded after it: a repeat of an applied event is skipped, and a repeat of one whose
 * bookkeeping failed runs a reaction that changes nothing. A failure that is not a refusal is
 * thrown, so the host retries the event.
 */
@Injectable()
export class DispatchConversationsSubscriber extends DispatchEventSubscriber {
  private readonly logger = new Logger('DispatchConversations');

  constructor(
    private readonly records: DispatchRecords,
    private readonly directory: DepartmentDirectory,
    private readonly commands: CommandBus,
  ) {
    super();
  }

  override get subscriberName(): string {
    return 'messages.dispatch-conversations';
  }

  async handle(event: DispatchEvent): Promise<void> {
    const record = await this.records.find(event.departmentId, event.dispatchId, event.eventId);
    if (record?.applied) return;
    try {
      switch (event.type) {
        case 'DispatchCreated':
          return await this.created(event, record);
        case 'TaskAssigned':
          return await this.assigned(event, record);
        case 'TaskCleared':
          return await this.cleared(event, record);
        case 'DispatchClosed':
          return await this.closed(event, record);
      }
    } catch (error) {
      // A refusal (an officer deactivated since, say) would be refused again on every retry, and
      // would hold back the dispatch's later events: note it and move on.
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn(`${event.type} ${event.eventId} of dispatch ${event.dispatchId} left the conversation as it was: ${error.message}`);
      await this.records.applied(event.departmentId, event.dispatchId, event.eventId);
    }
  }

  private async created(event: DispatchCreated, found: Recorded) {
    const { departmentId, dispatchId } = event;
    // Whether the dispatch gets a conversation is decided once: a retry after the module was
    // switched keeps the first answer.
    const record =
      found ??
      (await this.records.create({
        departmentId,
        dispatchId,
        number: event.number,
        zoneId: event.zoneId,
        dispatcherId: event.dispatcherId,
        withConversation: await this.directory.isModuleEnabled(departmentId, MESSAGES_MODULE),
      }));
    let conversationId = record.conversationId;
    if (record.withConversation && conversationId === null) {
      const [dispatcher] = await this.directory.members(departmentId, [event.dispatcherId]);
      const { conversation } = await this.commands.execute(
        new OpenConversation({
          departmentId,
          kind: 'dispatch',
          title: event.number,
          openedBy: dispatcher ? { userId: dispatcher.id, departmentId, name: dispatcher.name } : null,
          memberIds: [],
          zoneId: event.zoneId,
          dispatchId,
        }),
      );
      conversationId = conversation.id;
    }
    await this.records.applied(departmentId, dispatchId, event.eventId, { conversationId });
  }

  private async assigned(event: TaskAssigned, record: Recorded) {
    if (!record) return this.unknown(event);
    if (record.conversationId !== null) {
      // The dispatcher's assignment brings the officer in wherever they are authorized: the
      // zone rule is for members inviting one another.
      await this.commands.execute(
        new InviteMembers({
          departmentId: event.departmentId,
          conversationId: record.conversationId,
          userIds: [event.officerId],
          invitedBy: null,
          readsAfterLeaving: true,
          enforceZone: false,
        }),
      );
    }
    await this.records.applied(event.departmentId, event.dispatchId, event.eventId);
  }

  private async cleared(event: TaskCleared, record: Recorded) {
    if (!record) return this.unknown(event);
    if (record.conversationId !== null && !event.officerHasOpenTasks) {
      await this.commands.execute(new SetReadsAfterLeaving(event.departmentId, record.conversationId, [event.officerId], false));
    }
    await this.records.applied(event.departmentId, event.dispatchId, event.eventId);
  }

  private async closed(event: DispatchClosed, record: Recorded) {
    if (!record) return this.unknown(event);
    if (record.conversationId !== null) {
      await this.commands.execute(new ArchiveConversation(event.departmentId, record.conversationId, `Dispatch ${event.number} closed`));
    }
    await this.records.applied(event.departmentId, event.dispatchId, event.eventId, { closedAt: event.occurredAt });
  }

  /** A dispatch created before this module listened has no conversation to change. */
  private unknown(event: DispatchEvent) {
    this.logger.debug?.(`${event.type} of dispatch ${event.dispatchId}, which has no conversation record; nothing to do`);
  }
}
