import { Command } from '@nestjs/cqrs';

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
