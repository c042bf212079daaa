import { createECDH, timingSafeEqual } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import type { PushSubscriptionView } from '../dto/push-subscription.dto';
import { PushEndpointPolicy } from '../push-endpoint-policy';
import { PushRepository } from '../push.repository';

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

/** Whether the device key can be used to encrypt for it (the shape alone does not say). */
function onCurve(p256dh: string): boolean {
  try {
    const probe = createECDH('prime256v1');
    probe.setPrivateKey(Buffer.alloc(32, 1));
    probe.computeSecret(Buffer.from(p256dh, 'base64url'));
    return true;
  } catch {
    return false;
  }
}

/** The same key, however it is padded. */
const sameKey = (a: string, b: string) => {
  const [x, y] = [Buffer.from(a, 'base64url'), Buffer.from(b, 'base64url')];
  return x.length === y.length && timingSafeEqual(x, y);
};

@CommandHandler(SaveSubscription)
export class SaveSubscriptionHandler implements ICommandHandler<SaveSubscription, PushSubscriptionView> {
  constructor(
    private readonly sql: SqlPool,
    private readonly push: PushRepository,
    private readonly policy: PushEndpointPolicy,
  ) {}

  async execute(c: SaveSubscription): Promise<PushSubscriptionView> {
    const problem = this.policy.problemWith(c.endpoint);
    if (problem) throw DomainError.invalid(problem);
    if (!onCurve(c.p256dh)) throw DomainError.invalid('keys.p256dh is not a point on the P-256 curve');
    return this.sql.transaction(async (client) => {
      const owned = await this.push.lockEndpoint(client, c.endpoint);
      const held = owned.find((o) => o.user_id !== c.userId || o.department_id !== c.departmentId);
      if (held && !(sameKey(held.p256dh, c.p256dh) && sameKey(held.auth, c.auth))) {
        throw DomainError.conflict('endpoint is registered to another member; subscribe again with the keys of that subscription');
      }
      // A device now used by someone else starts afresh; a member's oldest devices make room for a new one beyond the limit.
      return this.push.saveSubscription(client, c, MAX_DEVICES_PER_MEMBER);
    });
  }
}
