import { QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiError } from './api';
import type { Realtime } from './realtime';

/**
 * Server state lives in one query cache. The socket says when something changed; the cache is
 * told which reads are stale, and whatever screen shows them reads them again.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Live events keep the cache current; reads are not repeated just because a screen mounts.
      staleTime: 30_000,
      // A refusal (403, 404, 401) will not change by asking again at once.
      retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
      refetchOnWindowFocus: true,
    },
  },
});

/** The cache's keys: screens read and invalidate through these, never with literal arrays. */
export const queryKeys = {
  mail: ['mail'] as const,
  mailbox: (box: 'inbox' | 'outbox', unreadOnly: boolean) => ['mail', box, { unreadOnly }] as const,
  // Not under `mail`: reading a message moves the badges, which must not read the message again.
  message: (id: number) => ['message', id] as const,
  // Under the message: what makes the message stale makes its delivery record stale too.
  messageDelivery: (id: number, state: string) => ['message', id, 'delivery', state] as const,
  unreadTop: (limit: number) => ['mail', 'unread-top', limit] as const,
  conversations: ['conversations'] as const,
  conversationList: ['conversations', 'list'] as const,
  conversation: (id: number) => ['conversations', id] as const,
  chatUnread: ['conversations', 'unread'] as const,
  dispatches: ['dispatches'] as const,
  department: ['department'] as const,
  directory: ['directory'] as const,
};

/** Which cached reads each socket event makes stale. */
export function useLiveInvalidation(realtime: Realtime) {
  const client = useQueryClient();
  useEffect(() => {
    const stale = (...keys: (readonly unknown[])[]) => () => keys.forEach((queryKey) => void client.invalidateQueries({ queryKey }));
    const offs = [
      realtime.on('message:new', stale(queryKeys.mail)),
      realtime.on('unread:count', stale(queryKeys.mail)),
      realtime.on('message:delivery', stale(queryKeys.mail)),
      realtime.on('conversation:message', stale(queryKeys.conversations)),
      realtime.on('conversation:invited', stale(queryKeys.conversations)),
      realtime.on('conversation:member', stale(queryKeys.conversations)),
      realtime.on('conversation:archived', stale(queryKeys.conversations)),
      realtime.on('conversation:edited', stale(queryKeys.conversations)),
      realtime.on('conversation:retracted', stale(queryKeys.conversations)),
      // The member's own read position (from this or another device) moves the Chat badge.
      realtime.on('conversation:receipt', stale(queryKeys.chatUnread)),
      realtime.on('access:changed', stale(queryKeys.department, queryKeys.directory)),
      // Whatever happened while the socket was down is read again.
      realtime.onReconnect(() => void client.invalidateQueries()),
    ];
    return () => offs.forEach((off) => off());
  }, [realtime, client]);
}
