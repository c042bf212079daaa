import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { BadRequestException, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import multipart from '@fastify/multipart';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule, logsRequestLines, REQUEST_CALLER } from './app.module';
import type { Principal } from './common/access';
import { ErrorsFilter } from './common/errors/errors.filter';
import { describeValidationErrors } from './common/validation/error-messages';
import { jsonNestingExceeds, rejectRawBodiesOnRoutes, RejectRawInputPipe } from './common/validation/raw-input';
import type { Environment } from './config/environment';
import { API_PREFIX } from './database/database.module';
import { trustedHops } from './config/trust-proxy';
import { ListenerIoAdapter } from './realtime/listener-io-adapter';

/** Request bodies larger than this are refused (413) before they are parsed. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** Where `npm run build` puts the web app; the server serves it at `/` when it is there. */
export const WEB_APP_DIR = join(__dirname, '..', 'web', 'dist');

/** Files of the web app whose names never change, so they may not be cached for long. */
const FRESH_FILES = /(\.html|\/sw\.js|\.webmanifest)$/;

/** Paths that fall back to the web app's page: not the API, not socket.io, not a missing asset file. */
const SPA_FALLBACK = /^\/(?!api(\/|$)|socket\.io(\/|$)|assets\/)/;

/**
 * Serves the built web app: its files as they are, and `index.html` for any other GET outside
 * `/api` and `/socket.io`, so a reload on a screen's address opens that screen. Unknown `/api` paths keep
 * Nest's JSON 404.
 */
async function serveWebApp(app: NestFastifyApplication, root: string, production: boolean): Promise<void> {
  await app.register(fastifyStatic, {
    root,
    // Source maps would hand out the app's source: served only outside production.
    allowedPath: (path) => !production || !path.endsWith('.map'),
    wildcard: false,
    index: ['index.html'],
    cacheControl: false,
    // Built assets carry a content hash in their names; the page, the service worker and the manifest must be fetched fresh.
    setHeaders: (res, path) => res.header('cache-control', FRESH_FILES.test(path) ? 'no-cache' : 'public, max-age=31536000, immutable'),
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/*', (request, reply) => {
    const path = request.url.split('?')[0];
    if (!SPA_FALLBACK.test(path)) return reply.callNotFound();
    return reply.sendFile('index.html', root);
  });
}

export interface AppOptions {
  /** Where the log lines go (default: standard output). */
  logDestination?: DestinationStream;
  /** The built web app to serve (default `WEB_APP_DIR`). */
  webAppDir?: string;
}

/** How many valid query strings are remembered per query DTO; past it they are forgotten at once. */
const VALID_QUERIES_PER_DTO = 500;

/** Longer values (search text, a signed link's token) are validated each time and never kept. */
const REMEMBERED_VALUE_MAX_LENGTH = 64;

/** A query whose every value is one short string, as a cache key; undefined for anything else. */
function queryKey(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item !== 'string' || item.length > REMEMBERED_VALUE_MAX_LENGTH || key.length > REMEMBERED_VALUE_MAX_LENGTH) return undefined;
  }
  return JSON.stringify(value);
}

/**
 * The ValidationPipe, except that path parameters reach their own pipes as the text the client
 * sent: its number conversion would let `ParseIdPipe` accept " 1", "0x1f" or "1e1" as ids.
 *
 * A query DTO's validated result is remembered per query string: the polled routes send the same
 * few all day (none, or `limit=20`), and validation is a pure function of the text. Refusals are
 * not remembered, so every invalid query still goes through the validator and gets its message.
 */
class PathTextValidationPipe extends ValidationPipe {
  private readonly validQueries = new WeakMap<object, Map<string, Record<string, unknown>>>();

  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata) {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.metatype;
    const key = metadata.type === 'query' && dto && this.toValidate(metadata) ? queryKey(value) : undefined;
    if (!dto || key === undefined) return super.transform(value, metadata);
    let known = this.validQueries.get(dto);
    const fields = known?.get(key);
    if (fields) return Object.assign(Object.create(dto.prototype as object) as object, fields);
    const result: unknown = await super.transform(value, metadata);
    if (isFlatInstanceOf(result, dto)) {
      if (!known) this.validQueries.set(dto, (known = new Map()));
      if (known.size >= VALID_QUERIES_PER_DTO) known.clear();
      known.set(key, { ...result });
    }
    return result;
  }
}

