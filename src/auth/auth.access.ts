import { MEMBER, PUBLIC, type AccessTable } from '../common/access';

export const AUTH_ACCESS = {
  'POST /auth/login': PUBLIC,
  'POST /auth/logout': MEMBER,
  'POST /auth/password': MEMBER,
} satisfies AccessTable;
