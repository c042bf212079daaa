import { Query } from '@nestjs/cqrs';
import type { MassTextSummary } from '../mass-text.queries';

/** The caller's recent mass texts, newest first, each with its tallies. */
export class ListMassTexts extends Query<{ items: MassTextSummary[]; nextCursor: null }> {
  constructor(
    readonly departmentId: number,
    readonly senderId: number,
    readonly limit: number,
  ) {
    super();
  }
}
