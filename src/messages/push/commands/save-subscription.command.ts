import { Command } from '@nestjs/cqrs';
import type { PushSubscriptionView } from '../dto/push-subscription.dto';

/**
 * Stores a member's device subscription. An endpoint another member registered moves to this
 * one only with its keys (a shared station tablet, used by the next shift): the keys are the
 * device's secret, and without them the endpoint is refused, so nobody can take over another
 * member's device by naming its endpoint.
 */
export class SaveSubscription extends Command<PushSubscriptionView> {
  constructor(
    readonly departmentId: number,
    readonly userId: number,
    readonly endpoint: string,
    readonly p256dh: string,
    readonly auth: string,
  ) {
    super();
  }
}

export const MAX_DEVICES_PER_MEMBER = 10;
