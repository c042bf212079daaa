import { ADMIN, MEMBER, PUBLIC, type AccessTable } from '../common/access';

export const DEPARTMENT_ACCESS = {
  // Open only while DEPARTMENT_SIGNUP=open; the route itself says so.
  'POST /departments': PUBLIC,
  'GET /department': MEMBER,
  'PUT /department/modules/:module': ADMIN,
  'GET /department/members': MEMBER,
  'POST /department/members': ADMIN,
  'PATCH /department/members/:id': ADMIN,
  'PUT /department/members/:id/password': ADMIN,
} satisfies AccessTable;
