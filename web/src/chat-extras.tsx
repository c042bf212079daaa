import { useEffect, useRef, useState } from 'react';
import { ApiError, api, authorizedFetch, type ConversationMessage } from './api';
import type { AttachmentView, ConversationReceiptPayload, NotificationLevel } from '../../src/messages/realtime/socket-events';
import { useSession } from './session';

export type { AttachmentView, NotificationLevel };

/** Uploads one file as `multipart/form-data` (the browser streams it); the server answers with what it stored. */
export async function uploadAttachment(file: File): Promise<AttachmentView> {
  const form = new FormData();
  form.append('file', file, file.name);
  const res = await authorizedFetch('/attachments', { method: 'POST', body: form });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body?.message ?? `${res.status} ${res.statusText}`);
  return body as AttachmentView;
}

/**
 * A file the server serves only with the token, as an object URL for `<img>` and links (a plain
 * `src` cannot carry the token). Freed when the component goes.
 */
export function useAttachmentUrl(id: number, variant: 'file' | 'thumbnail'): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let made: string | null = null;
    let live = true;
    void authorizedFetch(`/attachments/${id}${variant === 'thumbnail' ? '/thumbnail' : ''}`)
      .then((res) => (res.ok ? res.blob() : null))
      .then((blob) => {
        if (!blob || !live) return;
        made = URL.createObjectURL(blob);
        setUrl(made);
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [id, variant]);
  return url;
}

async function fetchAttachment(id: number): Promise<string> {
  const res = await authorizedFetch(`/attachments/${id}`);
  if (!res.ok) throw new ApiError(res.status, `${res.status} ${res.statusText}`);
  return URL.createObjectURL(await res.blob());
}

