import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { DepartmentDirectory, type DirectoryKind, type MemberSelection } from '../directory/department-directory';
import type { RecipientSelection } from './recipient-selection';

const LISTS: { field: keyof Omit<RecipientSelection, 'sendMode'>; kind: DirectoryKind }[] = [
  { field: 'userIds', kind: 'user' },
  { field: 'groupIds', kind: 'group' },
  { field: 'roleIds', kind: 'role' },
  { field: 'excludeShiftIds', kind: 'shift' },
];

/**
 * Turns a send mode and its lists into the ids of the members who receive the message. The
 * expansions (everyone, groups, roles, minus shifts) are one set-based query in the directory;
 * users named explicitly are kept even when their shift is excluded. The sender never receives
 * their own message and each recipient appears once.
 */
@Injectable()
export class RecipientResolver {
  constructor(private readonly directory: DepartmentDirectory) {}

  async resolve(departmentId: number, senderId: number, selection: RecipientSelection): Promise<number[]> {
    this.checkShape(selection);
    await this.checkIdsBelong(departmentId, selection);

    const { sendMode, userIds, groupIds, roleIds, excludeShiftIds } = selection;
    const expansion: MemberSelection | null =
      sendMode === 'all'
        ? { everyone: true, excludeShiftIds }
        : sendMode === 'match'
          ? { groupIds, roleIds, groupAndRole: true, excludeShiftIds }
          : groupIds.length || roleIds.length
            ? { groupIds, roleIds, groupAndRole: false, excludeShiftIds }
            : null;
    const [expanded, named] = await Promise.all([
      expansion ? this.directory.selectMemberIds(departmentId, expansion) : [],
      userIds.length ? this.directory.activeMemberIds(departmentId, userIds) : [],
    ]);

    const recipients = new Set([...expanded, ...named]);
    recipients.delete(senderId);
    if (recipients.size === 0) {
      throw DomainError.unprocessable(
        'No recipients: after resolving the send mode (inactive members, excluded shifts and the sender left out) nobody would receive this message',
      );
    }
    return [...recipients].sort((a, b) => a - b);
  }

  private checkShape({ sendMode, userIds, groupIds, roleIds }: RecipientSelection) {
    if (sendMode === 'all' && (userIds.length || groupIds.length || roleIds.length)) {
      throw DomainError.invalid('sendMode "all" sends to everyone: leave userIds, groupIds and roleIds empty (use "specific" to name recipients)');
    }
    if (sendMode === 'match') {
      if (!groupIds.length || !roleIds.length) {
        throw DomainError.invalid('sendMode "match" needs both groupIds and roleIds (members in one of the groups holding one of the roles)');
      }
      if (userIds.length) throw DomainError.invalid('sendMode "match" takes no userIds (use "specific" to name recipients)');
    }
    if (sendMode === 'specific' && !userIds.length && !groupIds.length && !roleIds.length) {
      throw DomainError.invalid('sendMode "specific" needs at least one of userIds, groupIds or roleIds');
    }
  }

  /** Every named id must be the sender's department's: never a silent cross-department send. */
  private async checkIdsBelong(departmentId: number, selection: RecipientSelection) {
    const unknown = await Promise.all(
      LISTS.map(async ({ field, kind }) => ({
        field,
        ids: selection[field].length ? await this.directory.unknownIds(departmentId, kind, [...new Set(selection[field])]) : [],
      })),
    );
    const problems = unknown.filter((u) => u.ids.length).map((u) => `${u.field} ${u.ids.join(', ')}`);
    if (problems.length) throw DomainError.invalid(`Unknown ids in this department: ${problems.join('; ')}`);
  }
}
