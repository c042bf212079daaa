import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SqlPool } from '../database/sql-pool';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';

/** A process that missed this many heartbeats counts as gone. */
const MISSED_HEARTBEATS = 3;

/** SQL: the process `sp` sent a heartbeat within the last `staleParam` seconds. */
const liveProcess = (staleParam: string) => `sp.heartbeat_at > clock_timestamp() - ${staleParam} * interval '1 second'`;

/**
 * Who has a live socket, as every server process sees it. Each process keeps a row in
 * `server_processes` with a heartbeat and one `socket_presence` row per open socket; a process
 * whose heartbeat went stale counts as gone at once (every query checks the heartbeat) and is
 * cleaned up by the next heartbeat of any other process. On shutdown a process removes its rows.
 */
@Injectable()
export class PresenceService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly processId = randomUUID();
  private readonly logger = new Logger('Presence');
  private readonly heartbeatMs: number;
  /** This process's sockets, to restore its rows should another process have reaped them. */
  private readonly sockets = new Map<string, { userId: number; departmentId: number | null }>();
  private timer?: NodeJS.Timeout;
  private registered?: Promise<void>;
  private stopped = false;
  /** A presence write failed (the database was away): the rows may not match `sockets` until resynced. */
  private drifted = false;
  /** Sockets closed while their row could not be deleted. */
  private readonly staleSockets = new Set<string>();

  constructor(
    private readonly sql: SqlPool,
    @Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions,
  ) {
    this.heartbeatMs = options.presence?.heartbeatMs ?? 5_000;
  }

  /** How old a heartbeat may be, in seconds, for its process to count as alive. */
  get staleAfterSeconds(): number {
    return (this.heartbeatMs * MISSED_HEARTBEATS) / 1000;
  }

  /**
   * SQL condition: the member whose id is the expression `userIdSql` has a live socket on some
   * process. `staleParam` is the placeholder bound to `staleAfterSeconds`.
   */
  static onlineCondition(userIdSql: string, staleParam: string): string {
    return `exists (
      select 1 from socket_presence p join server_processes sp on sp.id = p.process_id
      where p.user_id = ${userIdSql} and ${liveProcess(staleParam)})`;
  }

  /**
   * SQL subquery: the ids of the members with a live socket on some process (repeated per socket).
   * For testing many rows at once: PostgreSQL hashes the set once, where `onlineCondition` probes per row.
   */
  static onlineUserIds(staleParam: string): string {
    return `select p.user_id from socket_presence p join server_processes sp on sp.id = p.process_id
      where ${liveProcess(staleParam)}`;
  }

  async onApplicationBootstrap() {
    await this.register();
    this.timer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown() {
    this.stopped = true;
    clearInterval(this.timer);
    this.sockets.clear();
    await this.registered?.catch(() => undefined);
    // The presence rows go with the process row.
    await this.sql.query('delete from server_processes where id = $1', [this.processId]).catch(() => undefined);
  }

  /** A socket of `userId` opened on this process. */
  async connected(userId: number, socketId: string, departmentId?: number): Promise<void> {
    if (this.stopped) return;
    this.sockets.set(socketId, { userId, departmentId: departmentId ?? null });
    try {
      // The process row is written in the same statement: another process may have reaped it (a
      // long pause, a hung database), and a presence row cannot exist without it.
      await this.sql.query(
        `with alive as (
           insert into server_processes (id) values ($1) on conflict (id) do update set heartbeat_at = clock_timestamp()
         )
         insert into socket_presence (process_id, socket_id, user_id, department_id) values ($1, $2, $3, $4)
         on conflict (process_id, socket_id) do nothing`,
        [this.processId, socketId, userId, departmentId ?? null],
        'presence_connected',
      );
    } catch (error) {
      this.drifted = true;
      throw error;
    }
  }

  /** A socket of `userId` closed on this process. */
  async disconnected(_userId: number, socketId: string): Promise<void> {
    if (this.stopped) return;
    this.sockets.delete(socketId);
    try {
      await this.sql.query('delete from socket_presence where process_id = $1 and socket_id = $2', [this.processId, socketId], 'presence_disconnected');
    } catch (error) {
      // Left in place, the row would count the user online (and without pushes) for as long as this process lives.
      this.staleSockets.add(socketId);
      this.drifted = true;
      throw error;
    }
  }

  /** Of `userIds`, those with no live socket on any process. One query whatever their number. */
  async offline(userIds: readonly number[]): Promise<number[]> {
    if (userIds.length === 0) return [];
    const rows = await this.sql.query<{ id: number }>(
      `select distinct u.id from unnest($1::int[]) as u (id) where not ${PresenceService.onlineCondition('u.id', '$2')}`,
      [userIds, this.staleAfterSeconds],
    );
    return rows.map((r) => r.id);
  }

  /** How many sockets `userId` has open on the other live processes. */
  async socketsElsewhere(userId: number): Promise<number> {
    const [row] = await this.sql.query<{ n: number }>(
      `select count(*)::int as n from socket_presence p join server_processes sp on sp.id = p.process_id
        where p.user_id = $1 and p.process_id <> $2 and sp.heartbeat_at > clock_timestamp() - $3 * interval '1 second'`,
      [userId, this.processId, this.staleAfterSeconds],
      'presence_sockets_elsewhere',
    );
    return row.n;
  }

  async isOnline(userId: number): Promise<boolean> {
    return (await this.offline([userId])).length === 0;
  }

  private register(): Promise<void> {
    this.registered ??= this.sql
      .query('insert into server_processes (id) values ($1) on conflict (id) do update set heartbeat_at = clock_timestamp()', [this.processId])
      .then(() => undefined)
      .catch((error: unknown) => {
        this.registered = undefined;
        throw error;
      });
    return this.registered;
  }

  private async heartbeat() {
    if (this.stopped) return;
    try {
      const beat = await this.sql.query('update server_processes set heartbeat_at = clock_timestamp() where id = $1 returning id', [this.processId]);
      if (beat.length === 0 || this.drifted) await this.restore();
      // Reap processes that died without saying so; their sockets go with them.
      await this.sql.query("delete from server_processes where heartbeat_at < clock_timestamp() - $1 * interval '1 second'", [
        this.staleAfterSeconds,
      ]);
    } catch (error) {
      this.drifted = true;
      if (!this.stopped) this.logger.warn(`heartbeat failed: ${(error as Error).message}`);
    }
  }

  /**
   * Makes this process's rows match its live sockets again: after another process reaped it (a
   * long pause), or after presence writes failed while the database was away.
   */
  private async restore() {
    this.drifted = false;
    this.registered = undefined;
    try {
      await this.register();
      await this.resync();
    } catch (error) {
      this.drifted = true;
      throw error;
    }
  }

  private async resync() {
    const stale = [...this.staleSockets];
    if (stale.length) {
      await this.sql.query('delete from socket_presence where process_id = $1 and socket_id = any($2::text[])', [this.processId, stale]);
      for (const id of stale) this.staleSockets.delete(id);
    }
    const entries = [...this.sockets];
    if (entries.length === 0) return;
    await this.sql.query(
      `insert into socket_presence (process_id, socket_id, user_id, department_id)
       select $1, s.socket_id, s.user_id, s.department_id
       from unnest($2::text[], $3::int[], $4::int[]) as s (socket_id, user_id, department_id)
       on conflict (process_id, socket_id) do nothing`,
      [this.processId, entries.map(([id]) => id), entries.map(([, s]) => s.userId), entries.map(([, s]) => s.departmentId)],
    );
    // A socket that closed while this ran may have been put back: take it out again.
    const closed = entries.map(([id]) => id).filter((id) => !this.sockets.has(id));
    if (closed.length) await this.sql.query('delete from socket_presence where process_id = $1 and socket_id = any($2::text[])', [this.processId, closed]);
  }
}
