import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, getIfChanged, type ConversationPage, type InboxItem, type UnreadTop } from './api';
import { queryClient, queryKeys } from './queries';
import type { Realtime } from './realtime';

const POLL_MS = 20_000;
/** The last ETag per limit: a 304 keeps what the cache holds. */
const etags = new Map<number, string | null>();

/** Asks the badges to look again now (after the user read or deleted something). */
export function refreshUnread() {
  void queryClient.invalidateQueries({ queryKey: queryKeys.mail });
}

/**
 * The unread count and the newest unread, from `GET /api/messages/unread/top`: polled with
 * `If-None-Match` (a 304 costs the server almost nothing), and read again at once when the
 * socket says mail came (`message:new`, `unread:count`: see queries.ts).
 */
export function useUnreadTop(realtime: Realtime, enabled: boolean, limit = 5) {
  const key = queryKeys.unreadTop(limit);
  const query = useQuery({
    queryKey: key,
    enabled,
    refetchInterval: POLL_MS,
    staleTime: 0,
    queryFn: async (): Promise<UnreadTop> => {
      const held = queryClient.getQueryData<UnreadTop>(key);
      const res = await getIfChanged<UnreadTop>(`/messages/unread/top?limit=${limit}`, held ? (etags.get(limit) ?? null) : null);
      if (!res) return held!;
      etags.set(limit, res.etag);
      return res.body;
    },
  });
  // The pushed count shows at once, before the read it causes comes back.
  useEffect(() => {
    if (!enabled) return;
    return realtime.on('unread:count', ({ count }) => {
      queryClient.setQueryData<UnreadTop>(key, (prev) => (prev ? { ...prev, count } : prev));
      etags.delete(limit);
    });
  }, [realtime, enabled, limit]);
  if (!enabled) return { count: null, items: [] as InboxItem[], error: null };
  return { count: query.data?.count ?? null, items: query.data?.items ?? [], error: query.error ? query.error.message : null };
}

export interface ChatUnread {
  /** Text messages not yet read, over every open conversation. */
  messages: number;
  /** Conversations others brought the member into that they have not opened yet. */
  invitations: number;
}

/** What the Chat tab's badge counts; read again whenever a conversation event arrives (queries.ts). */
export function useChatUnread(myId: number, enabled: boolean): ChatUnread | null {
  const query = useQuery({
    queryKey: queryKeys.chatUnread,
    enabled,
    staleTime: 0,
    refetchInterval: POLL_MS * 3,
    queryFn: async (): Promise<ChatUnread> => {
      const page = await api.get<ConversationPage>('/conversations?limit=100');
      const open = page.items.filter((c) => c.isMember && !c.archivedAt);
      return {
        messages: open.reduce((sum, c) => sum + c.unreadCount, 0),
        invitations: open.filter((c) => c.lastReadSeq === 0 && c.createdBy !== myId && c.kind !== 'direct').length,
      };
    },
  });
  return enabled ? (query.data ?? null) : null;
}
