/**
 * The messages module's public face: what a host imports to mount it. Everything else under
 * this folder is the module's own and may change without notice, but for `messages.permissions.ts`,
 * its permission and module names: plain constants with no imports, re-exported here, which code
 * compiled for the browser (the host's permission catalog, the web app) may import directly.
 */
export { MessagesModule } from './messages.module';
export type { AttachmentOptions, MessagesModuleAsyncOptions, MessagesModuleOptions, PresenceOptions, PushOptions, UrgentOptions } from './messages.options';
export {
  DepartmentDirectory,
  type DirectoryKind,
  type DirectoryMember,
  type DirectoryTransaction,
  type MemberSelection,
} from './directory/department-directory';
export { MessagesDatabase, type ChannelSubscription, type ListenEvents, type SqlClient } from './database/messages-database';
export { Authenticator } from './auth/messages-auth';
export { MESSAGES_ACCESS } from './messages.access';
export { MessagesPermission, MESSAGES_MEMBER_DEFAULTS, MESSAGES_MODULE } from './messages.permissions';
