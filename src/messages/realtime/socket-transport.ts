import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BeforeApplicationShutdown, OnApplicationShutdown } from '@nestjs/common';
import { RedisAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Namespace, Server } from 'socket.io';
import type { RedisStatus } from '../../common/health/redis-status';
import type { MessagesModuleOptions } from '../messages.options';

const USER = 'socket events';
/** A Redis that answers nothing within this is treated as away. */
const COMMAND_TIMEOUT_MS = 1_000;

/**
 * The Redis adapter, for a Redis that may go away. Emits always reach this process's own sockets
 * (the adapter delivers locally whatever Redis does); while Redis is away, questions to the other
 * processes (which sockets are connected where) are answered for this process alone at once
 * instead of after a timeout, and a failed publish is reported rather than left unhandled.
 */
class LocalFirstRedisAdapter extends RedisAdapter {
  constructor(nsp: Namespace, private readonly publisher: Redis, subscriber: Redis, key: string) {
    super(nsp, publisher, subscriber, { key });
  }

  override serverCount(): Promise<number> {
    if (this.publisher.status !== 'ready') return Promise.resolve(1);
    return super.serverCount().catch(() => 1);
  }
}

/**
 * How the module's socket.io server reaches browsers and the other processes, set up by the
 * module from its own options on whatever socket.io server the host's Nest application creates:
 * the Redis adapter (with a Redis URL), CORS for the allowed origins, and on shutdown the
 * closing of every connection so the host's HTTP server can stop.
 */
export class SocketTransport implements BeforeApplicationShutdown, OnApplicationShutdown {
  private closing = false;
  private server?: Server;

  private constructor(
    private readonly clients: Redis[],
    private readonly key: string,
    private readonly corsOrigins: readonly string[],
  ) {}

  /** Connects to Redis (when configured) before the gateway starts; a Redis away at start is waited for in the background. */
  static async connect(options: MessagesModuleOptions, status?: RedisStatus): Promise<SocketTransport> {
    const key = options.redisKeyPrefix ?? 'messages-io';
    const origins = options.socketCorsOrigins ?? [];
    if (!options.redisUrl) return new SocketTransport([], key, origins);
    // No queue while disconnected: an emit for other processes is dropped, not delivered minutes late.
    const pub = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: COMMAND_TIMEOUT_MS });
    // The subscriber queues its subscriptions while it connects, and renews them after every reconnect.
    const sub = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    const transport = new SocketTransport([pub, sub], key, origins);
    status?.register(USER);
    // ioredis reconnects by itself; a lost connection is reported once, and its return.
    for (const client of transport.clients) {
      client.on('error', (error: Error) => !transport.closing && status?.failed(USER, error));
      client.on('close', () => !transport.closing && status?.failed(USER, new Error('connection closed')));
      client.on('ready', () => transport.clients.every((c) => c.status === 'ready') && status?.reached(USER));
    }
    // The adapter publishes without waiting for the answer: a failure must not become an unhandled rejection.
    const publish = pub.publish.bind(pub) as (channel: string, message: string) => Promise<number>;
    (pub as unknown as { publish: typeof publish }).publish = (channel, message) =>
      publish(channel, message).catch((error: Error) => {
        status?.failed(USER, error);
        return 0;
      });
    await Promise.all(transport.clients.map((c) => c.connect().catch((error: Error) => status?.failed(USER, error))));
    return transport;
  }

  get shared(): boolean {
    return this.clients.length > 0;
  }

  /** Sets up the gateway's namespace: its server's adapter (every namespace's, re-initialised by socket.io) and CORS. */
  attach(namespace: Namespace): void {
    const server = namespace.server;
    this.server = server;
    if (this.clients.length) {
      const [pub, sub] = this.clients;
      const key = this.key;
      // socket.io calls it with `new`: a plain function, whose returned object stands.
      server.adapter(function (nsp: Namespace) {
        return new LocalFirstRedisAdapter(nsp, pub, sub, key);
      } as never);
    }
    if (this.corsOrigins.length) server.engine.use(this.cors());
  }

  /** CORS for the socket's long-polling requests from the allowed origins; WebSocket needs none. */
  private cors() {
    const allowed = new Set(this.corsOrigins);
    return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
      const origin = req.headers.origin;
      if (!origin || !allowed.has(origin)) return next();
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      if (req.method !== 'OPTIONS') return next();
      res.setHeader('Access-Control-Allow-Methods', 'GET,POST');
      const asked = req.headers['access-control-request-headers'];
      if (asked) res.setHeader('Access-Control-Allow-Headers', asked);
      res.statusCode = 204;
      res.setHeader('Content-Length', '0');
      res.end();
    };
  }

  /** Every socket is dropped, so the HTTP server (closed by the host) can stop. */
  beforeApplicationShutdown() {
    this.server?.disconnectSockets(true);
    this.server?.engine?.close();
  }

  async onApplicationShutdown() {
    this.closing = true;
    await Promise.all(this.clients.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
