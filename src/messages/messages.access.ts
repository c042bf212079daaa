import { needs, PUBLIC, type AccessRule, type AccessTable } from '../common/access';
import { MESSAGES_MODULE, MessagesPermission } from './messages.permissions';
import type { ClientToServerEvents } from './realtime/socket-events';

const { View, Create, Delete, MassText } = MessagesPermission;
const inModule = (rule: AccessRule): AccessRule => ({ ...rule, module: MESSAGES_MODULE });
const read = inModule(needs(View));
const write = inModule(needs(View, Create));
const remove = inModule(needs(Delete));

/** Every HTTP route and socket event of the messages module, with what it needs (the contract's "Access" table). */
export const MESSAGES_ACCESS = {
  // Department mail
  'POST /messages': write,
  'GET /messages/inbox': read,
  'GET /messages/outbox': read,
  'GET /messages/unread/top': read,
  'GET /messages/:id': read,
  'POST /messages/:id/response': read,
  'PUT /messages/read': read,
  'DELETE /messages/inbox': remove,
  'DELETE /messages/outbox': remove,
  'DELETE /messages/inbox/:id': remove,
  'DELETE /messages/outbox/:id': remove,
  'GET /messages/:id/audit': inModule({ admin: true }),
  'POST /messages/:id/ack': read,
  'GET /messages/:id/recipients': read,
  // The emailed link (a page with a button) and its button: the signed, expiring token is the whole authorisation.
  'GET /messages/:id/ack': PUBLIC,
  'POST /messages/:id/ack/link': PUBLIC,
  // Conversations
  'GET /conversations': read,
  'POST /conversations': write,
  'POST /conversations/direct': write,
  'POST /conversations/mass-text': inModule(needs(MassText)),
  // A mass text's overview is its sender's: sending one needed Messages_MassText, reading it back is reading.
  'GET /conversations/mass-texts': read,
  'GET /conversations/mass-texts/:id': read,
  'GET /conversations/:id': read,
  'GET /conversations/:id/messages': read,
  'POST /conversations/:id/messages': write,
  'POST /conversations/:id/invite': write,
  'POST /conversations/:id/leave': read,
  'POST /conversations/:id/read': read,
  'POST /conversations/:id/messages/:seq/ack': read,
  'GET /conversations/:id/messages/:seq/delivery': read,
  'PATCH /conversations/:id/messages/:seq': write,
  'DELETE /conversations/:id/messages/:seq': write,
  'GET /conversations/:id/messages/:seq/edits': read,
  'PUT /conversations/:id/notifications': read,
  'GET /conversations/:id/receipts': read,
  // Attachments: uploading is part of writing; a download also needs a message the caller may read that carries it.
  'POST /attachments': write,
  'GET /attachments/:id': read,
  'GET /attachments/:id/thumbnail': read,
  // Search returns only what the caller may read.
  'GET /search': read,
  // A dispatch's conversation
  'POST /dispatches/:id/comment': write,
  'GET /dispatches/:id/conversation': read,
  // Web Push
  'GET /push/public-key': read,
  'POST /push/subscriptions': read,
  'DELETE /push/subscriptions': read,
  // The socket: connecting (and staying connected) is reading.
  'socket connect': read,
  'socket conversation:send': write,
  'socket conversation:read': read,
  // Urgent messages: acknowledging and confirming an arrival are part of reading.
  'socket message:ack': read,
  'socket message:received': read,
  'socket conversation:ack': read,
  'socket conversation:received': read,
  // Chat: typing is relayed, never stored; reading a conversation is all it needs.
  'socket conversation:typing': read,
} satisfies AccessTable & Record<`socket ${keyof ClientToServerEvents | 'connect'}`, AccessRule>;
