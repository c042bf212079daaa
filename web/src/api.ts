import type { ConversationKind, ConversationMessagePayload, ConversationSummary, InboxItem, MessageType, ResponseCode } from '../../src/messages/realtime/socket-events';
import type { MessageDetail, OutboxItem, Page, RecipientStatus, ResponseTally, TopUnread } from '../../src/messages/mail/dto/mail-views';

// The payload types are the server's own, so the two cannot drift apart.
export type { ConversationKind, ConversationMessagePayload, InboxItem, MessageType, ResponseCode };
export type { OutboxItem, Page, RecipientStatus, ResponseTally };
export type FullMessage = MessageDetail;
export type UnreadTop = TopUnread;

/** An error the server answered, with its own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'messages.accessToken';

export const tokenStore = {
  get: () => localStorage.getItem(TOKEN_KEY),
  set: (token: string) => localStorage.setItem(TOKEN_KEY, token),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

/** Called when the server says the token is no longer good, so the app can show the login. */
let onUnauthorized: () => void = () => undefined;
export const setUnauthorizedHandler = (handler: () => void) => {
  onUnauthorized = handler;
};

async function errorFrom(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body?.message) message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message);
  } catch {
    /* not JSON: keep the status line */
  }
  return new ApiError(res.status, message);
}

export async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const token = tokenStore.get();
  const res = await fetch(`/api${path}`, {
    method,
    cache: 'no-store',
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && token) onUnauthorized();
  if (!res.ok) throw await errorFrom(res);
  // An empty answer reads as null, so callers can tell success (null) from failure (undefined).
  const text = res.status === 204 ? '' : await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown = {}) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown = {}) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** `GET` with `If-None-Match`: `null` when the server answers 304 (nothing changed). */
export async function getIfChanged<T>(path: string, etag: string | null): Promise<{ body: T; etag: string | null } | null> {
  const token = tokenStore.get();
  const res = await fetch(`/api${path}`, {
    cache: 'no-store',
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(etag && { 'if-none-match': etag }) },
  });
  if (res.status === 304) return null;
  if (res.status === 401 && token) onUnauthorized();
  if (!res.ok) throw await errorFrom(res);
  return { body: (await res.json()) as T, etag: res.headers.get('etag') };
}

// ---- Payloads (CONTRACT.md) ----

export interface Member {
  id: number;
  name: string;
  email: string;
  permissions: string[];
  isAdmin: boolean;
  active: boolean;
  currentZoneId: number | null;
}

export interface MemberSet {
  id: number;
  name: string;
  memberIds: number[];
}

export interface Department {
  id: number;
  name: string;
  modules: Record<string, boolean>;
}

/** A conversation as the server lists it (members, unread count, last message). */
export type Conversation = ConversationSummary;

/** A page of `GET /conversations`: most recent activity first. */
export interface ConversationPage {
  items: Conversation[];
  nextCursor: string | null;
}

/** A conversation message, as stored and as the socket carries it. */
export type ConversationMessage = ConversationMessagePayload;

export interface Dispatch {
  id: number;
  number: string;
  title: string;
  zoneId: number;
  closedAt?: string | null;
  status?: string;
}

export const memberIdsOf = (c: Conversation): number[] => c.members.map((m) => m.userId);

/** Whether the caller is a current member. */
export function isMemberOf(c: Conversation, _userId: number): boolean {
  return c.isMember;
}

/** Lists come back as an array or as `{ items }`; both read the same here. */
export function itemsOf<T>(value: unknown, key = 'items'): T[] {
  if (Array.isArray(value)) return value as T[];
  const v = (value as Record<string, unknown> | null)?.[key];
  return Array.isArray(v) ? (v as T[]) : [];
}

export const idList = (ids: Iterable<number>) => [...ids].join(',');

/** A random id for idempotency keys and client ids; `crypto.randomUUID` exists only on https and localhost. */
export function newClientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