/** Whether the value is an instance of exactly `type` whose own fields are all primitives (safe to copy). */
function isFlatInstanceOf(value: unknown, type: object): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== (type as { prototype: unknown }).prototype) return false;
  return Object.values(value).every((v) => v === null || (typeof v !== 'object' && typeof v !== 'function'));
}

/** The security headers helmet sets, as name and value, computed once at start. */
function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // blob: for attachments, which the web app fetches with its token and shows from memory.
        imgSrc: ["'self'", 'data:', 'blob:'],
        // The API and the socket, on the server's own origin only ('self' covers ws: and wss: to it).
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        // Added per request (see below): over plain http it would send every script to https and blank the page.
        upgradeInsecureRequests: null,
      },
    },
  })(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error;
    },
  );
  return headers;
}

/** Builds the whole server; `main.ts` and the tests both start it from here. */
export async function createApp(env: Environment, options: AppOptions = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(env, options.logDestination),
    // Without TRUST_PROXY the client's address is the peer's: a forwarded-for header changes nothing.
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: trustedHops(env.TRUST_PROXY) ?? false }),
    { bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  // The request log line is written from the raw request once the answer is out: give it the caller's ids.
  // At a level that writes no request lines nobody reads them, and the hook is left out.
  if (logsRequestLines(env.LOG_LEVEL)) {
    fastify.addHook('onSend', (request, _reply, payload, done) => {
      const caller = (request as { user?: Principal }).user;
      if (caller) Object.assign(request.raw, { [REQUEST_CALLER]: { userId: caller.userId, departmentId: caller.departmentId } });
      done(null, payload);
    });
  }
  // JSON bodies as Fastify parses them (prototype keys refused), once their nesting is known to
  // be at most 64 levels: a body nested thousands deep is refused before any parser recurses into it.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES }, (request, body, done) => {
    const text = body.toString('utf8');
    if (jsonNestingExceeds(text)) return done(Object.assign(new Error('The request body is nested deeper than 64 levels'), { statusCode: 400 }), undefined);
    parseJson(request as never, text, done);
  });
  // Plain HTML forms: the button of the emailed acknowledgement page. Flat string fields only, and small.
  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit: 8 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  });
  const headers = securityHeaders();
  // Helmet's headers, set from the list built once: @fastify/helmet would rebuild helmet's
  // middleware, and parse the policy again, on every request.
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  // Uploads (POST /api/attachments) stream through it; each route sets its own limits.
  await app.register(multipart, { limits: { files: 1, fields: 0, parts: 1 } });
  const upgrade = env.CSP_UPGRADE_INSECURE_REQUESTS;
  if (upgrade !== 'off') {
    app
      .getHttpAdapter()
      .getInstance()
      // A callback hook, not an async one: it runs on every answer, and a promise each costs more than the test.
      .addHook('onSend', (request, reply, payload, done) => {
        // `protocol` is https for a TLS connection, or when a trusted proxy forwarded one (TRUST_PROXY).
        if (upgrade === 'on' || request.protocol === 'https') {
          const csp = reply.getHeader('content-security-policy');
          if (typeof csp === 'string') reply.header('content-security-policy', `${csp};upgrade-insecure-requests`);
        }
        done(null, payload);
      });
  }
  // Browsers may call the API only from the configured origins. With none, the same-origin policy
  // already refuses every other origin, and no CORS hook need run on each request.
  const origins = (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.length) app.enableCors({ origin: origins, credentials: false, maxAge: 600 });
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(
    new RejectRawInputPipe(),
    new PathTextValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(describeValidationErrors(errors).join('; ')),
    }),
  );
  rejectRawBodiesOnRoutes(app.get(ModulesContainer));
  app.useGlobalFilters(new ErrorsFilter());
  app.enableShutdownHooks();
  // socket.io through Nest's adapter with lighter handler bindings; the messages module sets up Redis and CORS on it from its options.
  app.useWebSocketAdapter(new ListenerIoAdapter(app));

  const openApi = new DocumentBuilder()
    .setTitle('Department messages')
    .setDescription('Department mail, live conversations and dispatch chat')
    .addBearerAuth()
    // Every route but the public ones (see the access table) needs the bearer token.
    .addSecurityRequirements('bearer')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi));
  const webAppDir = options.webAppDir ?? WEB_APP_DIR;
  if (existsSync(join(webAppDir, 'index.html'))) await serveWebApp(app, webAppDir, env.NODE_ENV === 'production');
  return app;
}
