import { Module, type DynamicModule } from '@nestjs/common';
import { join } from 'node:path';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { AuthModule } from './auth/auth.module';
import type { Environment } from './config/environment';
import { DatabaseModule } from './database/database.module';
import { hostMigrations } from './database/host-migrations';
import { DemoModule } from './demo/demo.module';
import { DepartmentModule } from './department/department.module';
import { DispatchModule } from './dispatch/dispatch.module';
import { HostDepartmentDirectory } from './directory/host-department-directory';
import { HealthModule } from './health/health.module';
import { MemberSetsModule } from './member-sets/member-sets.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { messagesMigrations } from './messages/messages.migrations';
import { MessagesModule } from './messages/messages.module';
import type { AttachmentOptions, PushOptions } from './messages/messages.options';

/** The levels at which the request logger writes anything. */
const REQUEST_LINE_LEVELS = new Set(['info', 'debug', 'trace']);

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
      serializers: { req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }) },
    };
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
        // The messages module works through its own pool: its routes need no ORM context.
        DatabaseModule.forRoot([...hostMigrations, ...messagesMigrations], ['messages', 'conversations', 'push']),
        AuthModule,
        // After AuthModule: its guard identifies the caller that the limits are counted for.
        RateLimitModule,
        HealthModule,
        DepartmentModule,
        MemberSetsModule,
        DispatchModule,
        MessagesModule.forRootAsync({
          directory: HostDepartmentDirectory,
          inject: [ConfigService],
          useFactory: (config: ConfigService<Environment, true>) => ({
            databaseUrl: config.get('DATABASE_URL', { infer: true }) as string,
            poolSize: config.get('DATABASE_POOL_SIZE', { infer: true }),
            redisUrl: config.get('REDIS_URL', { infer: true }),
            push: pushOptions(env),
            presence: { heartbeatMs: env.PRESENCE_HEARTBEAT_MS },
            attachments: attachmentOptions(env),
            socketRateLimit: env.RATE_LIMIT === 'off' ? undefined : { eventsPerMinute: env.SOCKET_EVENTS_PER_MINUTE },
          }),
        }),
        ...(env.DEMO_SEED === 'on' ? [DemoModule] : []),
      ],
    };
  }
}
