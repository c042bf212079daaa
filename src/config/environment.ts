import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/** Every environment variable the server reads. The README lists them with their defaults. */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** Set: use this database. Unset: `main.ts` starts the embedded PostgreSQL and sets it. */
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  DATABASE_POOL_SIZE = 10;

  /** Signs access tokens. Unset: the demo generates one and keeps it under `.data/`. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** Previous secrets still accepted while tokens signed with them expire (comma separated). */
  @IsOptional()
  @IsString()
  JWT_PREVIOUS_SECRETS?: string;

  @IsString()
  JWT_EXPIRES_IN = '12h';

  @IsIn(['open', 'closed'])
  DEPARTMENT_SIGNUP: 'open' | 'closed' = 'closed';

  @IsIn(['on', 'off'])
  DEMO_SEED: 'on' | 'off' = 'off';

  @IsOptional()
  @IsString()
  REDIS_URL?: string;

  /** Prefix of the Redis channels the socket.io processes share; deployments sharing one Redis need distinct ones. */
  @IsString()
  @MinLength(1)
  REDIS_KEY_PREFIX = 'messages-io';

  @IsIn(['on', 'off'])
  RATE_LIMIT: 'on' | 'off' = 'on';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 1200;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_ATTEMPTS_PER_MINUTE = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  MASS_SENDS_PER_MINUTE = 30;

  /** conversation:send and conversation:read events per user per minute, over every socket of the user. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SOCKET_EVENTS_PER_MINUTE = 600;

  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  @IsOptional()
  @IsString()
  VAPID_PUBLIC_KEY?: string;

  @IsOptional()
  @IsString()
  VAPID_PRIVATE_KEY?: string;

  @IsString()
  VAPID_SUBJECT = 'mailto:admin@department.example';

  /** How often the dispatch event relay looks for events due for (re)delivery. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  DISPATCH_RELAY_POLL_MS = 1000;

  /** First retry delay of a failed dispatch event delivery; it doubles per attempt, up to 5 minutes. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  DISPATCH_RELAY_RETRY_MS = 1000;

  /** off: this process queues push notifications but leaves sending them to other processes. */
  @IsIn(['on', 'off'])
  PUSH_WORKERS: 'on' | 'off' = 'on';

  /** Retries of a failed push before it is kept as failed. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  PUSH_RETRY_LIMIT = 5;

  /** First retry delay; it doubles with each retry (with jitter). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  PUSH_RETRY_DELAY_SECONDS = 10;

  @Transform(toInt)
  @IsInt()
  @Min(500)
  PUSH_POLL_INTERVAL_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  PUSH_SEND_TIMEOUT_MS = 10_000;

  /** On shutdown, pushes in flight get this long before they are cut and retried by the next process. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  PUSH_SHUTDOWN_TIMEOUT_MS = 5000;

  /** Each process's presence heartbeat; a process silent for three of them counts as gone. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  PRESENCE_HEARTBEAT_MS = 5000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsString()
  DATA_DIR = '.data';

  /** Where attachments live: a folder under DATA_DIR, or an S3-compatible bucket shared by every process. */
  @IsIn(['local', 's3'])
  ATTACHMENT_STORAGE: 'local' | 's3' = 'local';

  /** The largest file one upload may carry; larger is 413. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;

  /** Comma-separated content types accepted, as read from the content (not the name). */
  @IsString()
  ATTACHMENT_TYPES = 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain';

  /** All attachments of one department together, in bytes. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ATTACHMENT_QUOTA_BYTES = 5 * 1024 * 1024 * 1024;

  /** An upload no message carries is removed after this many hours. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ATTACHMENT_UNUSED_HOURS = 24;

  @IsOptional()
  @IsString()
  ATTACHMENT_S3_BUCKET?: string;

  /** The S3-compatible service's address (MinIO, Ceph, ...); unset: AWS itself. */
  @IsOptional()
  @IsString()
  ATTACHMENT_S3_ENDPOINT?: string;

  @IsString()
  ATTACHMENT_S3_REGION = 'us-east-1';

  /** Unset: the SDK's usual credential chain (environment, profile, instance role). */
  @IsOptional()
  @IsString()
  ATTACHMENT_S3_ACCESS_KEY_ID?: string;

  @IsOptional()
  @IsString()
  ATTACHMENT_S3_SECRET_ACCESS_KEY?: string;
}

export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const env = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const problems = errors.flatMap((e) => Object.values(e.constraints ?? {}));
    throw new Error(`Invalid environment: ${problems.join('; ')}`);
  }
  if (env.ATTACHMENT_STORAGE === 's3' && !env.ATTACHMENT_S3_BUCKET) throw new Error('Invalid environment: ATTACHMENT_STORAGE=s3 needs ATTACHMENT_S3_BUCKET');
  return env;
}
