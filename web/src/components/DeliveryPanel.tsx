import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api';
import { queryKeys } from '../queries';
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

const PAGE_SIZE = 100;

/** The sender's view of who got the message, filling in live from `message:delivery`. */
export function DeliveryPanel({ messageId }: { messageId: number }) {
  const { realtime } = useSession();
  const client = useQueryClient();
  const [filter, setFilter] = useState<Filter>('all');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const queryKey = queryKeys.messageDelivery(messageId, filter);

  // Pages by cursor, each filter its own: "Show more" goes on within the filter chosen.
  const pages = useInfiniteQuery({
    queryKey,
    staleTime: 0,
    initialPageParam: null as string | null,
    getNextPageParam: (last: RecipientDeliveryPage) => last.nextCursor,
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ state: filter, limit: String(PAGE_SIZE) });
      if (pageParam) params.set('cursor', pageParam);
      return api.get<RecipientDeliveryPage>(`/messages/${messageId}/recipients?${params}`);
    },
  });

  useEffect(() => {
    // Many recipients answer at once: one reread of the pages shown for a burst of events.
    const off = realtime.on('message:delivery', (d) => {
      if (d.messageId !== messageId) return;
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void client.invalidateQueries({ queryKey: queryKeys.messageDelivery(messageId, filter) }), 150);
    });
    return () => {
      off();
      clearTimeout(timer.current);
    };
  }, [realtime, messageId, filter, client]);

  const rows = useMemo(() => {
    if (!pages.data) return [];
    // A state can change between two pages' reads: show each person once.
    const seen = new Set<number>();
    return pages.data.pages.flatMap((p) => p.items).filter((r) => !seen.has(r.userId) && (seen.add(r.userId), true));
  }, [pages.data]);

  const first = pages.data?.pages[0];
  if (!first) return pages.error ? <p className="error">{pages.error.message}</p> : null;
  const s = first.summary;
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
            {rows.map((r) => (
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
      <p className="muted" aria-live="polite">
        Showing {rows.length}
        {pages.hasNextPage ? ' so far' : ''}.
      </p>
      {pages.error && <p className="error">{pages.error.message}</p>}
      {pages.hasNextPage && (
        <button type="button" onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
          {pages.isFetchingNextPage ? 'Loading…' : 'Show more recipients'}
        </button>
      )}
    </section>
  );
}
