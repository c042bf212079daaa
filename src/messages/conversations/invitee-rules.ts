import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { DepartmentDirectory, type DirectoryMember, type DirectoryTransaction } from '../directory/department-directory';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';

/** Members a conversation may have when the host sets no cap of its own. */
export const DEFAULT_CONVERSATION_MAX_MEMBERS = 500;

/** Who may be brought into a conversation: members of the department, active, and authorized in the zone. */
@Injectable()
export class InviteeRules {
  private readonly maxMembers: number;

  constructor(
    private readonly directory: DepartmentDirectory,
    @Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions,
  ) {
    this.maxMembers = options.conversationMaxMembers ?? DEFAULT_CONVERSATION_MAX_MEMBERS;
  }

  /** 422 when members bring a conversation past the cap; a dispatch's own assignments are not counted here. */
  requireRoomFor(memberCount: number): void {
    if (memberCount > this.maxMembers) {
      throw DomainError.unprocessable(`A conversation may have at most ${this.maxMembers} members; this one would have ${memberCount}`);
    }
  }

  /**
   * The named users, each an active member of the department; else 400 naming the first that is not.
   * Here and below, `tx`: the caller's transaction, passed when it holds a lock (the read joins it).
   */
  async resolve(departmentId: number, userIds: readonly number[], field = 'userIds', tx?: DirectoryTransaction): Promise<DirectoryMember[]> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return [];
    const members = await this.directory.members(departmentId, ids, tx);
    const byId = new Map(members.map((m) => [m.id, m]));
    const unknown = ids.find((id) => !byId.has(id));
    if (unknown !== undefined) throw DomainError.invalid(`${field}: user ${unknown} is not a member of this department`);
    const inactive = members.find((m) => !m.active);
    if (inactive) throw DomainError.invalid(`${field}: ${inactive.name} (user ${inactive.id}) is inactive`);
    return ids.map((id) => byId.get(id)!);
  }

  /** The zone an invitation by `inviterId` is checked against when the conversation has none of its own. */
  async currentZoneOf(departmentId: number, inviterId: number, tx?: DirectoryTransaction): Promise<number | null> {
    const [inviter] = await this.directory.members(departmentId, [inviterId], tx);
    return inviter?.currentZoneId ?? null;
  }

  /** 403 naming the first invitee not authorized in the zone. No zone, no restriction. */
  async requireAuthorized(
    departmentId: number,
    zoneId: number | null,
    invitees: readonly DirectoryMember[],
    zoneLabel: string,
    tx?: DirectoryTransaction,
  ): Promise<void> {
    if (zoneId === null || invitees.length === 0) return;
    const authorized = new Set(await this.directory.authorizedInZone(departmentId, zoneId, invitees.map((m) => m.id), tx));
    const outside = invitees.find((m) => !authorized.has(m.id));
    if (outside) throw DomainError.forbidden(`${outside.name} (user ${outside.id}) is not authorized in ${zoneLabel} (zone ${zoneId})`);
  }
}
