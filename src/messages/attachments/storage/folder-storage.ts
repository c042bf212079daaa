import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { AttachmentMissing, AttachmentStorage } from './attachment-storage';

/** Attachments as files in a folder (by default `attachments` under `DATA_DIR`). */
export class FolderStorage extends AttachmentStorage {
  private readonly root: string;

  constructor(folder: string) {
    super();
    this.root = resolve(folder);
  }

  /** Keys are made by the server; the check keeps any key inside the folder all the same. */
  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`Attachment key ${key} leaves the storage folder`);
    return path;
  }

  async put(key: string, path: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    // A copy, not a rename: the upload may sit on another file system.
    await copyFile(path, target);
  }

  async open(key: string): Promise<Readable> {
    const stream = createReadStream(this.pathOf(key));
    await new Promise<void>((ok, fail) =>
      stream.once('open', () => ok()).once('error', (error: NodeJS.ErrnoException) => fail(error.code === 'ENOENT' ? new AttachmentMissing(key) : error)),
    );
    return stream;
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
