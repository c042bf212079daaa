import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AttachmentRepository } from './attachment.repository';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';
import { attachmentSettings } from './attachment-settings';
import { AttachmentStorage } from './storage/attachment-storage';

const SWEEP_EVERY_MS = 10 * 60 * 1000;
const SWEEP_BATCH = 500;

/**
 * Removes uploads that no message carries once they are older than `ATTACHMENT_UNUSED_HOURS`
 * (and those a retraction let go of at once): their rows first, then their stored files.
 * Every process sweeps; `skip locked` keeps two of them off the same rows.
 */
@Injectable()
export class AttachmentSweeper implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AttachmentSweeper');
  private readonly unusedAfterHours: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly attachments: AttachmentRepository,
    private readonly storage: AttachmentStorage,
    @Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions,
  ) {
    this.unusedAfterHours = attachmentSettings(options.attachments).unusedAfterHours;
  }

  onModuleInit() {
    this.timer = setInterval(() => void this.sweep().catch((error: Error) => this.logger.warn(`sweep: ${error.message}`)), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown() {
    if (this.timer) clearInterval(this.timer);
  }

  /** Removes the unused uploads made before `before` (default: the configured age ago); resolves to how many. */
  async sweep(before = new Date(Date.now() - this.unusedAfterHours * 3_600_000)): Promise<number> {
    let removed = 0;
    for (;;) {
      const rows = await this.attachments.sweep(before, SWEEP_BATCH);
      for (const row of rows) {
        await this.storage.remove(row.storage_key).catch((error: Error) => this.logger.warn(`remove ${row.storage_key}: ${error.message}`));
        if (row.thumbnail_key) await this.storage.remove(row.thumbnail_key).catch(() => undefined);
      }
      removed += rows.length;
      if (rows.length < SWEEP_BATCH) return removed;
    }
  }
}
