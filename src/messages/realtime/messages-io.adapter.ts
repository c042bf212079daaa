import { type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { RedisAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Namespace, Server, ServerOptions } from 'socket.io';
import type { RedisStatus } from '../../common/health/redis-status';

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
 * socket.io for the messages gateway. With a Redis URL, every process shares its rooms through
 * the Redis adapter, so an event emitted in one process reaches sockets connected to another.
 */
export class MessagesIoAdapter extends IoAdapter {
  private clients: Redis[] = [];
  private closing = false;
  private redisAdapter?: (nsp: Namespace) => RedisAdapter;

  constructor(
    app: INestApplicationContext,
    private readonly redis?: { url: string; keyPrefix: string },
    /** Browser origins allowed besides the server's own (the HTTP API's CORS list). */
    private readonly corsOrigins: readonly string[] = [],
    /** Where losing Redis and finding it again are reported (health, one warning per outage). */
    private readonly status?: RedisStatus,
  ) {
    super(app);
  }

  /** Connects to Redis (when configured) before the gateway starts. */
  async connect(): Promise<this> {
    if (!this.redis) return this;
    // No queue while disconnected: an emit for other processes is dropped, not delivered minutes late.
    const pub = new Redis(this.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: COMMAND_TIMEOUT_MS });
    // The subscriber queues its subscriptions while it connects, and renews them after every reconnect.
    const sub = new Redis(this.redis.url, { lazyConnect: true, maxRetriesPerRequest: null });
    this.clients = [pub, sub];
    this.status?.register(USER);
    // ioredis reconnects by itself; a lost connection is reported once, and its return.
    for (const client of this.clients) {
      client.on('error', (error: Error) => !this.closing && this.status?.failed(USER, error));
      client.on('close', () => !this.closing && this.status?.failed(USER, new Error('connection closed')));
      client.on('ready', () => this.clients.every((c) => c.status === 'ready') && this.status?.reached(USER));
    }
    // The adapter publishes without waiting for the answer: a failure must not become an unhandled rejection.
    const publish = pub.publish.bind(pub) as (channel: string, message: string) => Promise<number>;
    (pub as unknown as { publish: typeof publish }).publish = (channel, message) =>
      publish(channel, message).catch((error: Error) => {
        this.status?.failed(USER, error);
        return 0;
      });
    // A Redis that is away at start is waited for in the background, like one lost later.
    await Promise.all(this.clients.map((c) => c.connect().catch((error: Error) => this.status?.failed(USER, error))));
    const key = this.redis.keyPrefix;
    // socket.io calls it with `new`: a plain function, whose returned object stands.
    this.redisAdapter = function (nsp: Namespace) {
      return new LocalFirstRedisAdapter(nsp, pub, sub, key);
    };
    return this;
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const cors = this.corsOrigins.length ? { origin: [...this.corsOrigins], credentials: false } : undefined;
    const server: Server = super.createIOServer(port, { ...options, ...(cors && { cors }) } as ServerOptions);
    if (this.redisAdapter) server.adapter(this.redisAdapter as never);
    return server;
  }

  /**
   * The gateway's server is a namespace, which the default adapter cannot close: drop every
   * connection of its socket.io server so the HTTP server (closed by the host) can stop.
   */
  override async close(server: Parameters<IoAdapter['close']>[0]): Promise<void> {
    const io: Pick<Server, 'disconnectSockets' | 'engine'> = (server as unknown as { server?: Server }).server ?? server;
    io.disconnectSockets(true);
    io.engine?.close();
  }

  override async dispose(): Promise<void> {
    this.closing = true;
    await Promise.all(this.clients.map((c) => c.quit().catch(() => c.disconnect())));
    this.clients = [];
  }
}
