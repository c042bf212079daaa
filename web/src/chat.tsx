import { useCallback, useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api, itemsOf, newClientId, type ConversationMessage } from './api';
import { ErrorNote, formatDateTime, formatTime } from './components/common';
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
    const off = realtime.on('conversation:message', (m) => {
      if (m.conversationId === conversationId) setMessages((prev) => mergeMessages(prev, [m]));
    });
    const offReconnect = realtime.onReconnect(() => void fetchAfter(lastSeq.current));
    return () => {
      off();
      offReconnect();
    };
  }, [conversationId, realtime, fetchAfter]);

  const add = useCallback((m: ConversationMessage) => setMessages((prev) => mergeMessages(prev, [m])), []);
  const addAll = useCallback((list: ConversationMessage[]) => setMessages((prev) => mergeMessages(prev, list)), []);
  return { messages, error, add, addAll, refetch: () => fetchAfter(lastSeq.current) };
}

/** Sends over the socket with an acknowledgement; falls back to HTTP when the socket is down or slow. */
export function useSendToConversation(conversationId: number) {
  const { realtime } = useSession();
  return useCallback(
    async (body: string): Promise<ConversationMessage> => {
      const clientId = newClientId();
      if (realtime.socket.connected) {
        try {
          const ack = await realtime.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('conversation:send', { conversationId, body, clientId });
          if (ack.ok) return ack.data;
          throw new Error(ack.error.message);
        } catch (e) {
          // A refusal stands; only a timeout is worth retrying over HTTP (same clientId: no duplicate).
          if (!(e instanceof Error) || !/timed? ?out/i.test(e.message)) throw e;
        }
      }
      return api.post<ConversationMessage>(`/conversations/${conversationId}/messages`, { body, clientId });
    },
    [conversationId, realtime],
  );
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
    if (realtime.socket.connected) realtime.socket.emit('conversation:read', { conversationId, seq: last }, () => undefined);
    else void api.post(`/conversations/${conversationId}/read`, { seq: last }).catch(() => undefined);
  }, [conversationId, last, enabled, realtime]);
}

export function ChatLog({ messages, label }: { messages: ConversationMessage[]; label: string }) {
  const { me, nameOf } = useSession();
  const end = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);
  return (
    <div className="chat-log" role="log" aria-label={label} aria-live="polite">
      {messages.length === 0 && <p className="muted pad">No messages yet.</p>}
      {messages.map((m) =>
        m.kind === 'system' ? (
          <p key={m.seq} className="chat-system" data-seq={m.seq}>
            {m.body} <span className="muted small">{formatTime(m.createdAt)}</span>
          </p>
        ) : (
          <div key={m.seq} className={`bubble${m.senderId === me.id ? ' mine' : ''}`} data-seq={m.seq}>
            {m.senderId !== me.id && <span className="bubble-who">{m.senderName ?? nameOf(m.senderId)}</span>}
            <span className="bubble-body">{m.body}</span>
            <time className="bubble-time" dateTime={m.createdAt} title={formatDateTime(m.createdAt)}>
              {formatTime(m.createdAt)}
            </time>
          </div>
        ),
      )}
      <div ref={end} />
    </div>
  );
}

export function ChatInput({ onSend, disabled, placeholder = 'Write a message', label = 'Message' }: { onSend: (body: string) => Promise<unknown>; disabled?: boolean; placeholder?: string; label?: string }) {
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const send = async (e?: FormEvent) => {
    e?.preventDefault();
    const text = body.trim();
    if (!text || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSend(text);
      setBody('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const keys = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  };
  return (
    <form className="chat-input" onSubmit={send}>
      <ErrorNote error={error} />
      <div className="chat-input-row">
        <label className="sr-only" htmlFor="chat-body">
          {label}
        </label>
        <textarea id="chat-body" rows={1} placeholder={placeholder} value={body} disabled={disabled} onChange={(e) => setBody(e.target.value)} onKeyDown={keys} maxLength={4000} />
        <button type="submit" className="primary" disabled={disabled || busy || !body.trim()}>
          Send
        </button>
      </div>
    </form>
  );
}
