import { Inject, Injectable, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { refusalOf, RequestRateLimiter, type Principal } from '../../common/access';
import { rawInputProblem } from '../../common/validation/raw-input';
import { MESSAGES_AUTHENTICATOR, type Authenticator } from '../auth/messages-auth';
import { MESSAGES_ACCESS } from '../messages.access';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';
import type { InboxItem, Page } from './dto/mail-views';
import { MessagesController } from './messages.controller';
import { GetInboxHandler } from './queries/get-inbox.handler';
import { GetInbox } from './queries/get-inbox.query';
import { GetTopUnreadHandler } from './queries/get-top-unread.handler';
import { GetTopUnread, type TopUnreadResult } from './queries/get-top-unread.query';

/** `limit` in canonical digits, 1 to 50 and 1 to 100 (as the query DTOs accept them); any other form goes the long way. */
const LIMIT_TO_50 = /^(?:[1-9]|[1-4]\d|50)$/;
const LIMIT_TO_100 = /^(?:[1-9]|[1-9]\d|100)$/;

/**
 * The query handlers of the polled routes, called directly: the same handlers the query bus
 * would look up for the controller, without the bus's lookup and wrapping on every poll.
 */
interface PolledHandlers {
  readonly topUnread: GetTopUnreadHandler;
  readonly inbox: GetInboxHandler;
}

/** A polled route: its path below the host's global prefix, its action in the access table, and how it answers. */
interface PolledRoute {
  readonly url: RegExp;
  readonly action: keyof typeof MESSAGES_ACCESS;
  /** The controller method the pipeline would run: the host's limits count the request under it. */
  readonly handler: 'topUnread' | 'inbox';
  /** `TopUnreadQueryDto` or `InboxQueryDto`'s default limit. */
  readonly defaultLimit: number;
  readonly limit: RegExp;
  /** Answers as the controller does; false when the query handler's answer is not a plain one. */
  answer(handlers: PolledHandlers, caller: Principal, limit: number, request: PolledRequest, reply: PolledReply): Promise<boolean>;
}

const POLLED_ROUTES: readonly PolledRoute[] = [
  {
    url: /^(\/[\w-]+)*\/messages\/unread\/top$/,
    action: 'GET /messages/unread/top',
    handler: 'topUnread',
    defaultLimit: 5,
    limit: LIMIT_TO_50,
    async answer(handlers, caller, limit, request, reply) {
      const ifNoneMatch = request.headers['if-none-match'];
      // The pipeline's raw-input check on the header: anything it might refuse goes the long way.
      if (ifNoneMatch !== undefined && (typeof ifNoneMatch !== 'string' || rawInputProblem(ifNoneMatch) !== null)) return false;
      const result: TopUnreadResult = await handlers.topUnread.execute(new GetTopUnread(caller, limit, ifNoneMatch));
      reply.header('ETag', result.etag).header('Cache-Control', 'private, no-cache');
      if (result.notModified) reply.status(304).send();
      else reply.status(200).send(result.body);
      return true;
    },
  },
  {
    // The first page only: a cursor or `unread` goes the long way.
    url: /^(\/[\w-]+)*\/messages\/inbox$/,
    action: 'GET /messages/inbox',
    handler: 'inbox',
    defaultLimit: 20,
    limit: LIMIT_TO_100,
    async answer(handlers, caller, limit, _request, reply) {
      const page: Page<InboxItem> = await handlers.inbox.execute(new GetInbox(caller, limit, undefined, false));
      reply.status(200).send(page);
      return true;
    },
  },
];

type RouteHandler = (this: unknown, request: PolledRequest, reply: PolledReply) => unknown;

interface PolledRequest {
  method: string;
  query: unknown;
  headers: Record<string, string | string[] | undefined>;
  user?: Principal;
}

interface PolledReply {
  header(name: string, value: string): PolledReply;
  status(code: number): PolledReply;
  send(payload?: unknown): PolledReply;
}

interface RouteOptions {
  method: string | string[];
  url: string;
  handler: RouteHandler;
}

interface FastifyLike {
  addHook(name: 'onRoute', hook: (route: RouteOptions) => void): unknown;
}

/** The limit of a query that names at most `limit`, in canonical digits; undefined for any other query. */
function plainLimit(query: unknown, route: PolledRoute): number | undefined {
  if (query === null || typeof query !== 'object') return undefined;
  let limit = route.defaultLimit;
  for (const key in query) {
    const value = (query as Record<string, unknown>)[key];
    if (key !== 'limit' || typeof value !== 'string' || !route.limit.test(value)) return undefined;
    limit = Number(value);
  }
  return limit;
}

/** The caller's bearer token, when the header is exactly `Bearer <token>`. */
function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return undefined;
  const token = header.slice(7).trim();
  return token || undefined;
}

