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

/** Called when the session is over (renewal refused), with the server's reason, so the app can show the login. */
let onUnauthorized: (reason: string) => void = () => undefined;
export const setUnauthorizedHandler = (handler: (reason: string) => void) => {
  onUnauthorized = handler;
};

/** The reason the socket gave when it ended the session, kept a while for a 401 heard over HTTP that says less. */
let endedReason: { message: string; at: number } | null = null;
export function noteSessionEnded(message: string) {
  endedReason = { message, at: Date.now() };
}
function reasonFor(httpMessage: string): string {
  if (endedReason && Date.now() - endedReason.at < 60_000) return endedReason.message;
  // An HTTP refusal does not say why (signed out elsewhere, password changed, deactivated).
  return /valid bearer token/i.test(httpMessage) ? 'You were signed out, or your password was changed; sign in again' : httpMessage;
}

/** The token's expiry and issue time, in ms since the epoch; null when it cannot be read. */
export function lifetimeOf(token: string): { issuedAt: number; expiresAt: number } | null {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.exp === 'number' && typeof payload.iat === 'number' ? { issuedAt: payload.iat * 1000, expiresAt: payload.exp * 1000 } : null;
  } catch {
    return null;
  }
}

let renewing: Promise<string | null> | null = null;

/**
 * A new access token from the refresh cookie: the new token, null when the server says the
 * session is over, or a rejection when it could not be asked (offline), which ends nothing.
 * `stale` is the token found wanting; if another tab has replaced it meanwhile, that one is used.
 */
export function renewSession(stale: string | null): Promise<string | null> {
  renewing ??= renewOnce(stale).finally(() => {
    renewing = null;
  });
  return renewing;
}

async function renewOnce(stale: string | null): Promise<string | null> {
  const run = async (): Promise<string | null> => {
    const current = tokenStore.get();
    const life = current ? lifetimeOf(current) : null;
    if (current && current !== stale && life && life.expiresAt - Date.now() > 5_000) return current;
    const res = await fetch('/api/auth/refresh', { method: 'POST', cache: 'no-store', credentials: 'same-origin' });
    if (res.status === 401 || res.status === 403) return null;
    if (!res.ok) throw await errorFrom(res);
    const { accessToken } = (await res.json()) as { accessToken: string };
    tokenStore.set(accessToken);
    endedReason = null;
    return accessToken;
  };
  // Tabs share the cookie, which is good once: one tab at a time renews, the others take its token.
  return typeof navigator.locks?.request === 'function' ? navigator.locks.request('messages.renew-session', run) : run();
}

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

/**
 * A 401 for a token that was sent: renewed once and `retry` is called; when renewal is refused
 * the session is over and the app is told why. Offline, the error stands and nothing ends.
 */
async function afterUnauthorized<T>(res: Response, token: string, retry: () => Promise<T>): Promise<T> {
  const error = await errorFrom(res);
  let renewed: string | null;
  try {
    renewed = await renewSession(token);
  } catch {
    throw error;
  }
  if (renewed) return retry();
  onUnauthorized(reasonFor(error.message));
  throw error;
}

export async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, renewed = false): Promise<T> {
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
  if (res.status === 401 && token && !renewed) return afterUnauthorized(res, token, () => request<T>(method, path, body, headers, true));
  if (!res.ok) {
    const error = await errorFrom(res);
    if (res.status === 401 && token) onUnauthorized(reasonFor(error.message));
    throw error;
  }
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
export async function getIfChanged<T>(path: string, etag: string | null, renewed = false): Promise<{ body: T; etag: string | null } | null> {
  const token = tokenStore.get();
  const res = await fetch(`/api${path}`, {
    cache: 'no-store',
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(etag && { 'if-none-match': etag }) },
  });
  if (res.status === 304) return null;
  if (res.status === 401 && token && !renewed) return afterUnauthorized(res, token, () => getIfChanged<T>(path, etag, true));
  if (!res.ok) throw await errorFrom(res);
  return { body: (await res.json()) as T, etag: res.headers.get('etag') };
}

/**
 * `fetch` under `/api` with the token, renewed once after a 401, for what `request` cannot carry
 * (files up, blobs down). Offline or refused, the response is the caller's to read.
 */
export async function authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const send = () => {
    const token = tokenStore.get();
    return fetch(`/api${path}`, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...(token && { authorization: `Bearer ${token}` }) } });
  };
  const stale = tokenStore.get();
  const res = await send();
  if (res.status !== 401 || !stale) return res;
  const renewed = await renewSession(stale).catch(() => undefined);
  if (renewed) return send();
  if (renewed === null) onUnauthorized(reasonFor((await errorFrom(res.clone())).message));
  return res;
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
