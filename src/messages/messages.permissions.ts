/**
 * The messages module's names: its permissions and its module switch. Plain values with no
 * imports, so the web app shares them too.
 */

/** The permissions the messages module defines; a department admin hands them out. */
export const MessagesPermission = {
  View: 'Messages_View',
  Create: 'Messages_Create',
  Delete: 'Messages_Delete',
  MassText: 'Messages_MassText',
} as const;
export type MessagesPermission = (typeof MessagesPermission)[keyof typeof MessagesPermission];

/** What a new member holds unless the admin says otherwise. */
export const MESSAGES_MEMBER_DEFAULTS: readonly MessagesPermission[] = [MessagesPermission.View, MessagesPermission.Create, MessagesPermission.Delete];

/** The module switch of a department (`departments.modules.messages`). */
export const MESSAGES_MODULE = 'messages';
