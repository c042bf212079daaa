import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Principal } from '../../../common/access';
import { DomainError } from '../../../common/errors/domain-error';
import { DepartmentDirectory } from '../../directory/department-directory';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../../messages.options';
import { PushQueue } from '../../push/push-queue';
import type { Priority } from '../../realtime/socket-events';
import type { EscalationDto, EscalationPlan } from '../dto/urgent.dto';
import { URGENT_REMINDER_QUEUE, type EscalationRef, type ReminderJob } from './escalation-queues';

/**
 * Checks an urgent send's escalation settings and queues its first step with it: a department
 * message's or a conversation line's, the same rules for both.
 */
@Injectable()
export class EscalationPlanner {
  private readonly minIntervalSeconds: number;

  constructor(
    private readonly directory: DepartmentDirectory,
    private readonly queue: PushQueue,
    @Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions,
  ) {
    this.minIntervalSeconds = options.urgent?.minIntervalSeconds ?? 60;
  }

  /** The plan the message keeps, or null without escalation; 400 naming the field when a setting is wrong. */
  async plan(caller: Pick<Principal, 'departmentId'>, input: { priority?: Priority; escalation?: EscalationDto }): Promise<EscalationPlan | null> {
    const e = input.escalation;
    if (!e) return null;
    if (input.priority !== 'urgent') throw DomainError.invalid('escalation is only for urgent messages: set priority to "urgent"');
    if (e.repeatEverySeconds < this.minIntervalSeconds) {
      throw DomainError.invalid(`escalation.repeatEverySeconds must be at least ${this.minIntervalSeconds} seconds on this server`);
    }
    const userIds = [...new Set(e.thenNotifyUserIds ?? [])];
    const roleIds = [...new Set(e.thenNotifyRoleIds ?? [])];
    const [unknownUsers, unknownRoles] = await Promise.all([
      userIds.length ? this.directory.unknownIds(caller.departmentId, 'user', userIds) : [],
      roleIds.length ? this.directory.unknownIds(caller.departmentId, 'role', roleIds) : [],
    ]);
    const problems = [
      ...(unknownUsers.length ? [`escalation.thenNotifyUserIds ${unknownUsers.join(', ')}`] : []),
      ...(unknownRoles.length ? [`escalation.thenNotifyRoleIds ${unknownRoles.join(', ')}`] : []),
    ];
    if (problems.length) throw DomainError.invalid(`Unknown ids in this department: ${problems.join('; ')}`);
    return { repeatEverySeconds: e.repeatEverySeconds, repeats: e.repeats, notifyUserIds: userIds, notifyRoleIds: roleIds };
  }

  /** Queues the first step inside the send's transaction: a committed urgent message always has it. */
  async schedule(client: PoolClient, subject: EscalationRef, plan: EscalationPlan): Promise<void> {
    const job: ReminderJob = { ...subject, step: 1 };
    await this.queue.send(client, URGENT_REMINDER_QUEUE, job, { startAfterSeconds: plan.repeatEverySeconds });
  }
}
