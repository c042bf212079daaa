import { htmlToText as plain } from '../html-to-text';
import type { OfflineNotification } from './offline-notifier';

export const TITLE_MAX_CHARS = 80;
export const PREVIEW_MAX_CHARS = 140;
/** Push services accept 4 KB of encrypted payload; ours stays far below, whatever it is given. */
export const PAYLOAD_MAX_BYTES = 1024;

/** At most `max` characters (code points, so no emoji is cut in half), with an ellipsis when cut. */
function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** The words a content-free push shows: what happened, never who or what about. */
const MINIMAL_TITLES: Record<OfflineNotification['kind'], string> = {
  message: 'New message',
  'conversation-message': 'New chat message',
  invitation: 'New conversation',
  clear: '',
};

/**
 * The push's `Topic` (RFC 8030): one per message or conversation, so a newer push replaces an
 * older one still waiting on the push service for an offline device.
 */
export function pushTopic(payload: Pick<OfflineNotification, 'ids'>): string | null {
  if (payload.ids.messageId) return `message-${payload.ids.messageId}`;
  if (payload.ids.conversationId) return `conversation-${payload.ids.conversationId}`;
  return null;
}

/**
 * What the device receives: the kind, the ids to open the thing, a title and a short preview.
 * `minimal` content leaves out the title and preview (the app fetches the message itself).
 */
export function pushPayload(notification: OfflineNotification, content: 'full' | 'minimal' = 'full'): OfflineNotification {
  const ids: Record<string, number> = {};
  for (const [key, value] of Object.entries(notification.ids).slice(0, 8)) {
    if (Number.isSafeInteger(value)) ids[key.slice(0, 32)] = value;
  }
  const minimal = content === 'minimal' || notification.kind === 'clear';
  const title = minimal ? (notification.urgent && notification.kind !== 'clear' ? `Urgent: ${MINIMAL_TITLES[notification.kind].toLowerCase()}` : MINIMAL_TITLES[notification.kind]) : notification.title;
  const payload: OfflineNotification = {
    kind: notification.kind,
    title: truncate(plain(title), TITLE_MAX_CHARS),
    preview: minimal ? '' : truncate(plain(notification.preview), PREVIEW_MAX_CHARS),
    ids,
    ...(notification.urgent && { urgent: true }),
    ...(notification.reminder && { reminder: notification.reminder }),
  };
  // Multi-byte text can still make it long: shorten the preview until it fits.
  while (Buffer.byteLength(JSON.stringify(payload)) > PAYLOAD_MAX_BYTES && payload.preview.length > 0) {
    const half = Math.floor([...payload.preview].length / 2);
    payload.preview = half < 2 ? '' : truncate(payload.preview, half);
  }
  return payload;
}
