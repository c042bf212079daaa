import type { OfflineNotification } from './offline-notifier';

export const TITLE_MAX_CHARS = 80;
export const PREVIEW_MAX_CHARS = 140;
/** Push services accept 4 KB of encrypted payload; ours stays far below, whatever it is given. */
export const PAYLOAD_MAX_BYTES = 1024;

/** Plain text from what may be HTML: tags dropped, common entities decoded, whitespace collapsed. */
function plain(text: string): string {
  return text
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** At most `max` characters (code points, so no emoji is cut in half), with an ellipsis when cut. */
function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** What the device receives: the kind, the ids to open the thing, a title and a short preview. */
export function pushPayload(notification: OfflineNotification): OfflineNotification {
  const ids: Record<string, number> = {};
  for (const [key, value] of Object.entries(notification.ids).slice(0, 8)) {
    if (Number.isSafeInteger(value)) ids[key.slice(0, 32)] = value;
  }
  const payload: OfflineNotification = {
    kind: notification.kind,
    title: truncate(plain(notification.title), TITLE_MAX_CHARS),
    preview: truncate(plain(notification.preview), PREVIEW_MAX_CHARS),
    ids,
  };
  // Multi-byte text can still make it long: shorten the preview until it fits.
  while (Buffer.byteLength(JSON.stringify(payload)) > PAYLOAD_MAX_BYTES && payload.preview.length > 0) {
    const half = Math.floor([...payload.preview].length / 2);
    payload.preview = half < 2 ? '' : truncate(payload.preview, half);
  }
  return payload;
}
