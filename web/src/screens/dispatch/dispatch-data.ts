import { useCallback, useEffect, useState } from 'react';
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

/** The department's dispatches, newest open first, kept current by `dispatch:changed`. */
export function useDispatchBoard(session: Session) {
  const [items, setItems] = useState<DispatchSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const page = await api.get<{ items: DispatchSummary[] }>('/dispatches?limit=100');
      setItems(page.items);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);
  useEffect(() => {
    void load();
    const offs = [session.realtime.on('dispatch:changed', () => void load()), session.realtime.onReconnect(() => void load())];
    return () => offs.forEach((off) => off());
  }, [session.realtime, load]);
  return { items, error, reload: load };
}

/** One dispatch with its tasks, read again whenever it changes. */
export function useDispatchDetail(session: Session, id: number | null) {
  const [detail, setDetail] = useState<DispatchDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    if (id === null) return;
    try {
      setDetail(await api.get<DispatchDetail>(`/dispatches/${id}`));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [id]);
  useEffect(() => {
    setDetail(null);
    if (id === null) return;
    void load();
    const offs = [
      session.realtime.on('dispatch:changed', (e) => {
        if (e.dispatchId === id) void load();
      }),
      session.realtime.onReconnect(() => void load()),
    ];
    return () => offs.forEach((off) => off());
  }, [session.realtime, id, load]);
  return { detail, error, reload: load };
}

export type DispatchConversationState =
  | { state: 'loading' }
  | { state: 'readable'; conversation: Conversation; messages: ConversationMessage[] }
  /** The caller is not in it (never was, or no longer may read it): they may comment to join. */
  | { state: 'outside' }
  | { state: 'none'; reason: string };

/** The dispatch's conversation as the caller may see it; read again on member changes. */
export function useDispatchConversation(session: Session, dispatchId: number | null) {
  const [value, setValue] = useState<DispatchConversationState>({ state: 'loading' });
  const load = useCallback(async () => {
    if (dispatchId === null) return;
    try {
      const res = await api.get<{ conversation: Conversation; messages: ConversationMessage[] | { items: ConversationMessage[] } }>(`/dispatches/${dispatchId}/conversation`);
      const messages = Array.isArray(res.messages) ? res.messages : res.messages.items;
      setValue({ state: 'readable', conversation: res.conversation, messages });
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 403) && session.messagesEnabled) {
        // Only someone outside the conversation is refused its record; the module being off is another story.
        setValue(/module is disabled/i.test(e.message) ? { state: 'none', reason: e.message } : { state: 'outside' });
      } else setValue({ state: 'none', reason: (e as Error).message });
    }
  }, [dispatchId, session.messagesEnabled]);
  useEffect(() => {
    setValue({ state: 'loading' });
    if (dispatchId === null) return;
    void load();
    const r = session.realtime;
    const offs = [
      r.on('dispatch:changed', (e) => {
        if (e.dispatchId === dispatchId) void load();
      }),
      r.on('conversation:invited', (c) => {
        if (c.dispatchId === dispatchId) void load();
      }),
      r.on('conversation:member', () => void load()),
      r.on('conversation:archived', () => void load()),
      r.onReconnect(() => void load()),
    ];
    return () => offs.forEach((off) => off());
  }, [session.realtime, dispatchId, load]);
  return { value, reload: load };
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
export function useDispatchByNumber(session: Session, number: string | undefined, board: DispatchSummary[] | null): DispatchSummary | null | undefined {
  const onBoard = number && board ? (board.find((d) => d.number.toLowerCase() === number.toLowerCase()) ?? null) : undefined;
  const [fetched, setFetched] = useState<{ number: string; dispatch: DispatchSummary | null } | null>(null);
  useEffect(() => {
    if (!number || onBoard !== null) return;
    let live = true;
    const look = () =>
      api
        .get<{ items: DispatchSummary[] }>(`/dispatches?number=${encodeURIComponent(number)}&limit=1`)
        .then((page) => live && setFetched({ number, dispatch: page.items[0] ?? null }))
        .catch(() => live && setFetched({ number, dispatch: null }));
    void look();
    const off = session.realtime.on('dispatch:changed', () => void look());
    return () => {
      live = false;
      off();
    };
  }, [number, onBoard, session.realtime]);
  if (!number) return null;
  if (onBoard) return onBoard;
  if (onBoard === undefined) return undefined;
  return fetched?.number === number ? fetched.dispatch : undefined;
}
