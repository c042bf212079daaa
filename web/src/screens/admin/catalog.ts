import { MEMBER_DEFAULT_PERMISSIONS, PERMISSION_CATALOG as SERVER_PERMISSION_CATALOG, type Permission } from '../../../../src/permission-catalog';

export type { Permission };

/** The server's own catalog: the permissions of the mounted modules, in its order, with what each lets a member do. */
export const PERMISSION_CATALOG: readonly { name: Permission; hint: string }[] = SERVER_PERMISSION_CATALOG;

/** What a new member holds unless the admin chooses otherwise. */
export const NEW_MEMBER_PERMISSIONS: Permission[] = [...MEMBER_DEFAULT_PERMISSIONS];
