import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/messages/realtime/socket-events';

export type MessagesClient = Socket<ServerToClientEvents, ClientToServerEvents>;

const open = new Set<MessagesClient>();

/** A socket.io client on `/messages`, not yet connected. */
export function messagesSocket(baseUrl: string, token: string | undefined): MessagesClient {
  const socket: MessagesClient = io(`${baseUrl}/messages`, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
  });
  open.add(socket);
  return socket;
}

/** Connects; resolves once the server has admitted the socket, rejects with the server's refusal. */
export function connectSocket(baseUrl: string, token: string | undefined): Promise<MessagesClient> {
  const socket = messagesSocket(baseUrl, token);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
    socket.connect();
  });
}

/** Every payload of `event` the socket receives from now on. */
export function collect<E extends keyof ServerToClientEvents>(socket: MessagesClient, event: E): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  socket.on(event as never, ((payload: never) => seen.push(payload)) as never);
  return seen;
}

/** The next `event` matching `match`, or a rejection after `timeoutMs`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: MessagesClient,
  event: E,
  match: (payload: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const listener = (payload: Parameters<ServerToClientEvents[E]>[0]) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event as never, listener as never);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      socket.off(event as never, listener as never);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on(event as never, listener as never);
  });
}

/** Waits until `condition` holds (polling), or fails after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Lets in-flight events arrive, for asserting that something did NOT arrive. */
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** Disconnects every socket made here. */
export function closeAllSockets() {
  for (const socket of open) socket.disconnect();
  open.clear();
}
