import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';
import { PresenceService } from '../presence/presence.service';
import { SocketRateLimiter } from './socket-rate-limiter';

export const DEFAULT_SOCKETS_PER_USER = 20;
/** How long a handshake waits to learn of the member's sockets on other processes. */
const ELSEWHERE_BUDGET_MS = 250;

/** A refused handshake: socket.io hands `data` to the client with the error. */
export const refusal = (message: string, statusCode: number) => Object.assign(new Error(message), { data: { statusCode, message } });

/**
 * Who may open a socket, besides holding a valid token: each address has a number of
 * handshakes per minute (counted before the token is looked at, so guessing tokens over
 * sockets is limited too), and each member a number of sockets open at once over every
 * process. A socket takes its place here before the check, so a burst of parallel handshakes
 * cannot all slip in under the cap. Should the database not tell in time what the other processes
 * hold (an outage, a reconnect storm keeping the pool busy), this process counts its own sockets
 * rather than refusing everyone.
 */
@Injectable()
export class SocketAdmission {
  private readonly perUser: number;
  /** Sockets of each member admitted by this process and not yet gone. */
  private readonly open = new Map<number, Set<string>>();

  constructor(
    @Inject(MESSAGES_OPTIONS) private readonly options: MessagesModuleOptions,
    private readonly limiter: SocketRateLimiter,
    private readonly presence: PresenceService,
  ) {
    this.perUser = options.socketsPerUser ?? DEFAULT_SOCKETS_PER_USER;
  }

  /** Counts the handshake against its address; 429 past the limit. */
  async countHandshake(socket: Socket): Promise<void> {
    const address = this.options.clientAddress?.(socket.request) ?? socket.handshake.address;
    const wait = await this.limiter.takeHandshake(address);
    if (wait !== null) throw refusal(`Too many connection attempts from your address; try again in ${wait} s`, 429);
  }

  /** Takes a place for the socket of `userId`; 429 when they already have as many open as they may. */
  async admit(socket: Socket, userId: number): Promise<void> {
    const mine = this.open.get(userId) ?? new Set<string>();
    mine.add(socket.id);
    this.open.set(userId, mine);
    if (mine.size + (await this.socketsElsewhere(userId)) > this.perUser) {
      this.release(socket.id, userId);
      throw refusal(`You have ${this.perUser} connections open already; close one to open another`, 429);
    }
  }

  private socketsElsewhere(userId: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(0), ELSEWHERE_BUDGET_MS)));
    return Promise.race([this.presence.socketsElsewhere(userId).catch(() => 0), late]).finally(() => clearTimeout(timer));
  }

  /** The socket is gone: its place is free. */
  release(socketId: string, userId: number): void {
    const mine = this.open.get(userId);
    if (!mine) return;
    mine.delete(socketId);
    if (mine.size === 0) this.open.delete(userId);
  }
}
