import { open } from 'node:fs/promises';
// An ES module only: Node requires it from CommonJS through its `module-sync` export (Node 20.19 and later).
import { fileTypeFromFile } from 'file-type';

/** How much of a file without a known signature is read to decide whether it is plain text. */
const TEXT_SAMPLE_BYTES = 64 * 1024;

/**
 * The content type of the file at `path`, read from its bytes and never from its name: a known
 * signature (images, PDF, archives, programs, ...), else `text/plain` for UTF-8 without NUL
 * characters, else `application/octet-stream`.
 */
export async function detectContentType(path: string): Promise<string> {
  const known = await fileTypeFromFile(path);
  if (known) return known.mime;
  const file = await open(path, 'r');
  try {
    const sample = Buffer.alloc(TEXT_SAMPLE_BYTES);
    const { bytesRead } = await file.read(sample, 0, TEXT_SAMPLE_BYTES, 0);
    const bytes = sample.subarray(0, bytesRead);
    if (bytes.includes(0)) return 'application/octet-stream';
    // `stream: true` lets a character cut at the end of the sample pass.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return 'text/plain';
  } catch {
    return 'application/octet-stream';
  } finally {
    await file.close();
  }
}
