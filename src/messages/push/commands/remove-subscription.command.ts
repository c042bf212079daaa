import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PushRepository } from '../push.repository';

/** Forgets one of the caller's device subscriptions; an endpoint that is not theirs is left alone. */
export class RemoveSubscription extends Command<void> {
  constructor(
    readonly departmentId: number,
    readonly userId: number,
    readonly endpoint: string,
  ) {
    super();
  }
}

@CommandHandler(RemoveSubscription)
export class RemoveSubscriptionHandler implements ICommandHandler<RemoveSubscription, void> {
  constructor(private readonly push: PushRepository) {}

  execute(c: RemoveSubscription): Promise<void> {
    return this.push.removeSubscription(c.departmentId, c.userId, c.endpoint);
  }
}
