import { createHash, createHmac } from 'node:crypto';
import { Module, type DynamicModule } from '@nestjs/common';
import { join } from 'node:path';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { SERVER_ACCESS, SERVER_CATALOG } from './app.access';
import { AuthModule } from './auth/auth.module';
import { connectionLimitsOf, listOf, type Environment } from './config/environment';
import { clientAddressOf, trustedHops } from './config/trust-proxy';
import { DatabaseModule } from './database/database.module';
import { HostMessagesDatabase } from './database/host-messages-database';
import { hostMigrations } from './database/host-migrations';
import { DemoModule } from './demo/demo.module';
import { DepartmentModule } from './department/department.module';
import { DispatchModule } from './dispatch/dispatch.module';
import { HostDepartmentDirectory } from './directory/host-department-directory';
import { GroupsModule } from './groups/groups.module';
import { HealthModule } from './health/health.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RolesModule } from './roles/roles.module';
import { ShiftsModule } from './shifts/shifts.module';
import { ZonesModule } from './zones/zones.module';
import { MessagesModule, type AttachmentOptions, type PushOptions, type UrgentOptions } from './messages';

/** Where the raw request carries its caller's ids for the request log line. */
export const REQUEST_CALLER = Symbol('request caller');

/** The levels at which the request logger writes anything. */
const REQUEST_LINE_LEVELS = new Set(['info', 'debug', 'trace']);

/** Whether request lines are written at this log level (below it the request logger is not mounted). */
export const logsRequestLines = (level: string): boolean => REQUEST_LINE_LEVELS.has(level);

/** pino-pretty is a dev dependency: an install without those (`npm ci --omit=dev`) logs JSON. */
function hasPrettyPrinter(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** Web Push needs both VAPID keys; without them nothing is queued or sent. */
function pushOptions(env: Environment): PushOptions | undefined {
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY) return undefined;
  return {
    publicKey: env.VAPID_PUBLIC_KEY,
    privateKey: env.VAPID_PRIVATE_KEY,
    subject: env.VAPID_SUBJECT,
    workers: env.PUSH_WORKERS === 'on',
    retryLimit: env.PUSH_RETRY_LIMIT,
    retryDelaySeconds: env.PUSH_RETRY_DELAY_SECONDS,
    pollIntervalMs: env.PUSH_POLL_INTERVAL_MS,
    sendTimeoutMs: env.PUSH_SEND_TIMEOUT_MS,
    shutdownTimeoutMs: env.PUSH_SHUTDOWN_TIMEOUT_MS,
    content: env.PUSH_CONTENT,
  };
}

/** Urgent messages: their links are signed with a key of their own, derived from the token secret. */
function urgentOptions(env: Environment): UrgentOptions {
  return {
    minIntervalSeconds: env.ESCALATION_MIN_INTERVAL_SECONDS,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.SMTP_FROM,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    linkSecret: env.JWT_SECRET ? createHmac('sha256', env.JWT_SECRET).update('acknowledgement links').digest('base64url') : undefined,
    linkValidityHours: env.ACK_LINK_VALIDITY_HOURS,
  };
}

function attachmentOptions(env: Environment): AttachmentOptions {
  return {
    storage:
      env.ATTACHMENT_STORAGE === 's3'
        ? {
            kind: 's3',
            bucket: env.ATTACHMENT_S3_BUCKET!,
            region: env.ATTACHMENT_S3_REGION,
            endpoint: env.ATTACHMENT_S3_ENDPOINT,
            accessKeyId: env.ATTACHMENT_S3_ACCESS_KEY_ID,
            secretAccessKey: env.ATTACHMENT_S3_SECRET_ACCESS_KEY,
          }
        : { kind: 'local', folder: join(env.DATA_DIR, 'attachments') },
    maxBytes: env.ATTACHMENT_MAX_BYTES,
    types: env.ATTACHMENT_TYPES.split(',').map((t) => t.trim()).filter(Boolean),
    quotaBytes: env.ATTACHMENT_QUOTA_BYTES,
    unusedAfterHours: env.ATTACHMENT_UNUSED_HOURS,
  };
}

