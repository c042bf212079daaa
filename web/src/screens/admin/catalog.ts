import { DispatchPermission } from '../../../../src/dispatch/dispatch.permissions';
import { MESSAGES_MEMBER_DEFAULTS, MessagesPermission } from '../../../../src/messages/messages.permissions';

export type Permission = MessagesPermission | DispatchPermission;

/** The permissions of the mounted modules, in the server's order (its catalog), with what each lets a member do. */
export const PERMISSION_CATALOG: { name: Permission; hint: string }[] = [
  { name: MessagesPermission.View, hint: 'Read mail and conversations, answer, and be connected live' },
  { name: MessagesPermission.Create, hint: 'Send mail, write in conversations, start chats and invite' },
  { name: MessagesPermission.Delete, hint: 'Remove mail from their own inbox and outbox' },
  { name: MessagesPermission.MassText, hint: 'Send a mass text into each person’s direct conversation' },
  { name: DispatchPermission.Manage, hint: 'Create dispatches, assign officers, clear tasks, close dispatches' },
];

/** What a new member holds unless the admin chooses otherwise. */
export const NEW_MEMBER_PERMISSIONS: Permission[] = [...MESSAGES_MEMBER_DEFAULTS];
