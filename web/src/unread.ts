import { useEffect, useRef, useState } from 'react';
import { getIfChanged, type InboxItem, type UnreadTop } from './api';
import type { Realtime } from './realtime';

const POLL_MS = 20_000;
const refreshers = new Set<() => void>();

/** Asks the badge to look again now (after the user read or deleted something). */
export function refreshUnread() {
  refreshers.forEach((r) => r());
}

/**
 * The unread count and the newest unread, from `GET /api/messages/unread/top`: polled with
 * `If-None-Match` (a 304 costs the server almost nothing), and moved at once by `unread:count`
 * and `message:new`.
 */
export function useUnreadTop(realtime: Realtime, enabled: boolean, limit = 5) {
  const [count, setCount] = useState<number | null>(null);
  const [items, setItems] = useState<InboxItem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const etag = useRef<string | null>(null);

  useEffect(() => {
    if (!enabled) {
      setCount(null);
      setItems([]);
      etag.current = null;
      return;
    }
    let live = true;
    let inFlight = false;
    let again = false;
    const load = async () => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      try {
        const res = await getIfChanged<UnreadTop>(`/messages/unread/top?limit=${limit}`, etag.current);
        if (live && res) {
          etag.current = res.etag;
          setCount(res.body.count);
          setItems(res.body.items);
        }
        if (live) setError(null);
      } catch (e) {
        if (live) setError(e instanceof Error ? e.message : String(e));
      } finally {
        inFlight = false;
        if (again && live) {
          again = false;
          void load();
        }
      }
    };
    void load();
    const timer = setInterval(load, POLL_MS);
    const onVisible = () => document.visibilityState === 'visible' && load();
    document.addEventListener('visibilitychange', onVisible);
    refreshers.add(load);
    // The pushed count shows at once; the top route then decides, fetched whole (no ETag), so a
    // count pushed before the list changed can never leave the badge and the list disagreeing.
    const offCount = realtime.on('unread:count', ({ count: c }) => {
      setCount(c);
      etag.current = null;
      void load();
    });
    const offNew = realtime.on('message:new', (item) => {
      setItems((prev) => [item, ...prev.filter((p) => p.id !== item.id)].slice(0, limit));
      void load();
    });
    const offReconnect = realtime.onReconnect(load);
    return () => {
      live = false;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
      refreshers.delete(load);
      offCount();
      offNew();
      offReconnect();
    };
  }, [realtime, enabled, limit]);

  return { count, items, error };
}
