import { HttpException, HttpStatus, Inject, Logger, Optional } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { Namespace, Socket } from 'socket.io';
import { Authenticator, moduleEnabled, moduleDisabledMessage, type Principal } from '../../common/access';
import { DomainError } from '../../common/errors/domain-error';
import { toHttpError } from '../../common/errors/errors.filter';
import { rawInputProblem } from '../../common/validation/raw-input';
import { SqlPool } from '../database/sql-pool';
import { MarkConversationReadCommand } from '../conversations/commands/mark-conversation-read.command';
import { PostMessageCommand } from '../conversations/commands/post-message.command';
import { claimPendingInvitations, ConversationStore } from '../conversations/conversation.store';
import { SignalTypingCommand } from '../conversations/commands/signal-typing.command';
import { ReadConversationDto, SendConversationMessageDto, TypingDto } from '../conversations/dto/conversation.dto';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';
import { PresenceService } from '../presence/presence.service';
import { userOfRoom, userRoom, userRooms } from './rooms';
import { SocketRateLimiter } from './socket-rate-limiter';
import {
  MESSAGES_NAMESPACE,
  type Ack,
  type ClientToServerEvents,
  type ConversationMessagePayload,
  type ConversationReadResult,
  type InterServerEvents,
  type ServerToClientEvents,
} from './socket-events';
import { UnreadCounter } from './unread-counter';

/** What a socket carries; plain values, so other processes can read it through the adapter. */
export interface SocketData {
  userId: number;
  departmentId: number;
  token: string;
}

export type MessagesNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type MessagesSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const refusal = (message: string, statusCode: number) => Object.assign(new Error(message), { data: { statusCode, message } });

