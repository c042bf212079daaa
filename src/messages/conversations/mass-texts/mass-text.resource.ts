import { Injectable } from '@nestjs/common';
import type { PathResource, Principal } from '../../../common/access';
import { MassTextRepository } from './mass-text.repository';

/** A mass text the caller sent; anyone else's (its recipients' included) is 404. */
@Injectable()
export class CallersMassText implements PathResource {
  constructor(private readonly massTexts: MassTextRepository) {}

  visibleTo(caller: Principal, id: number): Promise<boolean> {
    return this.massTexts.sentBy(caller.departmentId, caller.userId, id);
  }

  notFound = (id: number) => `Mass text ${id} not found`;
}
