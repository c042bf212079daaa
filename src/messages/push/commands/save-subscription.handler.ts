import { createECDH, timingSafeEqual } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import type { PushSubscriptionView } from '../dto/push-subscription.dto';
import { PushEndpointPolicy } from '../push-endpoint-policy';
import { PushRepository } from '../push.repository';
import { SaveSubscription, MAX_DEVICES_PER_MEMBER } from './save-subscription.command';

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
