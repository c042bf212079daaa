import type { ConversationKind, ConversationMessagePayload, InboxItem, MessageType, ResponseCode } from '../../src/messages/realtime/socket-events';

export type { ConversationKind, ConversationMessagePayload, InboxItem, MessageType, ResponseCode };

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

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ResponseTally {
  yes: number;
  no: number;
  maybe: number;
}

export interface OutboxItem {
  id: number;
  subject: string;
  type: MessageType;
  createdAt: string;
  expiresAt?: string | null;
  recipientCount: number;
  readCount: number;
  responses?: Partial<ResponseTally> | null;
}

export interface RecipientStatus {
  userId: number;
  name?: string;
  readAt: string | null;
  response: ResponseCode | null;
  note?: string | null;
}

export interface FullMessage {
  id: number;
  subject: string;
  body: string;
  type: MessageType;
  senderId: number;
  senderName?: string;
  createdAt: string;
  expiresAt?: string | null;
  expired?: boolean;
  response?: ResponseCode | null;
  note?: string | null;
  recipientCount?: number;
  recipients?: RecipientStatus[];
}

export interface UnreadTop {
  count: number;
  items: InboxItem[];
}

/** A conversation message; servers may also send the sender's name and the client's id. */
export type ConversationMessage = ConversationMessagePayload & { senderName?: string; clientId?: string | null };

export interface Conversation {
  id: number;
  kind: ConversationKind;
  title: string | null;
  unreadCount?: number;
  lastMessage?: ConversationMessage | null;
  /** Current members, as `{ userId, name }` (or as bare ids from older servers). */
  members?: { userId: number; name?: string }[];
  memberIds?: number[];
  /** false once the caller has left (a dispatch conversation stays readable). */
  isMember?: boolean;
  dispatchId?: number | null;
  zoneId?: number | null;
  archived?: boolean;
  archivedAt?: string | null;
}

export interface Dispatch {
  id: number;
  number: string;
  title: string;
  zoneId: number;
  closedAt?: string | null;
  status?: string;
}

export const memberIdsOf = (c: Conversation): number[] => c.memberIds ?? c.members?.map((m) => m.userId) ?? [];

/** Whether the caller is a current member; undefined when the server does not say. */
export function isMemberOf(c: Conversation, userId: number): boolean | undefined {
  if (typeof c.isMember === 'boolean') return c.isMember;
  if (c.memberIds || c.members) return memberIdsOf(c).includes(userId);
  return undefined;
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
