import { io, type Socket } from 'socket.io-client';
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

  constructor(token: string) {
    this.socket = io(MESSAGES_NAMESPACE, { auth: { token }, transports: ['websocket', 'polling'], autoConnect: false });
    let connectedBefore = false;
    this.socket.on('connect', () => {
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
    });
  }

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
    if (!this.socket.connected && !this.socket.active) this.socket.connect();
  }

  close() {
    clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }
}
