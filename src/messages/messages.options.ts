import type { ModuleMetadata, Type } from '@nestjs/common';
import type { DepartmentDirectory } from './directory/department-directory';

export interface MessagesModuleOptions {
  /** Connection string of the database the host's ORM uses; the hot read paths get a pool of their own on it. */
  databaseUrl: string;
  /** Size of that pool. */
  poolSize?: number;
  /** With a Redis, socket.io events and presence are shared by every server process. */
  redisUrl?: string;
  /** Web Push: keys and delivery settings; without them no push is queued or sent. */
  push?: PushOptions;
  /** How each server process announces that it is alive, so presence outlives no dead process. */
  presence?: PresenceOptions;
  /** Uploads carried by messages; without it the storage is a folder `attachments` under the working directory. */
  attachments?: AttachmentOptions;
  /** Each user's socket events (`conversation:send`, `conversation:read`) per minute; unset: unlimited. */
  socketRateLimit?: { eventsPerMinute: number };
}

export interface PushOptions {
  /** VAPID key pair (base64url) and the contact the push services see. */
  publicKey: string;
  privateKey: string;
  subject: string;
  /** Run the delivery workers in this process (default true); a process without them only queues. */
  workers?: boolean;
  /** Attempts after the first before a delivery is kept as failed (default 5). */
  retryLimit?: number;
  /** First retry delay in seconds; doubles with each retry, with jitter (default 10). */
  retryDelaySeconds?: number;
  /** How often an idle worker looks for work, in ms (default 1000, at least 500). */
  pollIntervalMs?: number;
  /** A push service that has not answered by then counts as a failed attempt (default 10000). */
  sendTimeoutMs?: number;
  /** How long the push service keeps an undelivered notification, in seconds (default 86400). */
  ttlSeconds?: number;
  /** On shutdown, sends in flight get this long to finish before they are cut and retried later (default 5000). */
  shutdownTimeoutMs?: number;
}

export interface AttachmentOptions {
  /** `local`: files under `folder`; `s3`: objects in an S3-compatible bucket. */
  storage: { kind: 'local'; folder: string } | { kind: 's3'; bucket: string; region: string; endpoint?: string; accessKeyId?: string; secretAccessKey?: string };
  /** The largest file one upload may carry (default 10 MB). */
  maxBytes?: number;
  /** Content types accepted, as read from the content (default images, PDF and plain text). */
  types?: readonly string[];
  /** All attachments of one department together, in bytes (default 5 GiB). */
  quotaBytes?: number;
  /** An upload no message carries is removed after this long (default 24 h). */
  unusedAfterHours?: number;
}

export interface PresenceOptions {
  /** Heartbeat interval in ms (default 5000); a process silent for three of them counts as gone. */
  heartbeatMs?: number;
}

export interface MessagesModuleAsyncOptions {
  /** The host's implementation of the department directory. */
  directory: Type<DepartmentDirectory>;
  /** Modules the directory implementation and the factory need. */
  imports?: ModuleMetadata['imports'];
  inject?: unknown[];
  useFactory: (...args: any[]) => MessagesModuleOptions | Promise<MessagesModuleOptions>;
}

export const MESSAGES_OPTIONS = Symbol('MESSAGES_OPTIONS');
