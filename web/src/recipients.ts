/**
 * Who a composed message reaches, worked out in the browser from the directory lists so the
 * sender sees the number before sending. The rules are the server's (CONTRACT.md, "Composing");
 * the server's own `recipientCount` after the send is the authority.
 */
export type SendMode = 'all' | 'match' | 'specific';

export interface Audience {
  sendMode: SendMode;
  userIds: number[];
  groupIds: number[];
  roleIds: number[];
  excludeShiftIds: number[];
}

export interface DirectoryLists {
  members: { id: number; active: boolean }[];
  groups: { id: number; memberIds: number[] }[];
  roles: { id: number; memberIds: number[] }[];
  shifts: { id: number; memberIds: number[] }[];
}

const membersOf = (sets: { id: number; memberIds: number[] }[], ids: number[]): Set<number> => {
  const wanted = new Set(ids);
  const out = new Set<number>();
  for (const s of sets) if (wanted.has(s.id)) for (const m of s.memberIds) out.add(m);
  return out;
};

/** A reason the server would refuse this audience before resolving it, or null. */
export function audienceProblem(a: Audience): string | null {
  if (a.sendMode === 'match' && (a.groupIds.length === 0 || a.roleIds.length === 0)) return 'Choose at least one group and one role.';
  if (a.sendMode === 'specific' && a.userIds.length + a.groupIds.length + a.roleIds.length === 0) return 'Choose people, groups or roles.';
  return null;
}

/** The ids of everyone the message would reach, never the sender, only active members. */
export function resolveAudience(a: Audience, dir: DirectoryLists, senderId: number): Set<number> {
  const active = new Set(dir.members.filter((m) => m.active).map((m) => m.id));
  const excluded = membersOf(dir.shifts, a.excludeShiftIds);
  const expanded = new Set<number>();
  if (a.sendMode === 'all') {
    for (const id of active) expanded.add(id);
  } else if (a.sendMode === 'match') {
    const inGroups = membersOf(dir.groups, a.groupIds);
    for (const id of membersOf(dir.roles, a.roleIds)) if (inGroups.has(id)) expanded.add(id);
  } else {
    for (const id of membersOf(dir.groups, a.groupIds)) expanded.add(id);
    for (const id of membersOf(dir.roles, a.roleIds)) expanded.add(id);
  }
  const out = new Set<number>();
  for (const id of expanded) if (!excluded.has(id)) out.add(id);
  // People named one by one still get it, whatever their shift.
  if (a.sendMode === 'specific') for (const id of a.userIds) out.add(id);
  for (const id of out) if (id === senderId || !active.has(id)) out.delete(id);
  return out;
}