/** The host: configuration, database, auth, its department modules, and the messages plugin. */
@Module({})
export class AppModule {
  static register(env: Environment, logDestination?: DestinationStream): DynamicModule {
    const pinoHttp: PinoHttpOptions = {
      level: env.LOG_LEVEL,
      // Never log credentials or message content: only the request line and status.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.body', 'res.headers["set-cookie"]'], remove: true },
      autoLogging: { ignore: (req) => req.url === '/api/health' },
      // An emailed acknowledgement link carries its token in the query: it never reaches the log.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.replace(/([?&]token=)[^&]*/g, '$1[redacted]') }),
        // The status only: the response headers (the same security headers on every line) cost each line more than the rest of it.
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Who made the request, once the access guard knew (see `callerOfRequest` in app.ts).
      customProps: (req) => {
        const caller = (req as { [REQUEST_CALLER]?: { userId: number; departmentId: number } })[REQUEST_CALLER];
        return caller ? { userId: caller.userId, departmentId: caller.departmentId } : {};
      },
      // Readable lines while developing; JSON lines anywhere else.
      ...(env.NODE_ENV === 'development' && !logDestination && hasPrettyPrinter() && {
        transport: { target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname,res.headers' } },
      }),
    };
    // The proxies whose forwarded-for header is believed, for socket handshakes as for HTTP.
    const trust = trustedHops(env.TRUST_PROXY);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, skipProcessEnv: true, load: [() => ({ ...env })] }),
        LoggerModule.forRoot({
          pinoHttp: logDestination ? [pinoHttp, logDestination] : pinoHttp,
          // Request lines (failed requests' too) are written at info: at a quieter level none would be,
          // and the request logger still costs every request a child logger and a context.
          ...(REQUEST_LINE_LEVELS.has(env.LOG_LEVEL) ? {} : { forRoutes: [] }),
        }),
        // The process's one pool; the messages module borrows it, and its routes need no ORM context.
        DatabaseModule.forRoot([...hostMigrations, ...MessagesModule.migrations], MessagesModule.ownRoutePrefixes, connectionLimitsOf(env)),
        AuthModule.forRoot(SERVER_ACCESS),
        // After AuthModule: its guard identifies the caller that the limits are counted for.
        RateLimitModule,
        HealthModule,
        DepartmentModule.forRoot(SERVER_CATALOG),
        GroupsModule,
        RolesModule,
        ShiftsModule,
        ZonesModule,
        DispatchModule,
        MessagesModule.forRootAsync({
          directory: HostDepartmentDirectory,
          database: HostMessagesDatabase,
          inject: [ConfigService],
          useFactory: (config: ConfigService<Environment, true>) => ({
            // Redis is given here only: the module sets up its socket adapter and limits with it.
            redisUrl: config.get('REDIS_URL', { infer: true }),
            redisKeyPrefix: env.REDIS_KEY_PREFIX,
            // Processes on one database are one deployment.
            deploymentId: createHash('sha256').update(config.get('DATABASE_URL', { infer: true }) as string).digest('hex').slice(0, 12),
            socketCorsOrigins: listOf(env.CORS_ORIGINS),
            push: pushOptions(env),
            pushEndpointAllowlist: listOf(env.PUSH_ENDPOINT_ALLOWLIST),
            urgent: urgentOptions(env),
            presence: { heartbeatMs: env.PRESENCE_HEARTBEAT_MS },
            attachments: attachmentOptions(env),
            conversationMaxMembers: env.CONVERSATION_MAX_MEMBERS,
            socketRateLimit:
              env.RATE_LIMIT === 'off' ? undefined : { eventsPerMinute: env.SOCKET_EVENTS_PER_MINUTE, handshakesPerMinute: env.SOCKET_HANDSHAKES_PER_MINUTE },
            socketsPerUser: env.SOCKETS_PER_USER,
            httpRequestsRateLimited: env.RATE_LIMIT !== 'off',
            clientAddress: (request) => clientAddressOf(request, trust),
          }),
        }),
        ...(env.DEMO_SEED === 'on' ? [DemoModule] : []),
      ],
    };
  }
}
