import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import type { RecipientDeliveryPage } from '../../../src/messages/urgent/dto/delivery-views';
import { formatTime } from './common';
import { useSession } from '../session';

type Filter = 'all' | 'unacknowledged' | 'unread' | 'unreachable';
const FILTERS: { value: Filter; label: string }[] = [
  { value: 'all', label: 'Everyone' },
  { value: 'unacknowledged', label: 'Not acknowledged' },
  { value: 'unread', label: 'Not read' },
  { value: 'unreachable', label: 'Unreachable' },
];
const STATE_LABELS: Record<string, string> = { acknowledged: 'Acknowledged', read: 'Read', reached: 'Reached', pending: 'Not yet reached', unreachable: 'Unreachable' };

/** The sender's view of who got the message, filling in live from `message:delivery`. */
export function DeliveryPanel({ messageId }: { messageId: number }) {
  const { realtime } = useSession();
  const [filter, setFilter] = useState<Filter>('all');
  const [page, setPage] = useState<RecipientDeliveryPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  const load = useCallback(async () => {
    try {
      setPage(await api.get<RecipientDeliveryPage>(`/messages/${messageId}/recipients?state=${filter}&limit=100`));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [messageId, filter]);

  useEffect(() => {
    void load();
    // Many recipients answer at once: one reload for a burst of events.
    const off = realtime.on('message:delivery', (d) => {
      if (d.messageId !== messageId) return;
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void load(), 150);
    });
    const offReconnect = realtime.onReconnect(() => void load());
    return () => {
      off();
      offReconnect();
      clearTimeout(timer.current);
    };
  }, [realtime, messageId, load]);

  if (!page) return error ? <p className="error">{error}</p> : null;
  const s = page.summary;
  return (
    <section className="card delivery" aria-labelledby="delivery-title">
      <h2 id="delivery-title">Delivery</h2>
      <p className="delivery-summary" role="status" aria-live="polite">
        {s.acknowledged} of {s.recipients} acknowledged, {s.unreachable} unreachable · reached {s.reached}, read {s.read}
      </p>
      <div className="delivery-filters" role="group" aria-label="Show">
        {FILTERS.map((f) => (
          <button key={f.value} className={filter === f.value ? 'on' : ''} aria-pressed={filter === f.value} onClick={() => setFilter(f.value)}>
            {f.label}
          </button>
        ))}
      </div>
      <div className="table-wrap">
        <table className="recipients">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Reached by</th>
              <th scope="col">Acknowledged</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((r) => (
              <tr key={r.userId} data-state={r.state}>
                <td>{r.name ?? `#${r.userId}`}</td>
                <td>{STATE_LABELS[r.state] ?? r.state}</td>
                <td>
                  {(['socket', 'push', 'email'] as const)
                    .filter((c) => r.channels[c])
                    .map((c) => `${c === 'socket' ? 'app' : c} ${formatTime(r.channels[c])}`)
                    .join(', ') || '—'}
                </td>
                <td>{r.acknowledgedAt ? formatTime(r.acknowledgedAt) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {page.nextCursor && <p className="muted">Showing the first {page.items.length}.</p>}
    </section>
  );
}