/** Opens an image in a new tab, or saves a file under its name; fetched only when asked for. */
async function openAttachment(attachment: AttachmentView, save: boolean) {
  const url = await fetchAttachment(attachment.id);
  const a = document.createElement('a');
  a.href = url;
  if (save) a.download = attachment.name;
  else a.target = '_blank';
  a.rel = 'noopener';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function AttachmentItem({ attachment }: { attachment: AttachmentView }) {
  const image = attachment.contentType.startsWith('image/');
  if (image) return <AttachmentImage attachment={attachment} />;
  return (
    <button type="button" className="attachment-file link" onClick={() => void openAttachment(attachment, true)}>
      📎 {attachment.name} <span className="muted small">({Math.max(1, Math.round(attachment.size / 1024))} KB)</span>
    </button>
  );
}

function AttachmentImage({ attachment }: { attachment: AttachmentView }) {
  const thumbnail = useAttachmentUrl(attachment.id, 'thumbnail');
  return (
    <button type="button" className="attachment-image" onClick={() => void openAttachment(attachment, false)} aria-label={`Open ${attachment.name}`}>
      {thumbnail ? <img src={thumbnail} alt={attachment.name} /> : <span>{attachment.name}</span>}
    </button>
  );
}

/** The files a message carries: images as thumbnails, others as downloads. */
export function AttachmentList({ attachments }: { attachments: AttachmentView[] }) {
  if (!attachments?.length) return null;
  return (
    <div className="bubble-attachments" aria-label="Attachments">
      {attachments.map((a) => (
        <AttachmentItem key={a.id} attachment={a} />
      ))}
    </div>
  );
}

export const mapLink = (lat: number, lng: number) => `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=17/${lat}/${lng}`;

/** What a message carries besides its text: the quoted line it replies to, a place, files. */
export function MessageExtras({ message }: { message: ConversationMessage }) {
  const { location, replyTo, attachments } = message;
  return (
    <>
      {replyTo && (
        <blockquote className="bubble-quote" aria-label={`Reply to ${replyTo.senderName}`}>
          <strong>{replyTo.senderName}</strong> {replyTo.retracted ? <em>Message retracted</em> : replyTo.body}
        </blockquote>
      )}
      {location && (
        <a className="bubble-location" href={mapLink(location.lat, location.lng)} target="_blank" rel="noopener noreferrer">
          📍 Location on the map{location.accuracyM != null ? ` (±${Math.round(location.accuracyM)} m)` : ''}
        </a>
      )}
      <AttachmentList attachments={attachments} />
    </>
  );
}

/** Each member's last read `seq`: loaded once, then moved by `conversation:receipt`. */
export function useReceipts(conversationId: number): Map<number, number> {
  const { realtime } = useSession();
  const [receipts, setReceipts] = useState<Map<number, number>>(new Map());
  useEffect(() => {
    let live = true;
    void api
      .get<{ items: { userId: number; seq: number }[] }>(`/conversations/${conversationId}/receipts`)
      .then((res) => live && setReceipts((prev) => new Map([...res.items.map((r) => [r.userId, r.seq] as const), ...prev])))
      .catch(() => undefined);
    const off = realtime.on('conversation:receipt', (r: ConversationReceiptPayload) => {
      if (r.conversationId === conversationId) setReceipts((prev) => new Map(prev).set(r.userId, Math.max(r.seq, prev.get(r.userId) ?? 0)));
    });
    return () => {
      live = false;
      off();
    };
  }, [conversationId, realtime]);
  return receipts;
}

const TYPING_SHOWN_MS = 4_000;
const TYPING_SENT_EVERY_MS = 2_000;

/** Who else is typing here now, and a function to call on each key press (sent at most every 2 s). */
export function useTyping(conversationId: number): { typing: number[]; keyPressed: () => void } {
  const { realtime, me } = useSession();
  const [typing, setTyping] = useState<Map<number, number>>(new Map());
  const lastSent = useRef(0);
  useEffect(() => {
    const off = realtime.on('conversation:typing', (t) => {
      if (t.conversationId !== conversationId || t.userId === me.id) return;
      setTyping((prev) => new Map(prev).set(t.userId, Date.now()));
    });
    // A message from someone ends their typing; the rest fades by itself.
    const offMessage = realtime.on('conversation:message', (m) => {
      if (m.conversationId === conversationId && m.senderId !== null) setTyping((prev) => (prev.has(m.senderId!) ? new Map([...prev].filter(([id]) => id !== m.senderId)) : prev));
    });
    const timer = setInterval(() => setTyping((prev) => (prev.size ? new Map([...prev].filter(([, at]) => Date.now() - at < TYPING_SHOWN_MS)) : prev)), 1_000);
    return () => {
      off();
      offMessage();
      clearInterval(timer);
    };
  }, [conversationId, realtime, me.id]);
  const keyPressed = () => {
    if (!realtime.socket.connected || Date.now() - lastSent.current < TYPING_SENT_EVERY_MS) return;
    lastSent.current = Date.now();
    realtime.socket.emit('conversation:typing', { conversationId }, () => undefined);
  };
  return { typing: [...typing.keys()], keyPressed };
}

export const NOTIFICATION_LABELS: Record<NotificationLevel, string> = { all: 'All messages', mentions: 'Mentions only', none: 'Muted' };

/** The caller's notification level for one conversation. */
export function NotificationLevelPicker({ conversationId, level }: { conversationId: number; level: NotificationLevel }) {
  const [value, setValue] = useState(level);
  const [error, setError] = useState<string | null>(null);
  return (
    <label className="inline-label">
      <span className="sr-only">Notification level</span>
      <select
        aria-label="Notification level"
        value={value}
        onChange={async (e) => {
          const next = e.target.value as NotificationLevel;
          setValue(next);
          try {
            await api.put(`/conversations/${conversationId}/notifications`, { level: next });
            setError(null);
          } catch (err) {
            setValue(value);
            setError(err instanceof Error ? err.message : String(err));
          }
        }}
        title={error ?? 'Which messages notify your devices; urgent ones always do'}
      >
        {(Object.keys(NOTIFICATION_LABELS) as NotificationLevel[]).map((l) => (
          <option key={l} value={l}>
            🔔 {NOTIFICATION_LABELS[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A search snippet: escaped text with the matches in `<mark>`, rendered without handing any HTML to the page. */
export function Snippet({ html }: { html: string }) {
  const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#0?39;/g, "'").replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&');
  const parts = html.split(/(<mark>.*?<\/mark>)/g);
  return (
    <span className="snippet">
      {parts.map((p, i) => (p.startsWith('<mark>') ? <mark key={i}>{decode(p.slice(6, -7))}</mark> : <span key={i}>{decode(p.replace(/<[^>]*>/g, ''))}</span>))}
    </span>
  );
}
