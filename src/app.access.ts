import { mergeAccessTables } from './common/access';
import { AUTH_ACCESS } from './auth/auth.access';
import { DEPARTMENT_ACCESS } from './department/department.access';
import type { AccessCatalog } from './department/access-catalog';
import { DISPATCH_ACCESS } from './dispatch/dispatch.access';
import { HEALTH_ACCESS } from './health/health.access';
import { MEMBER_SETS_ACCESS } from './member-sets/member-sets.access';
import { MESSAGES_ACCESS, MESSAGES_MODULE } from './messages';
import { MEMBER_DEFAULT_PERMISSIONS, PERMISSION_CATALOG } from './permission-catalog';

/** Every action of the server, each module's table in one: the global guard and the route list read it. */
export const SERVER_ACCESS = mergeAccessTables(AUTH_ACCESS, HEALTH_ACCESS, DEPARTMENT_ACCESS, MEMBER_SETS_ACCESS, DISPATCH_ACCESS, MESSAGES_ACCESS);

/** The permissions and module switches of the mounted modules, as department admins see them. */
export const SERVER_CATALOG: AccessCatalog = {
  permissions: PERMISSION_CATALOG.map((p) => p.name),
  memberDefaults: MEMBER_DEFAULT_PERMISSIONS,
  modules: [MESSAGES_MODULE],
};
