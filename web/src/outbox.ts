import { useEffect, useState, useSyncExternalStore } from 'react';
import { api, ApiError, type ConversationMessage } from './api';
import type { Realtime } from './realtime';

/**
 * Conversation messages written while offline wait here (localStorage, per user) with their
 * `clientId`, and go when the connection is back. The server answers a repeated `clientId` with
 * the first message, so a send that did reach it before the connection dropped is not doubled.
 */
export interface QueuedMessage {
  clientId: string;
  conversationId: number;
  senderId: number;
  body?: string;
  extras: Record<string, unknown>;
  queuedAt: string;
}

const keyOf = (userId: number) => `messages.outbox.${userId}`;
const listeners = new Set<() => void>();
const deliveredListeners = new Set<(m: ConversationMessage) => void>();
let cache: { userId: number; raw: string | null; list: QueuedMessage[] } | null = null;

function load(userId: number): QueuedMessage[] {
  const raw = localStorage.getItem(keyOf(userId));
  if (cache && cache.userId === userId && cache.raw === raw) return cache.list;
  let list: QueuedMessage[] = [];
  try {
    list = raw ? (JSON.parse(raw) as QueuedMessage[]) : [];
  } catch {
    list = [];
  }
  cache = { userId, raw, list };
  return list;
}

function save(userId: number, list: QueuedMessage[]) {
  if (list.length) localStorage.setItem(keyOf(userId), JSON.stringify(list));
  else localStorage.removeItem(keyOf(userId));
  listeners.forEach((l) => l());
}

export function enqueue(message: QueuedMessage) {
  const list = load(message.senderId);
  if (!list.some((q) => q.clientId === message.clientId)) save(message.senderId, [...list, message]);
}

function remove(userId: number, clientId: string) {
  save(
    userId,
    load(userId).filter((q) => q.clientId !== clientId),
  );
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  // Another tab of the same user queues or sends too.
  const onStorage = (e: StorageEvent) => e.key?.startsWith('messages.outbox.') && listener();
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** This user's messages still waiting to go to one conversation, oldest first. */
export function useQueued(userId: number, conversationId: number | null): QueuedMessage[] {
  const all = useSyncExternalStore(subscribe, () => load(userId));
  return all.filter((q) => q.conversationId === conversationId);
}

/** Told of each queued message once the server has it (the conversation shows it in its place). */
export function onDelivered(listener: (m: ConversationMessage) => void): () => void {
  deliveredListeners.add(listener);
  return () => void deliveredListeners.delete(listener);
}

/** Whether an error means the server was not reached at all (no network), rather than a refusal. */
export const isUnreachable = (e: unknown) => e instanceof TypeError || (typeof navigator !== 'undefined' && navigator.onLine === false && !(e instanceof ApiError));

let flushing = false;

/** Sends what waits, in order; stops at the first message that cannot go yet. */
export async function flush(userId: number): Promise<void> {
  if (flushing) return;
  flushing = true;
  try {
    for (const queued of load(userId)) {
      const { conversationId, clientId, body, extras } = queued;
      let sent: ConversationMessage;
      try {
        sent = await api.post<ConversationMessage>(`/conversations/${conversationId}/messages`, { ...(body && { body }), clientId, ...extras });
      } catch (e) {
        if (isUnreachable(e) || (e instanceof ApiError && (e.status >= 500 || e.status === 429 || e.status === 401))) return;
        // Refused for good (left the conversation, archived): it will never go; the member is told by its removal.
        remove(userId, clientId);
        continue;
      }
      remove(userId, clientId);
      deliveredListeners.forEach((l) => l(sent));
    }
  } finally {
    flushing = false;
  }
}

/** Sends the outbox whenever the page is online again (browser and socket both say so). */
export function useOutboxFlush(userId: number, realtime: Realtime) {
  useEffect(() => {
    const go = () => void flush(userId).catch(() => undefined);
    go();
    window.addEventListener('online', go);
    const offState = realtime.onState((s) => s === 'online' && go());
    return () => {
      window.removeEventListener('online', go);
      offState();
    };
  }, [userId, realtime]);
}

/** Whether the browser says it is offline, as it changes. */
export function useOffline(): boolean {
  const [offline, setOffline] = useState(() => navigator.onLine === false);
  useEffect(() => {
    const update = () => setOffline(navigator.onLine === false);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return offline;
}
