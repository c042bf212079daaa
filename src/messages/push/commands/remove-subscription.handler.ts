import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PushRepository } from '../push.repository';
import { RemoveSubscription } from './remove-subscription.command';

@CommandHandler(RemoveSubscription)
export class RemoveSubscriptionHandler implements ICommandHandler<RemoveSubscription, void> {
  constructor(private readonly push: PushRepository) {}

  execute(c: RemoveSubscription): Promise<void> {
    return this.push.removeSubscription(c.departmentId, c.userId, c.endpoint);
  }
}
