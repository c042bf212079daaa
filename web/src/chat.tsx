import { useCallback, useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { api, itemsOf, newClientId, type ConversationMessage } from './api';
import { MessageExtras, uploadAttachment, type AttachmentView } from './chat-extras';
import { ErrorNote, formatDateTime, formatTime } from './components/common';
import { useDraft } from './drafts';
import { enqueue, isUnreachable, onDelivered, useQueued } from './outbox';
import { queryClient, queryKeys } from './queries';
import { usePath } from './router';
import { useSession } from './session';

const HISTORY_LIMIT = 100;
const ACK_TIMEOUT_MS = 5000;

const bySeq = (a: ConversationMessage, b: ConversationMessage) => a.seq - b.seq;

/** Adds messages to a list kept in `seq` order, each `seq` once. */
export function mergeMessages(prev: ConversationMessage[], more: ConversationMessage[]): ConversationMessage[] {
  if (!more.length) return prev;
  const seen = new Map(prev.map((m) => [m.seq, m]));
  for (const m of more) seen.set(m.seq, { ...seen.get(m.seq), ...m });
  return [...seen.values()].sort(bySeq);
}

/**
 * The messages of one conversation: its history over HTTP, then live `conversation:message`
 * events; after a reconnect it asks for what came `after` the last `seq` it holds.
 */
export function useConversationMessages(conversationId: number | null, options: { initial?: ConversationMessage[]; skipHistory?: boolean } = {}) {
  const { realtime } = useSession();
  const [messages, setMessages] = useState<ConversationMessage[]>(() => mergeMessages([], options.initial ?? []));
  const [error, setError] = useState<string | null>(null);
  const lastSeq = useRef(0);
  lastSeq.current = messages.length ? messages[messages.length - 1].seq : 0;

  const fetchAfter = useCallback(
    async (after: number) => {
      if (conversationId === null) return;
      try {
        const q = new URLSearchParams({ limit: String(HISTORY_LIMIT) });
        if (after > 0) q.set('after', String(after));
        const res = await api.get<unknown>(`/conversations/${conversationId}/messages?${q}`);
        const page = itemsOf<ConversationMessage>(res);
        setMessages((prev) => mergeMessages(prev, page.length ? page : itemsOf<ConversationMessage>(res, 'messages')));
        setError(null);
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      }
    },
    [conversationId],
  );

  // Callers key the component by conversation, so this runs once per conversation.
  useEffect(() => {
    if (conversationId !== null && !options.skipHistory) void fetchAfter(0);
  }, [conversationId]);

  useEffect(() => {
    if (conversationId === null) return;
    const merge = (m: ConversationMessage) => {
      if (m.conversationId === conversationId) setMessages((prev) => mergeMessages(prev, [m]));
    };
    // Edits and retractions arrive as the message as it now reads, in its place.
    const offs = [realtime.on('conversation:message', merge), realtime.on('conversation:edited', merge), realtime.on('conversation:retracted', merge)];
    const offReconnect = realtime.onReconnect(() => void fetchAfter(lastSeq.current));
    // A message sent from the outbox shows in its place as soon as the server has it.
    const offDelivered = onDelivered(merge);
    return () => {
      offs.forEach((off) => off());
      offReconnect();
      offDelivered();
    };
  }, [conversationId, realtime, fetchAfter]);

  // A message still in the outbox (seq 0) is shown by the log from the outbox, not kept here.
  const add = useCallback((m: ConversationMessage) => m.seq > 0 && setMessages((prev) => mergeMessages(prev, [m])), []);
  const addAll = useCallback((list: ConversationMessage[]) => setMessages((prev) => mergeMessages(prev, list)), []);
  return { messages, error, add, addAll, refetch: () => fetchAfter(lastSeq.current) };
}

/** What a message may carry besides its text. */
export interface MessageExtrasInput {
  replyToSeq?: number;
  mentionUserIds?: number[];
  attachmentIds?: number[];
  location?: { lat: number; lng: number; accuracyM?: number };
  /** Urgent: each member must acknowledge it, and it reaches their devices even where muted. */
  priority?: 'normal' | 'urgent';
}

/**
 * Sends over the socket with an acknowledgement; falls back to HTTP when the socket is down or
 * slow; offline, the message waits in the outbox and the answer is its placeholder (`seq` 0).
 */
export function useSendToConversation(conversationId: number) {
  const { realtime, me } = useSession();
  return useCallback(
    async (text: string, extras: MessageExtrasInput = {}): Promise<ConversationMessage> => {
      const clientId = newClientId();
      // An empty text goes as no body at all: a location or a photo stands for itself.
      const message = { ...(text && { body: text }), clientId, ...extras };
      const queue = (): ConversationMessage => {
        enqueue({ clientId, conversationId, senderId: me.id, ...(text && { body: text }), extras: { ...extras }, queuedAt: new Date().toISOString() });
        return placeholder(conversationId, me.id, me.name, text, clientId);
      };
      if (navigator.onLine === false) return queue();
      if (realtime.socket.connected) {
        try {
          const ack = await realtime.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('conversation:send', { conversationId, ...message });
          if (ack.ok) return ack.data;
          throw new Error(ack.error.message);
        } catch (e) {
          // A refusal stands; only a timeout is worth retrying over HTTP (same clientId: no duplicate).
          if (!(e instanceof Error) || !/timed? ?out/i.test(e.message)) throw e;
        }
      }
      try {
        return await api.post<ConversationMessage>(`/conversations/${conversationId}/messages`, message);
      } catch (e) {
        // Not reached at all: the same clientId goes again from the outbox, so it is not doubled if it did arrive.
        if (isUnreachable(e)) return queue();
        throw e;
      }
    },
    [conversationId, realtime, me.id, me.name],
  );
}

function placeholder(conversationId: number, senderId: number, senderName: string, body: string, clientId: string): ConversationMessage {
  return {
    conversationId,
    seq: 0,
    senderId,
    senderName,
    body,
    kind: 'text',
    clientId,
    createdAt: new Date().toISOString(),
    priority: 'normal',
    replyTo: null,
    mentionUserIds: [],
    location: null,
    attachments: [],
    editedAt: null,
    retractedAt: null,
  };
}

/** Tells the server what this user has seen, once per new last `seq`. */
export function useMarkRead(conversationId: number | null, messages: ConversationMessage[], enabled = true) {
  const { realtime } = useSession();
  const told = useRef(0);
  const last = messages.length ? messages[messages.length - 1].seq : 0;
  useEffect(() => {
    told.current = 0;
  }, [conversationId]);
  useEffect(() => {
    if (!enabled || conversationId === null || last <= told.current || document.visibilityState !== 'visible') return;
    told.current = last;
    const counted = () => void queryClient.invalidateQueries({ queryKey: queryKeys.chatUnread });
    if (realtime.socket.connected) realtime.socket.emit('conversation:read', { conversationId, seq: last }, counted);
    else void api.post(`/conversations/${conversationId}/read`, { seq: last }).then(counted, () => undefined);
  }, [conversationId, last, enabled, realtime]);
}

/** What the reader may do with a message; left out where the log is read only. */
export interface MessageActions {
  onReply?: (m: ConversationMessage) => void;
  onEdit?: (m: ConversationMessage) => void;
  onRetract?: (m: ConversationMessage) => void;
}

export function ChatLog({
  messages,
  label,
  actions = {},
  footer,
  conversationId = messages[0]?.conversationId ?? null,
}: {
  messages: ConversationMessage[];
  label: string;
  actions?: MessageActions;
  footer?: ReactNode;
  /** Whose outbox to show at the end; read from the messages when left out. */
  conversationId?: number | null;
}) {
  const { me, nameOf } = useSession();
  const end = useRef<HTMLDivElement>(null);
  const sentIds = new Set(messages.map((m) => m.clientId));
  const queued = useQueued(me.id, conversationId).filter((q) => !sentIds.has(q.clientId));
  useLayoutEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length, queued.length]);
  return (
    <div className="chat-log" role="log" aria-label={label} aria-live="polite">
      {messages.length === 0 && <p className="muted pad">No messages yet.</p>}
      {messages.map((m) => {
        if (m.kind === 'system') {
          return (
            <p key={m.seq} className="chat-system" data-seq={m.seq}>
              {m.body} <span className="muted small">{formatTime(m.createdAt)}</span>
            </p>
          );
        }
        const mine = m.senderId === me.id;
        const mentioned = m.mentionUserIds?.includes(me.id);
        return (
          <div key={m.seq} className={`bubble${mine ? ' mine' : ''}${mentioned ? ' mentioned' : ''}`} data-seq={m.seq}>
            {!mine && <span className="bubble-who">{m.senderName ?? nameOf(m.senderId)}</span>}
            {m.priority === 'urgent' && <span className="tag tag-urgent">Urgent</span>}
            {m.retractedAt ? (
              <span className="bubble-body muted">
                <em>Message retracted</em>
              </span>
            ) : (
              <>
                <MessageExtras message={m} />
                {m.body && <span className="bubble-body">{m.body}</span>}
              </>
            )}
            <span className="bubble-meta">
              {m.editedAt && !m.retractedAt && <span className="muted small">edited</span>}
              <time className="bubble-time" dateTime={m.createdAt} title={formatDateTime(m.createdAt)}>
                {formatTime(m.createdAt)}
              </time>
              {!m.retractedAt && (
                <span className="bubble-actions">
                  {actions.onReply && (
                    <button type="button" className="link small" onClick={() => actions.onReply!(m)} aria-label={`Reply to message ${m.seq}`}>
                      Reply
                    </button>
                  )}
                  {mine && actions.onEdit && (
                    <button type="button" className="link small" onClick={() => actions.onEdit!(m)} aria-label={`Edit message ${m.seq}`}>
                      Edit
                    </button>
                  )}
                  {mine && actions.onRetract && (
                    <button type="button" className="link small" onClick={() => actions.onRetract!(m)} aria-label={`Retract message ${m.seq}`}>
                      Retract
                    </button>
                  )}
                </span>
              )}
            </span>
          </div>
        );
      })}
      {queued.map((q) => (
        <div key={q.clientId} className="bubble mine pending" data-client-id={q.clientId}>
          {q.body && <span className="bubble-body">{q.body}</span>}
          <span className="bubble-meta">
            <span className="pending-mark small">Not sent yet: goes when you are back online</span>
          </span>
        </div>
      ))}
      {footer}
      <div ref={end} />
    </div>
  );
}

