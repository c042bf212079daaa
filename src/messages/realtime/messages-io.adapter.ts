import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

/**
 * socket.io for the messages gateway. With a Redis URL, every process shares its rooms through
 * the Redis adapter, so an event emitted in one process reaches sockets connected to another.
 */
export class MessagesIoAdapter extends IoAdapter {
  private clients: Redis[] = [];
  private redisAdapter?: ReturnType<typeof createAdapter>;

  constructor(
    app: INestApplicationContext,
    private readonly redis?: { url: string; keyPrefix: string },
    /** Browser origins allowed besides the server's own (the HTTP API's CORS list). */
    private readonly corsOrigins: readonly string[] = [],
  ) {
    super(app);
  }

  /** Connects to Redis (when configured) before the gateway starts. */
  async connect(): Promise<this> {
    if (!this.redis) return this;
    const pub = new Redis(this.redis.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    const sub = pub.duplicate();
    this.clients = [pub, sub];
    // ioredis reconnects by itself; log the failures instead of leaving them unhandled.
    const logger = new Logger('RedisAdapter');
    for (const client of this.clients) client.on('error', (error: Error) => logger.warn(`Redis: ${error.message}`));
    await Promise.all(this.clients.map((c) => c.connect()));
    this.redisAdapter = createAdapter(pub, sub, { key: this.redis.keyPrefix });
    return this;
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const cors = this.corsOrigins.length ? { origin: [...this.corsOrigins], credentials: false } : undefined;
    const server: Server = super.createIOServer(port, { ...options, ...(cors && { cors }) } as ServerOptions);
    if (this.redisAdapter) server.adapter(this.redisAdapter);
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
    await Promise.all(this.clients.map((c) => c.quit().catch(() => c.disconnect())));
    this.clients = [];
  }
}
