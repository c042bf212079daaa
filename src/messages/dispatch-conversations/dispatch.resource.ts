import { Injectable } from '@nestjs/common';
import type { PathResource, Principal } from '../../common/access';
import { DispatchRecords } from './dispatch-records';

/** A dispatch of the caller's department, as the messages module recorded it; any other is 404. */
@Injectable()
export class DepartmentDispatchRecord implements PathResource {
  constructor(private readonly records: DispatchRecords) {}

  async visibleTo(caller: Principal, id: number): Promise<boolean> {
    return (await this.records.find(caller.departmentId, id)) !== null;
  }

  notFound = (id: number) => `Dispatch ${id} not found`;
}
