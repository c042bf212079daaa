import type { Readable } from 'node:stream';

/** A key with no stored file, as against a storage that cannot be reached or refuses us. */
export class AttachmentMissing extends Error {
  constructor(key: string) {
    super(`No stored file under ${key}`);
    this.name = 'AttachmentMissing';
  }
}

/**
 * Where the bytes of attachments live. The database keeps what they are and who may read them;
 * a storage keeps only files by key. `put` takes a finished local file (the upload has been
 * checked by then), so no implementation holds a whole file in memory.
 */
export abstract class AttachmentStorage {
  /** Stores the file at `path` under `key` (the local file is left for the caller to remove). */
  abstract put(key: string, path: string, contentType: string, size: number): Promise<void>;
  /** The stored bytes, as a stream; rejects with `AttachmentMissing` when the key holds nothing. */
  abstract open(key: string): Promise<Readable>;
  /** Removes the object; removing one that is gone is not an error. */
  abstract remove(key: string): Promise<void>;
}
