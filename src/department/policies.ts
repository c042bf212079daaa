/** The permissions a new member is given unless the admin says otherwise. */
export const DEFAULT_MEMBER_PERMISSIONS = ['Messages_View', 'Messages_Create', 'Messages_Delete'];

/** Every permission the department admin can hand out. */
export const KNOWN_PERMISSIONS = [...DEFAULT_MEMBER_PERMISSIONS, 'Messages_MassText'] as const;
