import type { AttachmentOptions } from '../messages.options';

export const DEFAULT_ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'];

/** The attachment options with their defaults filled in. */
export function attachmentSettings(options: AttachmentOptions | undefined) {
  return {
    maxBytes: options?.maxBytes ?? 10 * 1024 * 1024,
    types: new Set(options?.types ?? DEFAULT_ATTACHMENT_TYPES),
    quotaBytes: options?.quotaBytes ?? 5 * 1024 * 1024 * 1024,
    unusedAfterHours: options?.unusedAfterHours ?? 24,
  };
}

/** Types that may be shown in the page (as an image); everything else is served as a download. */
export const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export const THUMBNAIL_PIXELS = 320;
