import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, type Conversation, type ConversationMessage } from '../../api';
import type { Session } from '../../session';

/** A dispatch as the board lists it (the server's `DispatchSummary`). */
export interface DispatchSummary {
  id: number;
  number: string;
  title: string;
  address: string | null;
  zoneId: number;
  dispatcherId: number;
  status: 'open' | 'closed';
  createdAt: string;
  closedAt: string | null;
  taskCount: number;
  openTaskCount: number;
}

export interface DispatchTask {
  id: number;
  dispatchId: number;
  officerId: number;
  description: string;
  assignedBy: number;
  assignedAt: string;
  clearedAt: string | null;
  clearedBy: number | null;
}

export interface DispatchDetail extends DispatchSummary {
  tasks: DispatchTask[];
}

/** The page path of a dispatch: its number, which is what people say on the radio. */
export const dispatchPath = (number: string) => `/dispatches/${encodeURIComponent(number)}`;

export const zoneNameOf = (session: Session, zoneId: number | null | undefined) =>
  session.directory.zones.find((z) => z.id === zoneId)?.name ?? 'no zone';

/** The server names people and zones by id in its refusals; the screen says their names. */
export function inWords(message: string | null | undefined, session: Session): string | null {
  if (!message) return message ?? null;
  return message
    .replace(/\bzone (\d+)\b/gi, (_, id: string) => `zone ${zoneNameOf(session, Number(id))}`)
    .replace(/\buser (\d+)\b/gi, (all, id: string) => {
      const name = session.directory.members.find((m) => m.id === Number(id))?.name;
      return name ?? all;
    });
}

/** Every dispatch query: `dispatch:changed` and a reconnect make them read again. */
export const DISPATCH_KEY = ['dispatches'] as const;

/** Invalidates the dispatch queries as the server says dispatches or their conversations changed; once per screen. */
export function useDispatchEvents(session: Session) {
  const client = useQueryClient();
  useEffect(() => {
    const r = session.realtime;
    const all = () => void client.invalidateQueries({ queryKey: DISPATCH_KEY });
    const conversations = () => void client.invalidateQueries({ queryKey: [...DISPATCH_KEY, 'conversation'] });
    const offs = [
      r.on('dispatch:changed', all),
      r.on('conversation:invited', (c) => c.dispatchId !== null && conversations()),
      r.on('conversation:member', conversations),
      r.on('conversation:archived', conversations),
      r.onReconnect(all),
    ];
    return () => offs.forEach((off) => off());
  }, [session.realtime, client]);
}

const errorText = (error: unknown) => (error ? (error as Error).message : null);

/** As many as the server gives in one page. */
const BOARD_PAGE_SIZE = 100;

/**
 * The department's dispatches, open first, then newest, a page at a time (by status when one is
 * chosen, so "More dispatches" goes on within it); kept current by `dispatch:changed`.
 */
export function useDispatchBoard(status: DispatchSummary['status'] | '' = '') {
  const query = useInfiniteQuery({
    queryKey: [...DISPATCH_KEY, 'board', status],
    initialPageParam: null as string | null,
    getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor,
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ limit: String(BOARD_PAGE_SIZE) });
      if (status) params.set('status', status);
      if (pageParam) params.set('cursor', pageParam);
      return api.get<{ items: DispatchSummary[]; nextCursor: string | null }>(`/dispatches?${params}`);
    },
  });
  const items = useMemo(() => {
    if (!query.data) return null;
    // A dispatch closed between two pages' reads moves down the order: show it once.
    const seen = new Set<number>();
    return query.data.pages.flatMap((p) => p.items).filter((d) => !seen.has(d.id) && (seen.add(d.id), true));
  }, [query.data]);
  return {
    items,
    error: errorText(query.error),
    reload: () => query.refetch(),
    hasMore: query.hasNextPage,
    loadingMore: query.isFetchingNextPage,
    loadMore: () => void query.fetchNextPage(),
  };
}

/** One dispatch with its tasks. */
export function useDispatchDetail(id: number | null) {
  const query = useQuery({
    queryKey: [...DISPATCH_KEY, 'detail', id],
    queryFn: () => api.get<DispatchDetail>(`/dispatches/${id}`),
    enabled: id !== null,
  });
  return { detail: query.data ?? null, error: errorText(query.error), reload: () => query.refetch() };
}

export type DispatchConversationState =
  | { state: 'loading' }
  | { state: 'readable'; conversation: Conversation; messages: ConversationMessage[] }
  /** The caller is not in it (never was, or no longer may read it): they may comment to join. */
  | { state: 'outside' }
  | { state: 'none'; reason: string };

/** The dispatch's conversation as the caller may see it; a refusal is an answer here, not an error. */
export function useDispatchConversation(session: Session, dispatchId: number | null) {
  const query = useQuery({
    queryKey: [...DISPATCH_KEY, 'conversation', dispatchId, session.messagesEnabled],
    enabled: dispatchId !== null,
    queryFn: async (): Promise<DispatchConversationState> => {
      try {
        const res = await api.get<{ conversation: Conversation; messages: ConversationMessage[] | { items: ConversationMessage[] } }>(`/dispatches/${dispatchId}/conversation`);
        const messages = Array.isArray(res.messages) ? res.messages : res.messages.items;
        return { state: 'readable', conversation: res.conversation, messages };
      } catch (e) {
        // Only someone outside the conversation is refused its record; the module being off is another story.
        if (e instanceof ApiError && (e.status === 404 || e.status === 403) && session.messagesEnabled && !/module is disabled/i.test(e.message)) return { state: 'outside' };
        return { state: 'none', reason: (e as Error).message };
      }
    },
  });
  return { value: query.data ?? ({ state: 'loading' } as DispatchConversationState), reload: async () => void (await query.refetch()) };
}

/** How the Messages panel sits beside the board; remembered on this device. */
export type PanelMode = 'docked' | 'floating' | 'hidden';
const PANEL_KEY = 'dispatch.messagesPanel';

export function usePanelMode(): [PanelMode, (m: PanelMode) => void] {
  const [mode, setMode] = useState<PanelMode>(() => {
    const stored = localStorage.getItem(PANEL_KEY);
    return stored === 'floating' || stored === 'hidden' ? stored : 'docked';
  });
  const set = useCallback((m: PanelMode) => {
    localStorage.setItem(PANEL_KEY, m);
    setMode(m);
  }, []);
  return [mode, set];
}

/**
 * The dispatch a URL names by number: from the board when it is there, else asked for by number
 * (an older one beyond the board's first page). `undefined` while looking, `null` when there is none.
 */
export function useDispatchByNumber(number: string | undefined, board: DispatchSummary[] | null): DispatchSummary | null | undefined {
  const onBoard = number && board ? (board.find((d) => d.number.toLowerCase() === number.toLowerCase()) ?? null) : undefined;
  const query = useQuery({
    queryKey: [...DISPATCH_KEY, 'by-number', number?.toLowerCase()],
    queryFn: async () => (await api.get<{ items: DispatchSummary[] }>(`/dispatches?number=${encodeURIComponent(number ?? '')}&limit=1`)).items[0] ?? null,
    enabled: !!number && onBoard === null,
  });
  if (!number) return null;
  if (onBoard !== null) return onBoard;
  if (query.isError) return null;
  return query.data;
}
