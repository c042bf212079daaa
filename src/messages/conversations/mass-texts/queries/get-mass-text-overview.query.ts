import { Query } from '@nestjs/cqrs';
import type { MassTextOverview } from '../mass-text.queries';

/** One of the caller's mass texts: who it went to, who read it, who replied. */
export class GetMassTextOverview extends Query<MassTextOverview> {
  constructor(
    readonly departmentId: number,
    readonly senderId: number,
    readonly massTextId: number,
  ) {
    super();
  }
}
