import { HttpException, HttpStatus, Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
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
import { refusalOf, type AccessRule, type Principal, type PrincipalChange } from '../../common/access';
import { MESSAGES_AUTHENTICATOR, type Authenticator } from '../auth/messages-auth';
import { DomainError } from '../../common/errors/domain-error';
import { toHttpError } from '../../common/errors/errors.filter';
import { describeValidationErrors } from '../../common/validation/error-messages';
import { rawInputProblem } from '../../common/validation/raw-input';
import { MarkConversationRead } from '../conversations/commands/mark-conversation-read.command';
import { PostMessage } from '../conversations/commands/post-message.command';
import { ConversationStore } from '../conversations/conversation.store';
import { SignalTyping } from '../conversations/commands/signal-typing.command';
import { ReadConversationDto, SendConversationMessageDto, TypingDto } from '../conversations/dto/conversation.dto';
import { MESSAGES_ACCESS } from '../messages.access';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';
import { PresenceService } from '../presence/presence.service';
import { userOfRoom, userRoom, userRooms } from './rooms';
import { refusal, SocketAdmission } from './socket-admission';
import { SocketRateLimiter } from './socket-rate-limiter';
import { SocketTransport } from './socket-transport';
import { AcknowledgeConversationMessage } from '../urgent/commands/acknowledge-conversation-message.command';
import { AcknowledgeMessage } from '../urgent/commands/acknowledge-message.command';
import { ConfirmReceived } from '../urgent/commands/confirm-received.command';
import { ConversationMessageRefDto, MessageRefDto } from '../urgent/dto/urgent.dto';
import {
  MESSAGES_NAMESPACE,
  type Ack,
  type AcknowledgedResult,
  type ConversationAcknowledgedResult,
  type ReceivedResult,
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

/** What staying connected needs; each client event has its own rule in the same table. */
const CONNECT: AccessRule = MESSAGES_ACCESS['socket connect'];
const ruleOfEvent = (event: keyof ClientToServerEvents): AccessRule => MESSAGES_ACCESS[`socket ${event}`];
/** Members whose sockets are checked again at once after a change; more wait for the next batch. */
const RECHECK_BATCH = 25;
/** setTimeout's limit; a token that lives longer is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Seconds since the epoch at which the (already verified) token expires. */
function expiryOf(token: string): number | null {
  try {
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof exp === 'number' ? exp : null;
  } catch {
    return null;
  }
}

function parse<T extends object>(type: new () => T, payload: unknown): T {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw DomainError.invalid('The payload must be an object');
  const problem = rawInputProblem(payload);
  if (problem) throw DomainError.invalid(problem);
  const value = plainToInstance(type, payload);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  // A nested object's failures (escalation, location) name their field by its path, as over HTTP.
  if (errors.length) {
    throw DomainError.invalid(errors.flatMap((e) => (e.children?.length ? describeValidationErrors([e]) : Object.values(e.constraints ?? {}))).join('; '));
  }
  return value;
}

/**
 * The `/messages` namespace. The handshake's `auth.token` must name an active member who may
 * connect by the access table (`Messages_View`, the module on); each socket joins only its
 * user's room, chosen here. Client events run the same commands as the HTTP routes, under the
 * same rules. A socket is closed, with `session:ended` saying why, when its token expires and
 * as soon as a change to its member or department (announced to every process) ends its access.
 */
@WebSocketGateway({ namespace: MESSAGES_NAMESPACE })
export class MessagesGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger('MessagesGateway');
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private stopListening?: () => void;
  /** Changes heard so far, and the count each socket was admitted at: one that changed meanwhile is checked again. */
  private changesHeard = 0;
  private readonly admittedAt = new Map<string, number>();

  @WebSocketServer()
  server: MessagesNamespace;

  constructor(
    // The host's; the module does not start without one.
    @Inject(MESSAGES_AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly transport: SocketTransport,
    private readonly presence: PresenceService,
    private readonly commands: CommandBus,
    private readonly store: ConversationStore,
    private readonly unread: UnreadCounter,
    private readonly limiter: SocketRateLimiter,
    private readonly admission: SocketAdmission,
    @Inject(MESSAGES_OPTIONS) private readonly options: MessagesModuleOptions,
  ) {}

  afterInit(namespace: MessagesNamespace) {
    this.transport.attach(namespace as never);
    namespace.use((socket, next) => {
      this.admit(socket).then(
        () => next(),
        (error: Error) => {
          this.admittedAt.delete(socket.id);
          next(error);
        },
      );
    });
    // Another process asks each process to refresh the counters of its own sockets.
    namespace.on('unread:changed', (departmentId: number, userIds: number[]) => void this.pushUnreadCounts(departmentId, userIds, false));
    // Every process hears each change, and checks again the sockets it holds.
    this.stopListening = this.authenticator.onChange((change) => {
      this.changesHeard++;
      void this.recheck(change);
    });
  }

  onModuleDestroy() {
    this.stopListening?.();
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
  }

  private async admit(socket: MessagesSocket): Promise<void> {
    await this.admission.countHandshake(socket);
    const token: unknown = socket.handshake.auth?.token;
    this.admittedAt.set(socket.id, this.changesHeard);
    let principal: Principal | null = null;
    try {
      principal = typeof token === 'string' && token ? await this.authenticator.authenticate(token) : null;
    } catch (error) {
      this.logger.error(`handshake: ${(error as Error).message}`);
      throw refusal('The server cannot check your token right now; try again shortly', 503);
    }
    if (!principal) throw refusal('A valid access token is required', 401);
    const refused = refusalOf(principal, CONNECT);
    if (refused) throw refusal(refused, 403);
    await this.admission.admit(socket, principal.userId);
    socket.data = { userId: principal.userId, departmentId: principal.departmentId, token: token as string };
  }

  async handleConnection(socket: MessagesSocket) {
    const { userId } = socket.data;
    const admittedAt = this.admittedAt.get(socket.id);
    this.admittedAt.delete(socket.id);
    if (!userId) return; // refused by the middleware
    this.closeAtExpiry(socket);
    await socket.join(userRoom(userId));
    // A change heard while the handshake was being checked may have ended this socket's access already.
    if (admittedAt !== this.changesHeard) await this.recheckSocket(socket);
    try {
      await this.presence.connected(userId, socket.id, socket.data.departmentId);
      await this.deliverPendingInvitations(socket);
    } catch (error) {
      this.logger.error(`after connect of user ${userId}: ${(error as Error).message}`);
    }
  }

  async handleDisconnect(socket: MessagesSocket) {
    this.admittedAt.delete(socket.id);
    clearTimeout(this.expiryTimers.get(socket.id));
    this.expiryTimers.delete(socket.id);
    if (!socket.data.userId) return;
    this.admission.release(socket.id, socket.data.userId);
    await this.presence.disconnected(socket.data.userId, socket.id).catch(() => undefined);
  }

  /** Closes the socket when its token expires. */
  private closeAtExpiry(socket: MessagesSocket) {
    const exp = expiryOf(socket.data.token);
    if (exp === null) return;
    const ms = exp * 1000 - Date.now();
    const timer = setTimeout(() => {
      if (ms > MAX_TIMER_MS) this.closeAtExpiry(socket);
      else this.end(socket, 401, 'Your session has expired; sign in again');
    }, Math.max(0, Math.min(ms, MAX_TIMER_MS)));
    timer.unref();
    this.expiryTimers.set(socket.id, timer);
  }

  /** Says why, then closes the socket; the client hears the reason before the disconnect. */
  private end(socket: MessagesSocket, statusCode: number, message: string) {
    if (!socket.connected) return;
    socket.emit('session:ended', { statusCode, message });
    socket.disconnect(true);
  }

  /** Checks again, against the access table, the sockets held here of the member or department that changed. */
  private async recheck(change: PrincipalChange): Promise<void> {
    const affected = [...this.server.sockets.values()].filter((s) =>
      'everyone' in change ? true : 'userId' in change ? s.data.userId === change.userId : s.data.departmentId === change.departmentId,
    );
    for (let i = 0; i < affected.length; i += RECHECK_BATCH) {
      await Promise.all(affected.slice(i, i + RECHECK_BATCH).map((socket) => this.recheckSocket(socket, 'userId' in change ? 'member' : 'department')));
    }
  }

  /** Closes the socket if its access ended; else, for a change heard, tells it to read what it may do again. */
  private async recheckSocket(socket: MessagesSocket, changeHeard?: 'member' | 'department'): Promise<void> {
    if (!socket.connected) return;
    try {
      const checked = await this.authenticator.check(socket.data.token);
      if ('refused' in checked) return this.end(socket, 401, checked.refused);
      const refused = refusalOf(checked.principal, CONNECT);
      if (refused) this.end(socket, 403, refused);
      else if (changeHeard) socket.emit('access:changed', { scope: changeHeard, at: new Date().toISOString() });
    } catch (error) {
      // Unchecked now, it is checked again by its next event.
      this.logger.warn(`checking socket of user ${socket.data.userId} again: ${(error as Error).message}`);
    }
  }

  /** Invitations made while the user had no live socket, once, on the next connect. */
  private async deliverPendingInvitations(socket: MessagesSocket) {
    const claimed = await this.store.claimPendingInvitations({ userId: socket.data.userId });
    const mine = claimed.filter((p) => p.departmentId === socket.data.departmentId);
    if (!mine.length) return;
    const summaries = await this.store.summariesFor(socket.data.departmentId, mine);
    summaries.sort((a, b) => a.conversation.id - b.conversation.id);
    for (const { conversation } of summaries) socket.emit('conversation:invited', conversation);
  }

  /** The caller as of now, if the access table lets them send `event`; else an error (and a closed socket, once the token admits nobody). */
  private async callerOf(socket: MessagesSocket, event: keyof ClientToServerEvents): Promise<Principal> {
    const checked = await this.authenticator.check(socket.data.token);
    if ('refused' in checked) {
      setImmediate(() => this.end(socket, 401, checked.refused));
      throw new DomainError('unauthenticated', checked.refused);
    }
    const refused = refusalOf(checked.principal, ruleOfEvent(event));
    if (refused) throw DomainError.forbidden(refused);
    return checked.principal;
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
      const caller = await this.callerOf(socket, 'conversation:send');
      const input = parse(SendConversationMessageDto, payload);
      const { conversationId, ...message } = input;
      return this.commands.execute(new PostMessage({ author: caller, conversationId, ...message }));
    });
  }

  @SubscribeMessage('conversation:read')
  read(@ConnectedSocket() socket: MessagesSocket, @MessageBody() payload: unknown): Promise<Ack<ConversationReadResult>> {
    return this.answer(socket, async () => {
      const caller = await this.callerOf(socket, 'conversation:read');
      const input = parse(ReadConversationDto, payload);
      return this.commands.execute(new MarkConversationRead(caller.departmentId, caller.userId, input.conversationId, input.seq));
    });
  }

  @SubscribeMessage('message:ack')
  acknowledgeMessage(@ConnectedSocket() socket: MessagesSocket, @MessageBody() payload: unknown): Promise<Ack<AcknowledgedResult>> {
    return this.answer(socket, async () => {
      const caller = await this.callerOf(socket, 'message:ack');
      const input = parse(MessageRefDto, payload);
      return this.commands.execute(new AcknowledgeMessage(caller.departmentId, caller.userId, input.messageId));
    });
  }

  @SubscribeMessage('message:received')
  messageReceived(@ConnectedSocket() socket: MessagesSocket, @MessageBody() payload: unknown): Promise<Ack<ReceivedResult>> {
    return this.answer(socket, async () => {
      const caller = await this.callerOf(socket, 'message:received');
      const input = parse(MessageRefDto, payload);
      return this.commands.execute(new ConfirmReceived(caller.departmentId, caller.userId, { messageId: input.messageId }));
    });
  }

  @SubscribeMessage('conversation:ack')
  acknowledgeConversationMessage(@ConnectedSocket() socket: MessagesSocket, @MessageBody() payload: unknown): Promise<Ack<ConversationAcknowledgedResult>> {
    return this.answer(socket, async () => {
      const caller = await this.callerOf(socket, 'conversation:ack');
      const input = parse(ConversationMessageRefDto, payload);
      return this.commands.execute(new AcknowledgeConversationMessage(caller.departmentId, caller.userId, input.conversationId, input.seq));
    });
  }

  @SubscribeMessage('conversation:received')
  conversationReceived(@ConnectedSocket() socket: MessagesSocket, @MessageBody() payload: unknown): Promise<Ack<ReceivedResult>> {
    return this.answer(socket, async () => {
      const caller = await this.callerOf(socket, 'conversation:received');
      const input = parse(ConversationMessageRefDto, payload);
      return this.commands.execute(new ConfirmReceived(caller.departmentId, caller.userId, { conversationId: input.conversationId, seq: input.seq }));
    });
  }

  @SubscribeMessage('conversation:typing')
  typing(@ConnectedSocket() socket: MessagesSocket, @MessageBody() payload: unknown): Promise<Ack<{ relayed: boolean }>> {
    return this.answer(socket, async () => {
      const caller = await this.callerOf(socket, 'conversation:typing');
      const input = parse(TypingDto, payload);
      return this.commands.execute(new SignalTyping(caller, input.conversationId));
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
