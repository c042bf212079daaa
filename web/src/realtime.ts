import { io, type Socket } from 'socket.io-client';
import { noteSessionEnded, renewSession, tokenStore } from './api';
import { MESSAGES_NAMESPACE, type ClientToServerEvents, type ServerToClientEvents } from '../../src/messages/realtime/socket-events';

export type MessagesSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type ConnectionState = 'connecting' | 'online' | 'offline' | 'refused';

/**
 * The one connection to `/messages` for the signed-in user. Screens subscribe to events through
 * `on` and are told about reconnects, after which they catch up over HTTP (`after=seq`).
 */
export class Realtime {
  readonly socket: MessagesSocket;
  state: ConnectionState = 'connecting';
  refusal: string | null = null;
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private readonly reconnectListeners = new Set<() => void>();
  /** Handshakes refused for a moment only (the server busy, too many attempts) in a row. */
  private transientRefusals = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  /** The token the last handshake carried, and the one a renewal last gave (a refusal of that one is final). */
  private handshakeToken: string;
  private renewedTo: string | null = null;
  private readonly endedListeners = new Set<(reason: string) => void>();

  constructor(token: string) {
    this.handshakeToken = token;
    // Read at every handshake, so a reconnect carries the newest (renewed) token.
    const auth = (cb: (data: object) => void) => {
      this.handshakeToken = tokenStore.get() ?? token;
      cb({ token: this.handshakeToken });
    };
    this.socket = io(MESSAGES_NAMESPACE, { auth, transports: ['websocket', 'polling'], autoConnect: false });
    let connectedBefore = false;
    this.socket.on('connect', () => {
      this.renewedTo = null;
      this.refusal = null;
      this.transientRefusals = 0;
      this.setState('online');
      if (connectedBefore) this.reconnectListeners.forEach((l) => l());
      connectedBefore = true;
    });
    this.socket.on('disconnect', () => this.setState(this.refusal ? 'refused' : 'offline'));
    // The server ended this socket's access (signed out, password changed, permission or module withdrawn).
    this.socket.on('session:ended', (reason) => {
      this.refusal = reason.message;
      // 401: the token is over; a renewed one may carry on, else the session has ended.
      if (reason.statusCode === 401) {
        noteSessionEnded(reason.message);
        void this.renewOrEnd(reason.message);
      }
    });
    this.socket.on('connect_error', (err) => {
      const status = (err as Error & { data?: { statusCode?: number } }).data?.statusCode;
      // A refusal a moment can change (503: the server cannot check the token now; 429: too many
      // attempts) is tried again, backing off with jitter, as socket.io does not retry a refusal.
      if (!this.socket.active && (status === 503 || status === 429)) {
        this.setState('offline');
        const delay = Math.min(30_000, 1_000 * 2 ** this.transientRefusals++) * (0.5 + Math.random() / 2);
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.open(), delay);
        return;
      }
      // A refusal by the server (module off, bad token) is final until something changes.
      this.refusal = err.message;
      this.setState(this.socket.active ? 'offline' : 'refused');
      if (status === 401) void this.renewOrEnd(err.message);
    });
  }

  /** After a 401: connects again with a renewed token, or tells the app the session ended. */
  private async renewOrEnd(reason: string) {
    const stale = this.handshakeToken;
    if (stale === this.renewedTo) return this.endedListeners.forEach((l) => l(reason));
    let renewed: string | null;
    try {
      renewed = await renewSession(stale);
    } catch {
      // The server could not be asked (offline): the next reconnect tries again.
      return;
    }
    if (!renewed) return this.endedListeners.forEach((l) => l(reason));
    this.renewedTo = renewed;
    this.refusal = null;
    // After the socket has finished closing, so the new handshake is not undone by the old disconnect.
    setTimeout(() => this.open(), 0);
  }

  /** The session is over (renewal refused): the reason is the server's. */
  onEnded(listener: (reason: string) => void): () => void {
    this.endedListeners.add(listener);
    return () => void this.endedListeners.delete(listener);
  }

  /** The browser's own word on the network: offline closes the transport at once, online reconnects without waiting for the backoff. */
  private readonly onOffline = () => this.socket.io.engine?.close();
  private readonly onOnline = () => {
    if (this.socket.connected || this.state === 'refused') return;
    this.socket.disconnect();
    this.socket.connect();
  };

  private setState(s: ConnectionState) {
    this.state = s;
    this.stateListeners.forEach((l) => l(s));
  }

  on<E extends keyof ServerToClientEvents>(event: E, handler: ServerToClientEvents[E]): () => void {
    this.socket.on(event, handler as never);
    return () => void this.socket.off(event, handler as never);
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => void this.stateListeners.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => void this.reconnectListeners.delete(listener);
  }

  /** Tries again after the module was switched back on. */
  retry() {
    if (!this.socket.connected) this.socket.connect();
  }

  /** Connects; safe to call again after `close` (React may mount, unmount and mount again). */
  open() {
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('online', this.onOnline);
    if (!this.socket.connected && !this.socket.active) this.socket.connect();
  }

  close() {
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }
}
