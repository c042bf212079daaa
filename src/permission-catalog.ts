/**
 * The permissions of the mounted modules, in the order admins see them, with what each lets a
 * member do. Plain values: the server validates grants against this list and the web app's
 * admin screens draw their checkboxes from it, so the two cannot drift apart.
 */
import { DispatchPermission } from './dispatch/dispatch.permissions';
// The constants file itself, which the module's index also exports: the web app compiles this list,
// and the index would bring the whole server with it.
import { MESSAGES_MEMBER_DEFAULTS, MessagesPermission } from './messages/messages.permissions';

export type Permission = MessagesPermission | DispatchPermission;

export const PERMISSION_CATALOG: readonly { name: Permission; hint: string }[] = [
  { name: MessagesPermission.View, hint: 'Read mail and conversations, answer, and be connected live' },
  { name: MessagesPermission.Create, hint: 'Send mail, write in conversations, start chats and invite' },
  { name: MessagesPermission.Delete, hint: 'Remove mail from their own inbox and outbox' },
  { name: MessagesPermission.MassText, hint: 'Send a mass text into each person’s direct conversation' },
  { name: DispatchPermission.Manage, hint: 'Create dispatches, assign officers, clear tasks, close dispatches' },
];

/** What a new member holds unless the admin chooses otherwise. */
export const MEMBER_DEFAULT_PERMISSIONS: readonly Permission[] = MESSAGES_MEMBER_DEFAULTS;