/**
 * `GET /messages/unread/top` and the inbox's first page are polled by every open dashboard all
 * day; their plain success (a member allowed to read mail, a plain query) is answered here,
 * inside the route's own handler, without the framework's per-request chain: the same
 * Authenticator, the same access rule with `refusalOf`, the same query handler and the same
 * reply calls as the controller. Every other request (no or bad token, a refusal, any other
 * query, an error) is handed on untouched to the normal pipeline, so every refusal and error
 * still comes from one place. The route's hooks (request log, security headers) run as for
 * any route.
 *
 * While the host rate-limits HTTP requests, each request is first counted by the host's
 * `RequestRateLimiter`, under the controller method the pipeline would run, so the short path
 * and the pipeline share one count; a request over the limit goes the long way, to be refused
 * there. A host that limits requests but gives no limiter leaves the routes to the pipeline.
 */
@Injectable()
export class PolledFastPath {
  private readonly handlers: PolledHandlers;
  /** The host's limits, while it applies any. */
  private readonly limiter?: RequestRateLimiter;

  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(MESSAGES_AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions,
    topUnread: GetTopUnreadHandler,
    inbox: GetInboxHandler,
    @Optional() limiter?: RequestRateLimiter,
  ) {
    this.handlers = { topUnread, inbox };
    if (options.httpRequestsRateLimited !== false) {
      if (!limiter) return;
      this.limiter = limiter;
    }
    const instance = adapterHost.httpAdapter?.getInstance?.() as Partial<FastifyLike> | undefined;
    // Routes are registered when the app initialises, after every provider exists: the hook sees them.
    if (typeof instance?.addHook !== 'function') return;
    const fastPath = this;
    instance.addHook('onRoute', (options) => {
      const route = options.method === 'GET' ? POLLED_ROUTES.find((r) => r.url.test(options.url)) : undefined;
      if (!route) return;
      const pipeline = options.handler;
      options.handler = function (request, reply) {
        if (request.method !== 'GET') return pipeline.call(this, request, reply);
        return fastPath.answer(route, request, reply).then((answered) => (answered ? reply : pipeline.call(this, request, reply)));
      };
    });
  }

  /** Whether the request was answered; false leaves it, unanswered and unchanged, to the pipeline. */
  async answer(route: PolledRoute, request: PolledRequest, reply: PolledReply): Promise<boolean> {
    const limit = plainLimit(request.query, route);
    const token = bearerToken(request.headers.authorization);
    if (limit === undefined || !token) return false;
    try {
      const caller = await this.authenticator.authenticate(token);
      if (!caller || refusalOf(caller, MESSAGES_ACCESS[route.action]) !== null) return false;
      // The caller, as the access guard leaves it, for the request log line and the limits' count.
      request.user = caller;
      if (this.limiter && !(await this.limiter.admit(request, reply, MessagesController, MessagesController.prototype[route.handler]))) {
        delete request.user;
        return false;
      }
      if (await route.answer(this.handlers, caller, limit, request, reply)) return true;
      delete request.user;
      return false;
    } catch {
      delete request.user;
      return false;
    }
  }
}
