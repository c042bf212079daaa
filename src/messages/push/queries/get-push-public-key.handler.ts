import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import type { PublicKeyView } from '../dto/push-subscription.dto';
import { PushQueue } from '../push-queue';
import { GetPushPublicKey } from './get-push-public-key.query';

@QueryHandler(GetPushPublicKey)
export class GetPushPublicKeyHandler implements IQueryHandler<GetPushPublicKey> {
  constructor(private readonly queue: PushQueue) {}

  async execute(): Promise<PublicKeyView> {
    if (!this.queue.enabled) throw new DomainError('unavailable', 'Web Push is not configured on this server');
    return { publicKey: this.queue.config.publicKey };
  }
}
