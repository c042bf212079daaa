import { MEMBER, PUBLIC, type AccessTable } from '../common/access';

export const AUTH_ACCESS = {
  'POST /auth/login': PUBLIC,
  // The refresh cookie is the credential: the access token it renews may have expired.
  'POST /auth/refresh': PUBLIC,
  'POST /auth/logout': MEMBER,
  'POST /auth/password': MEMBER,
} satisfies AccessTable;
