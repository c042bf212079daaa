import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { QueryBus } from '@nestjs/cqrs';
import { refusalOf, type AccessRule, type Principal } from '../../common/access';
import { rawInputProblem } from '../../common/validation/raw-input';
import { MESSAGES_AUTHENTICATOR, type Authenticator } from '../auth/messages-auth';
import { MESSAGES_ACCESS } from '../messages.access';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';
import { GetTopUnread, type TopUnreadResult } from './queries/get-top-unread.query';

/** The dashboard's poll, below whatever global prefix the host gives the API. */
const TOP_UNREAD_URL = /^(\/[\w-]+)*\/messages\/unread\/top$/;

/** `limit` as `TopUnreadQueryDto` accepts it in canonical digits (1 to 50); anything else goes the long way. */
const CANONICAL_LIMIT = /^(?:[1-9]|[1-4]\d|50)$/;
/** `TopUnreadQueryDto`'s default. */
const DEFAULT_LIMIT = 5;

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

/** The limit of a query the pipeline would take as it is, or undefined for any other query. */
function plainLimit(query: unknown): number | undefined {
  if (query === null || typeof query !== 'object') return undefined;
  let limit = DEFAULT_LIMIT;
  for (const key in query) {
    const value = (query as Record<string, unknown>)[key];
    if (key !== 'limit' || typeof value !== 'string' || !CANONICAL_LIMIT.test(value)) return undefined;
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
 * `GET /messages/unread/top` is polled by every open dashboard all day; its plain success (a
 * member allowed to read mail, a canonical query) is answered here, inside the route's own
 * handler, without the framework's per-request chain: the same Authenticator, the same access
 * rule with `refusalOf`, the same query handler and the same reply calls as the controller.
 * Every other request (no or bad token, a refusal, any other query, an error) is handed on
 * untouched to the normal pipeline, so every refusal and error still comes from one place.
 * The route's hooks (request log, security headers) run as for any route.
 *
 * While the host rate-limits HTTP requests the module cannot apply its limiter, so the route
 * is left entirely to the pipeline.
 */
@Injectable()
export class PolledFastPath {
  private readonly rule: AccessRule = MESSAGES_ACCESS['GET /messages/unread/top'];

  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(MESSAGES_AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions,
    private readonly queries: QueryBus,
  ) {
    if (options.httpRequestsRateLimited !== false) return;
    const instance = adapterHost.httpAdapter?.getInstance?.() as Partial<FastifyLike> | undefined;
    // Routes are registered when the app initialises, after every provider exists: the hook sees them.
    if (typeof instance?.addHook !== 'function') return;
    const fastPath = this;
    instance.addHook('onRoute', (route) => {
      if (route.method !== 'GET' || !TOP_UNREAD_URL.test(route.url)) return;
      const pipeline = route.handler;
      route.handler = function (request, reply) {
        if (request.method !== 'GET') return pipeline.call(this, request, reply);
        return fastPath.answer(request, reply).then((answered) => (answered ? reply : pipeline.call(this, request, reply)));
      };
    });
  }

  /** Whether the request was answered; false leaves it, unanswered and unchanged, to the pipeline. */
  async answer(request: PolledRequest, reply: PolledReply): Promise<boolean> {
    const limit = plainLimit(request.query);
    const ifNoneMatch = request.headers['if-none-match'];
    if (limit === undefined || (ifNoneMatch !== undefined && (typeof ifNoneMatch !== 'string' || rawInputProblem(ifNoneMatch) !== null))) return false;
    const token = bearerToken(request.headers.authorization);
    if (!token) return false;
    let result: TopUnreadResult;
    let caller: Principal | null;
    try {
      caller = await this.authenticator.authenticate(token);
      if (!caller || refusalOf(caller, this.rule) !== null) return false;
      result = await this.queries.execute(new GetTopUnread(caller, limit, ifNoneMatch));
    } catch {
      return false;
    }
    // The caller, as the access guard leaves it, for the request log line.
    request.user = caller;
    reply.header('ETag', result.etag).header('Cache-Control', 'private, no-cache');
    if (result.notModified) reply.status(304).send();
    else reply.status(200).send(result.body);
    return true;
  }
}