function parse<T extends object>(type: new () => T, payload: unknown): T {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw DomainError.invalid('The payload must be an object');
  const problem = rawInputProblem(payload);
  if (problem) throw DomainError.invalid(problem);
  const value = plainToInstance(type, payload);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw DomainError.invalid(errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; '));
  return value;
}

/**
 * The `/messages` namespace. The handshake's `auth.token` must name an active member whose
 * department has the messages module on; each socket joins only its user's room, chosen here.
 * Client events run the same commands as the HTTP routes.
 */
@WebSocketGateway({ namespace: MESSAGES_NAMESPACE })
export class MessagesGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('MessagesGateway');

  @WebSocketServer()
  server: MessagesNamespace;

  constructor(
    // The host provides it; a host without one gets a gateway that admits nobody.
    @Optional() @Inject(Authenticator) private readonly authenticator: Authenticator | null,
    private readonly presence: PresenceService,
    private readonly commands: CommandBus,
    private readonly store: ConversationStore,
    private readonly sql: SqlPool,
    private readonly unread: UnreadCounter,
    private readonly limiter: SocketRateLimiter,
    @Inject(MESSAGES_OPTIONS) private readonly options: MessagesModuleOptions,
  ) {}

  afterInit(namespace: MessagesNamespace) {
    namespace.use((socket, next) => {
      this.admit(socket).then(
        () => next(),
        (error: Error) => next(error),
      );
    });
    // Another process asks each process to refresh the counters of its own sockets.
    namespace.on('unread:changed', (departmentId: number, userIds: number[]) => void this.pushUnreadCounts(departmentId, userIds, false));
  }

  private async admit(socket: MessagesSocket): Promise<void> {
    const token: unknown = socket.handshake.auth?.token;
    let principal: Principal | null = null;
    try {
      principal = typeof token === 'string' && token && this.authenticator ? await this.authenticator.authenticate(token) : null;
    } catch (error) {
      this.logger.error(`handshake: ${(error as Error).message}`);
      throw refusal('The server cannot check your token right now; try again shortly', 503);
    }
    if (!principal) throw refusal('A valid access token is required', 401);
    if (!moduleEnabled(principal, 'messages')) throw refusal(moduleDisabledMessage('messages'), 403);
    socket.data = { userId: principal.userId, departmentId: principal.departmentId, token: token as string };
  }

  async handleConnection(socket: MessagesSocket) {
    const { userId } = socket.data;
    if (!userId) return; // refused by the middleware
    await socket.join(userRoom(userId));
    try {
      await this.presence.connected(userId, socket.id);
      await this.deliverPendingInvitations(socket);
    } catch (error) {
      this.logger.error(`after connect of user ${userId}: ${(error as Error).message}`);
    }
  }

  async handleDisconnect(socket: MessagesSocket) {
    if (!socket.data.userId) return;
    await this.presence.disconnected(socket.data.userId, socket.id).catch(() => undefined);
  }

  /** Invitations made while the user had no live socket, once, on the next connect. */
  private async deliverPendingInvitations(socket: MessagesSocket) {
    const claimed = await claimPendingInvitations(this.sql, { userId: socket.data.userId });
    const mine = claimed.filter((p) => p.departmentId === socket.data.departmentId);
    if (!mine.length) return;
    const summaries = await this.store.summariesFor(socket.data.departmentId, mine);
    summaries.sort((a, b) => a.conversation.id - b.conversation.id);
    for (const { conversation } of summaries) socket.emit('conversation:invited', conversation);
  }

  /** The caller as of now (a switched-off module or a deactivation shows within seconds), or an error. */
  private async callerOf(socket: MessagesSocket): Promise<Principal> {
    const principal = await this.authenticator?.authenticate(socket.data.token);
    if (!principal) {
      setImmediate(() => socket.disconnect(true));
      throw new DomainError('unauthenticated', 'Your access token is no longer valid');
    }
    if (!moduleEnabled(principal, 'messages')) throw DomainError.forbidden(moduleDisabledMessage('messages'));
    return principal;
  }

  /** Runs a client event's work, counted against the user's limit, and turns any failure into an error ack. */
  private async answer<T>(socket: MessagesSocket, work: () => Promise<T>): Promise<Ack<T>> {
    try {
      // Every event counts, malformed ones too: they cost the server as much.
      const wait = await this.limiter.take(socket.data.userId);
      if (wait !== null) throw new HttpException(`Too many socket events; try again in ${wait} s`, HttpStatus.TOO_MANY_REQUESTS);
      return { ok: true, data: await work() };
    } catch (error) {
      const { statusCode, message } = toHttpError(error);
      if (statusCode === 503) this.logger.warn(`${message}: ${(error as Error)?.message ?? String(error)}`);
      else if (statusCode >= 500) this.logger.error(error instanceof Error ? error.stack : String(error));
      return { ok: false, error: { statusCode, message } };
    }
  }

  @SubscribeMessage('conversation:send')
  send(@ConnectedSocket() socket: MessagesSocket, @MessageBody() payload: unknown): Promise<Ack<ConversationMessagePayload>> {
    return this.answer(socket, async () => {
      const input = parse(SendConversationMessageDto, payload);
      const caller = await this.callerOf(socket);
      const { conversationId, ...message } = input;
      return this.commands.execute(new PostMessageCommand({ author: caller, conversationId, ...message }));
    });
  }

  @SubscribeMessage('conversation:read')
  read(@ConnectedSocket() socket: MessagesSocket, @MessageBody() payload: unknown): Promise<Ack<ConversationReadResult>> {
    return this.answer(socket, async () => {
      const input = parse(ReadConversationDto, payload);
      const caller = await this.callerOf(socket);
      return this.commands.execute(new MarkConversationReadCommand(caller.departmentId, caller.userId, input.conversationId, input.seq));
    });
  }

  @SubscribeMessage('conversation:typing')
  typing(@ConnectedSocket() socket: MessagesSocket, @MessageBody() payload: unknown): Promise<Ack<{ relayed: boolean }>> {
    return this.answer(socket, async () => {
      const input = parse(TypingDto, payload);
      const caller = await this.callerOf(socket);
      return this.commands.execute(new SignalTypingCommand(caller, input.conversationId));
    });
  }

  /** Sends each of `userIds` connected here their unread count: one query for all of them. */
  async pushUnreadCounts(departmentId: number, userIds: readonly number[], forward = true): Promise<void> {
    // Other processes (only with the shared adapter) count for their own sockets.
    if (forward && this.options.redisUrl) this.server.serverSideEmit('unread:changed', departmentId, [...userIds]);
    const rooms = this.server.adapter.rooms;
    const here = userIds.filter((id) => rooms.has(userRoom(id)));
    if (!here.length) return;
    const counts = await this.unread.countFor(departmentId, here);
    for (const id of here) this.server.local.to(userRoom(id)).emit('unread:count', { count: counts.get(id) ?? 0 });
  }

  /** Of `userIds`, those with a live socket on any process. */
  async connectedAmong(userIds: readonly number[]): Promise<Set<number>> {
    if (!userIds.length) return new Set();
    const sockets = await this.server.in(userRooms(userIds)).fetchSockets();
    const connected = new Set<number>();
    for (const s of sockets) {
      for (const room of s.rooms) {
        const id = userOfRoom(room);
        if (id !== null) connected.add(id);
      }
    }
    return connected;
  }
}
