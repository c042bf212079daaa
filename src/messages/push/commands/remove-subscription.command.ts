import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SqlPool } from '../../database/sql-pool';

/** Forgets one of the caller's device subscriptions; an endpoint that is not theirs is left alone. */
export class RemoveSubscription {
  constructor(
    readonly departmentId: number,
    readonly userId: number,
    readonly endpoint: string,
  ) {}
}

@CommandHandler(RemoveSubscription)
export class RemoveSubscriptionHandler implements ICommandHandler<RemoveSubscription, void> {
  constructor(private readonly sql: SqlPool) {}

  async execute(c: RemoveSubscription): Promise<void> {
    await this.sql.query('delete from push_subscriptions where endpoint = $1 and user_id = $2 and department_id = $3', [
      c.endpoint,
      c.userId,
      c.departmentId,
    ]);
  }
}
