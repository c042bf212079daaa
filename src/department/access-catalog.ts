/**
 * The permissions and module switches of the modules the host mounts. Each module exports its
 * own names; the host hands them to the department module, which validates what admins grant.
 */
export abstract class AccessCatalog {
  /** Every permission an admin can hand out. */
  abstract readonly permissions: readonly string[];
  /** What a new member holds unless the admin says otherwise. */
  abstract readonly memberDefaults: readonly string[];
  /** The modules a department can switch off and on. */
  abstract readonly modules: readonly string[];
}
