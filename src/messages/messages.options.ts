import type { IncomingMessage } from 'node:http';
import type { ModuleMetadata, Type } from '@nestjs/common';
import type { DepartmentDirectory } from './directory/department-directory';
import type { MessagesDatabase } from './database/messages-database';

export interface MessagesModuleOptions {
  /**
   * With a Redis, socket events and socket rate limits are shared by every server process. The
   * module connects to it itself: the host gives it here and nowhere else.
   */
  redisUrl?: string;
  /** Prefix of the socket.io adapter's Redis channels (default `messages-io`). */
  redisKeyPrefix?: string;
  /** Tells apart deployments that share one Redis (their socket rate-limit counts); default: one deployment. */
  deploymentId?: string;
  /** Browser origins, besides the server's own, that may open a socket (long-polling needs CORS). */
  socketCorsOrigins?: readonly string[];
  /** Web Push: keys and delivery settings; without them no push is queued or sent. */
  push?: PushOptions;
  /**
   * Origins of push services admitted as they are (`http:` and private addresses included): one's
   * own, or one under test. Every other endpoint must be `https:` on an address the public can reach.
   */
  pushEndpointAllowlist?: string[];
  /** How each server process announces that it is alive, so presence outlives no dead process. */
  presence?: PresenceOptions;
  /** Members a personal conversation may have, and that invitations may bring any conversation to (default 500). */
  conversationMaxMembers?: number;
  /**
   * Each user's socket events (`conversation:send`, `conversation:read`) per minute, and each
   * address's handshakes per minute; unset: unlimited.
   */
  socketRateLimit?: { eventsPerMinute: number; handshakesPerMinute?: number };
  /**
   * Whether the host limits the rate of HTTP requests to the module's routes (default true).
   * The polled routes' short path passes the host's guards by; while this is true it is taken
   * only when the host provides a `RequestRateLimiter` (`common/access`) to count its requests.
   */
  httpRequestsRateLimited?: boolean;
  /** Sockets one member may have open at once, over every process (default 20). */
  socketsPerUser?: number;
  /** The client's address for a handshake's request (the host knows its proxies); default: the peer's. */
  clientAddress?: (request: IncomingMessage) => string;
  /** Uploads carried by messages; without it the storage is a folder `attachments` under the working directory. */
  attachments?: AttachmentOptions;
  /** Urgent messages: escalation limits, the email channel and its acknowledgement links. */
  urgent?: UrgentOptions;
}

export interface UrgentOptions {
  /** The shortest `repeatEverySeconds` a sender may ask for (default 60). */
  minIntervalSeconds?: number;
  /** With it, the first reminder of an urgent message also goes by email (nodemailer transport URL). */
  smtpUrl?: string;
  /** The emails' sender address. */
  mailFrom?: string;
  /** Where people reach the server; acknowledgement links start with it. */
  publicUrl?: string;
  /** Signs the acknowledgement links; without it no email is sent. */
  linkSecret?: string;
  /** How long an emailed acknowledgement link works, in hours (default 72). */
  linkValidityHours?: number;
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
  /** `minimal`: pushes carry no subject, body or names, only what to fetch (default `full`). */
  content?: 'full' | 'minimal';
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
  /** The host's database: its one pool and listening connection, which the module borrows. */
  database: Type<MessagesDatabase>;
  /**
   * Modules the directory, the database and the factory need. The host's `Authenticator` must be
   * reachable too (a global provider, or exported by one of these): without it the module does not start.
   */
  imports?: ModuleMetadata['imports'];
  inject?: unknown[];
  useFactory: (...args: any[]) => MessagesModuleOptions | Promise<MessagesModuleOptions>;
}

export const MESSAGES_OPTIONS = Symbol('MESSAGES_OPTIONS');
