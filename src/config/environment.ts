import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, validateSync } from 'class-validator';
import { trustedHops } from './trust-proxy';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from '../common/database/connection-limits';

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

  /** `application_name` of every connection of this process (default `department-server-<pid>`), to count them in `pg_stat_activity`. */
  @IsOptional()
  @IsString()
  @MaxLength(63)
  DATABASE_APPLICATION_NAME?: string;

  /** Waiting for a pool's connection (a free one, or a new one opened) before the request answers 503. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  DATABASE_ACQUIRE_TIMEOUT_MS = DEFAULT_CONNECTION_LIMITS.acquireTimeoutMs;

  /** `statement_timeout` of every connection; the client gives up half a second later on a server that says nothing. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  DATABASE_STATEMENT_TIMEOUT_MS = DEFAULT_CONNECTION_LIMITS.statementTimeoutMs;

  /** `lock_timeout` of every connection. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  DATABASE_LOCK_TIMEOUT_MS = DEFAULT_CONNECTION_LIMITS.lockTimeoutMs;

  /** `idle_in_transaction_session_timeout` of every connection. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS = DEFAULT_CONNECTION_LIMITS.idleInTransactionTimeoutMs;

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

  /** How long a sign-in lasts without being used: each refresh starts the period again. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  REFRESH_TOKEN_DAYS = 14;

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

  /** Proxies whose X-Forwarded-For is believed: off, a hop count, or addresses and CIDRs (comma separated). */
  @IsString()
  TRUST_PROXY = 'off';

  /**
   * `upgrade-insecure-requests` in the content security policy: `auto` sends it only on requests
   * that came over TLS (directly, or as a trusted proxy's `X-Forwarded-Proto` says); `on` always; `off` never.
   */
  @IsIn(['auto', 'on', 'off'])
  CSP_UPGRADE_INSECURE_REQUESTS: 'auto' | 'on' | 'off' = 'auto';

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

  /** Members a conversation may reach by its creation or by invitations. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  CONVERSATION_MAX_MEMBERS = 500;

  /** conversation:send and conversation:read events per user per minute, over every socket of the user. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SOCKET_EVENTS_PER_MINUTE = 600;

  /** Socket handshakes per address per minute, counted before the token is checked. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SOCKET_HANDSHAKES_PER_MINUTE = 120;

  /** Sockets one member may have open at once, over every process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SOCKETS_PER_USER = 20;

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

  /** Push service origins admitted as they are (comma separated): one's own, or one under test. */
  @IsOptional()
  @IsString()
  PUSH_ENDPOINT_ALLOWLIST?: string;

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

  /** `minimal`: Web Push without message content; the client fetches it. */
  @IsIn(['full', 'minimal'])
  PUSH_CONTENT: 'full' | 'minimal' = 'full';

  /** The shortest reminder interval an urgent message may ask for. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ESCALATION_MIN_INTERVAL_SECONDS = 60;

  /** SMTP server for the email channel of urgent messages (nodemailer URL, e.g. smtp://user:pass@host:587). */
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  SMTP_FROM = 'Department messages <messages@department.example>';

  /** The address people reach the server at; emailed links start with it. Default http://localhost:<PORT>. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'PUBLIC_URL must be an http:// or https:// URL' })
  PUBLIC_URL?: string;

  /** How long an emailed acknowledgement link works. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ACK_LINK_VALIDITY_HOURS = 72;

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

/** What this process's connections call themselves. */
export function applicationNameOf(env: Pick<Environment, 'DATABASE_APPLICATION_NAME'>): string {
  return env.DATABASE_APPLICATION_NAME || `department-server-${process.pid}`;
}

/** The database waits the environment sets. */
export function connectionLimitsOf(env: Environment): ConnectionLimits {
  return {
    acquireTimeoutMs: env.DATABASE_ACQUIRE_TIMEOUT_MS,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: env.DATABASE_LOCK_TIMEOUT_MS,
    idleInTransactionTimeoutMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}

/** A comma-separated variable as its trimmed, non-empty entries. */
export const listOf = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

/** Entries of an origin list that are not an http(s) origin such as `https://push.example:8443`. */
function notOrigins(value: string | undefined): string[] {
  return listOf(value).filter((entry) => {
    try {
      const url = new URL(entry);
      return !['http:', 'https:'].includes(url.protocol) || url.origin !== entry.replace(/\/$/, '').toLowerCase();
    } catch {
      return true;
    }
  });
}

export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const env = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  const problems = errors.flatMap((e) => Object.values(e.constraints ?? {}));
  const badOrigins = notOrigins(env.PUSH_ENDPOINT_ALLOWLIST);
  if (badOrigins.length) problems.push(`PUSH_ENDPOINT_ALLOWLIST takes origins (scheme, host, port): ${badOrigins.join(', ')}`);
  try {
    trustedHops(env.TRUST_PROXY ?? 'off');
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (env.ATTACHMENT_STORAGE === 's3' && !env.ATTACHMENT_S3_BUCKET) problems.push('ATTACHMENT_STORAGE=s3 needs ATTACHMENT_S3_BUCKET');
  if (problems.length > 0) throw new Error(`Invalid environment: ${problems.join('; ')}`);
  return env;
}
