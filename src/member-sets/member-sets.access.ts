import { ADMIN, MEMBER, mergeAccessTables, type AccessTable } from '../common/access';

/** The routes of one kind of member set (`groups`, `roles`, ...): every member reads them, admins change them. */
export const memberSetAccess = (path: string): AccessTable => ({
  [`GET /${path}`]: MEMBER,
  [`POST /${path}`]: ADMIN,
  [`PUT /${path}/:id/members`]: ADMIN,
});

export const MEMBER_SETS_ACCESS: AccessTable = mergeAccessTables(...['groups', 'roles', 'shifts', 'zones'].map(memberSetAccess), {
  'PUT /shifts/:id/schedule': ADMIN,
});