/** The input's optional tools; the dispatch screen's plain comment box has none. */
export interface ChatTools {
  /** Who may be mentioned: the other current members. */
  members?: { id: number; name: string }[];
  /** The message being answered, shown above the box. */
  replyingTo?: ConversationMessage | null;
  onCancelReply?: () => void;
  /** The message being edited: the box holds its text and saves instead of sending. */
  editing?: ConversationMessage | null;
  onSaveEdit?: (m: ConversationMessage, body: string) => Promise<unknown>;
  onCancelEdit?: () => void;
  onKeyPressed?: () => void;
  attachments?: boolean;
  location?: boolean;
}

export function ChatInput({
  onSend,
  disabled,
  placeholder = 'Write a message',
  label = 'Message',
  tools = {},
}: {
  onSend: (body: string, extras?: MessageExtrasInput) => Promise<unknown>;
  disabled?: boolean;
  placeholder?: string;
  label?: string;
  tools?: ChatTools;
}) {
  // Keyed by the screen and the field, so each conversation keeps its own unsent text.
  const [body, setBody] = useDraft(`chat.${usePath()}.${label}`, '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [mentions, setMentions] = useState<number[]>([]);
  const [picking, setPicking] = useState(false);
  const [uploads, setUploads] = useState<AttachmentView[]>([]);
  const [urgent, setUrgent] = useState(false);
  const { editing } = tools;
  useEffect(() => {
    if (editing) setBody(editing.body);
  }, [editing]);

  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const send = async (e?: FormEvent) => {
    e?.preventDefault();
    const text = body.trim();
    if (busy || (!text && !uploads.length)) return;
    if (editing && tools.onSaveEdit) {
      if (await run(() => tools.onSaveEdit!(editing, text))) setBody('');
      return;
    }
    const stillMentioned = mentions.filter((id) => tools.members?.some((m) => m.id === id && text.includes(`@${m.name}`)));
    const extras: MessageExtrasInput = {
      ...(tools.replyingTo && { replyToSeq: tools.replyingTo.seq }),
      ...(stillMentioned.length && { mentionUserIds: stillMentioned }),
      ...(uploads.length && { attachmentIds: uploads.map((u) => u.id) }),
      ...(urgent && { priority: 'urgent' as const }),
    };
    if (
      await run(async () => {
        await onSend(text, extras);
        tools.onCancelReply?.();
      })
    ) {
      setBody('');
      setMentions([]);
      setUploads([]);
      setUrgent(false);
    }
  };
  const keys = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
    if (e.key === 'Escape') (editing ? tools.onCancelEdit : tools.onCancelReply)?.();
  };
  const mention = (person: { id: number; name: string }) => {
    setMentions((prev) => (prev.includes(person.id) ? prev : [...prev, person.id]));
    setBody((prev) => `${prev}${prev && !prev.endsWith(' ') ? ' ' : ''}@${person.name} `);
    setPicking(false);
  };
  const attach = async (files: FileList | null) => {
    if (!files?.length) return;
    const chosen = [...files];
    await run(async () => {
      for (const file of chosen) {
        const stored = await uploadAttachment(file);
        setUploads((prev) => [...prev, stored]);
      }
    });
  };
  const shareLocation = () => {
    if (!navigator.geolocation) return setError('This device cannot tell its location');
    setBusy(true);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setBusy(false);
        void run(() => onSend('', { location: { lat: p.coords.latitude, lng: p.coords.longitude, accuracyM: p.coords.accuracy } }));
      },
      (err) => {
        setBusy(false);
        setError(`Location unavailable: ${err.message}`);
      },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  };
  return (
    <form className="chat-input" onSubmit={send}>
      <ErrorNote error={error} />
      {tools.replyingTo && !editing && (
        <div className="chat-context" role="status">
          Replying to <strong>{tools.replyingTo.senderName}</strong>: <span className="ellipsis">{tools.replyingTo.body}</span>
          <button type="button" className="link small" onClick={tools.onCancelReply}>
            Cancel reply
          </button>
        </div>
      )}
      {editing && (
        <div className="chat-context" role="status">
          Editing your message
          <button type="button" className="link small" onClick={() => (setBody(''), tools.onCancelEdit?.())}>
            Cancel edit
          </button>
        </div>
      )}
      {uploads.length > 0 && (
        <ul className="chips" aria-label="Attached">
          {uploads.map((u) => (
            <li key={u.id} className="chip">
              📎 {u.name}
              <button type="button" className="link small" aria-label={`Remove ${u.name}`} onClick={() => setUploads((prev) => prev.filter((x) => x.id !== u.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {picking && tools.members && (
        <div className="mention-picker" role="group" aria-label="Mention someone">
          {tools.members.length === 0 && <span className="muted small">Nobody else is here.</span>}
          {tools.members.map((p) => (
            <button key={p.id} type="button" onClick={() => mention(p)}>
              @{p.name}
            </button>
          ))}
        </div>
      )}
      <div className="chat-input-row">
        <label className="sr-only" htmlFor="chat-body">
          {label}
        </label>
        <textarea
          id="chat-body"
          rows={1}
          placeholder={placeholder}
          value={body}
          disabled={disabled}
          onChange={(e) => {
            setBody(e.target.value);
            tools.onKeyPressed?.();
          }}
          onKeyDown={keys}
          maxLength={4000}
        />
        {!editing && tools.members && (
          <button type="button" disabled={disabled} onClick={() => setPicking(!picking)} aria-expanded={picking} aria-label="Mention" title="Mention someone">
            @
          </button>
        )}
        {!editing && tools.attachments && (
          <label className={`button${disabled ? ' disabled' : ''}`} title="Photo or file">
            📷<span className="sr-only">Photo</span>
            {/* On a phone this opens the camera; elsewhere it picks a file. */}
            <input type="file" className="sr-only" accept="image/*" capture="environment" disabled={disabled} aria-label="Photo" onChange={(e) => void attach(e.target.files).then(() => (e.target.value = ''))} />
          </label>
        )}
        {!editing && tools.location && (
          <button type="button" disabled={disabled || busy} onClick={shareLocation} aria-label="Share location" title="Share your location">
            📍
          </button>
        )}
        {!editing && (
          <button
            type="button"
            className={urgent ? 'urgent-toggle on' : 'urgent-toggle'}
            disabled={disabled}
            onClick={() => setUrgent(!urgent)}
            aria-pressed={urgent}
            title="Urgent: every member must acknowledge it"
          >
            Urgent
          </button>
        )}
        <button type="submit" className="primary" disabled={disabled || busy || (!body.trim() && !uploads.length)}>
          {editing ? 'Save' : urgent ? 'Send urgent' : 'Send'}
        </button>
      </div>
    </form>
  );
}
