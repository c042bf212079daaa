import { useCallback, useEffect, useState } from 'react';
import { api, type InboxItem, type Page } from '../api';
import { playUrgentSound } from '../notifications';
import { Link } from '../router';
import { useSession } from '../session';

type Pending =
  | { kind: 'mail'; key: string; messageId: number; subject: string; from: string }
  | { kind: 'chat'; key: string; conversationId: number; seq: number; subject: string; from: string };

const mailKey = (id: number) => `mail-${id}`;

/**
 * Every urgent message the user has not acknowledged, on every screen, until they do. Each
 * arrival is confirmed to the server (`message:received`), so the sender sees it reached this
 * socket; a new one or a reminder sounds where the browser allows.
 */
export function UrgentBanner() {
  const session = useSession();
  const { realtime, me, messagesEnabled } = session;
  const [pending, setPending] = useState<Pending[]>([]);
  const [error, setError] = useState<string | null>(null);

  const add = useCallback((item: Pending) => setPending((list) => (list.some((p) => p.key === item.key) ? list : [item, ...list])), []);

  const load = useCallback(async () => {
    const page = await api.get<Page<InboxItem>>('/messages/inbox?limit=100');
    const urgent = page.items.filter((i) => i.priority === 'urgent' && !i.acknowledgedAt);
    setPending((list) => [
      ...urgent.map((i): Pending => ({ kind: 'mail', key: mailKey(i.id), messageId: i.id, subject: i.subject, from: i.senderName })),
      ...list.filter((p) => p.kind === 'chat'),
    ]);
  }, []);

  useEffect(() => {
    if (!messagesEnabled) return;
    void load().catch(() => undefined);
    const offs = [
      realtime.on('message:new', (item) => {
        realtime.socket.emit('message:received', { messageId: item.id }, () => undefined);
        if (item.priority !== 'urgent') return;
        add({ kind: 'mail', key: mailKey(item.id), messageId: item.id, subject: item.subject, from: item.senderName });
        playUrgentSound();
      }),
      realtime.on('message:reminder', (r) => {
        add({ kind: 'mail', key: mailKey(r.messageId), messageId: r.messageId, subject: r.subject, from: r.senderName });
        playUrgentSound();
      }),
      realtime.on('conversation:message', (m) => {
        if (m.priority !== 'urgent' || m.senderId === me.id) return;
        realtime.socket.emit('conversation:received', { conversationId: m.conversationId, seq: m.seq }, () => undefined);
        add({ kind: 'chat', key: `chat-${m.conversationId}-${m.seq}`, conversationId: m.conversationId, seq: m.seq, subject: m.body.slice(0, 120), from: m.senderName });
        playUrgentSound();
      }),
      realtime.onReconnect(() => void load().catch(() => undefined)),
    ];
    return () => offs.forEach((off) => off());
  }, [realtime, me.id, messagesEnabled, add, load]);

  const acknowledge = async (item: Pending) => {
    setError(null);
    try {
      if (item.kind === 'mail') await api.post(`/messages/${item.messageId}/ack`);
      else await api.post(`/conversations/${item.conversationId}/messages/${item.seq}/ack`);
      setPending((list) => list.filter((p) => p.key !== item.key));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!pending.length) return null;
  return (
    <div className="urgent-banner" role="alert" aria-label="Urgent messages">
      {pending.map((item) => (
        <div key={item.key} className="urgent-item">
          <strong>Urgent</strong>
          <span>
            {item.from}: <Link to={item.kind === 'mail' ? `/messages/${item.messageId}` : `/chat/${item.conversationId}`}>{item.subject}</Link>
          </span>
          <button className="primary" onClick={() => void acknowledge(item)}>
            Acknowledge
          </button>
        </div>
      ))}
      {error && <span className="urgent-error">{error}</span>}
    </div>
  );
}
