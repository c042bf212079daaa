import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AttachmentMissing, AttachmentStorage } from './attachment-storage';

const PUT_ATTEMPTS = 3;
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** What the SDK says of a broken connection when it has wrapped the error in one of its own. */
const TRANSIENT_MESSAGE = /socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|TimeoutError/;

/** A broken or refused connection, a timeout, or the service's own 5xx: worth another try. */
function isTransient(error: unknown): boolean {
  const e = error as { code?: string; name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | null;
  if (!e || typeof e !== 'object') return false;
  if ((e.code !== undefined && TRANSIENT_CODES.has(e.code)) || e.name === 'TimeoutError') return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message);
}

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** An S3-compatible service (MinIO, Ceph, ...); unset: AWS. */
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** Attachments as objects in an S3-compatible bucket, so every server process sees the same files. */
export class S3Storage extends AttachmentStorage implements OnApplicationShutdown {
  private readonly client: S3Client;
  private readonly logger = new Logger('S3Storage');

  constructor(private readonly options: S3StorageOptions) {
    super();
    this.client = new S3Client({
      region: options.region,
      // The SDK's warnings go to the server's log, not to the console.
      logger: {
        trace: () => undefined,
        debug: () => undefined,
        info: () => undefined,
        warn: (...content: unknown[]) => this.logger.warn(content.map(String).join(' ')),
        error: (...content: unknown[]) => this.logger.error(content.map(String).join(' ')),
      },
      // Checksums only where the operation requires one: by default the SDK sends a streamed body
      // as `aws-chunked` with a checksum trailer, which services other than AWS (s3rver, older
      // MinIO and Ceph) store framing and all, so the file comes back with chunk headers in it.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(options.endpoint && { endpoint: options.endpoint, forcePathStyle: true }),
      ...(options.accessKeyId &&
        options.secretAccessKey && { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }),
    });
  }

  async put(key: string, path: string, contentType: string, size: number): Promise<void> {
    // The length is known, so the file streams up in one request. The SDK cannot retry a
    // streamed body, so a connection that breaks is tried again here, from a fresh read of the file.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(
          new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: createReadStream(path), ContentType: contentType, ContentLength: size }),
        );
        return;
      } catch (error) {
        if (attempt >= PUT_ATTEMPTS || !isTransient(error)) throw error;
        this.logger.warn(`put ${key}: ${(error as Error).message}; trying again`);
        await new Promise((done) => setTimeout(done, 100 * attempt));
      }
    }
  }

  async open(key: string): Promise<Readable> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key })).catch((error: unknown) => {
      throw error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey' ? new AttachmentMissing(key) : error;
    });
    if (!(Body instanceof Readable)) throw new Error(`Attachment ${key} came back without a body`);
    return Body;
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  /** Closes the client's kept-alive connections, so a stopping process does not wait on them. */
  onApplicationShutdown() {
    this.client.destroy();
  }
}
