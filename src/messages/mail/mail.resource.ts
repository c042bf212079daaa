import { Injectable } from '@nestjs/common';
import type { PathResource, Principal } from '../../common/access';
import { MailRepository } from './mail.repository';

/** A message the caller sent or received, in their department; any other is 404. */
@Injectable()
export class CallersMessage implements PathResource {
  constructor(private readonly mail: MailRepository) {}

  visibleTo(caller: Principal, id: number): Promise<boolean> {
    return this.mail.visibleTo(id, caller.departmentId, caller.userId);
  }

  notFound = (id: number) => `Message ${id} not found`;
}
