/**
 * Files uploaded for an import, in parts, kept in the data folder's imports/ until they are
 * imported or replaced. A file over MAX_IMPORT_BYTES is refused at the part that passes the limit
 * (and deleted), so a 50 MB file costs at most the limit's worth of parts.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_IMPORT_BYTES } from '../../preload/contract/imports.js';
import { CoreError } from '../core/errors.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const KEEP_MS = 24 * 60 * 60_000;

export class UploadStore {
  private readonly folder: string;
  private readonly next = new Map<string, number>();

  constructor(
    dataDir: string,
    private readonly maxBytes: number = MAX_IMPORT_BYTES,
  ) {
    this.folder = join(dataDir, 'imports');
  }

  private file(uploadId: string): string {
    if (!ULID.test(uploadId)) throw new CoreError('invalid_message', 'Choose the file again.');
    return join(this.folder, `${uploadId}.csv`);
  }

  /** Append part `index` (from 0, in order); returns the bytes received so far. */
  receivePart(uploadId: string, index: number, dataBase64: string, now: number = Date.now()): number {
    const file = this.file(uploadId);
    const expected = this.next.get(uploadId) ?? 0;
    if (index !== expected) throw new CoreError('conflict', `The upload lost a part (expected part ${expected}, got ${index}): choose the file again.`);
    const bytes = Buffer.from(dataBase64, 'base64');
    mkdirSync(this.folder, { recursive: true, mode: 0o700 });
    if (index === 0) {
      this.sweep(now);
      writeFileSync(file, bytes, { mode: 0o600 });
    } else appendFileSync(file, bytes);
    const size = statSync(file).size;
    if (size > this.maxBytes) {
      rmSync(file, { force: true });
      this.next.delete(uploadId);
      throw new CoreError('invalid_message', tooLarge(this.maxBytes));
    }
    this.next.set(uploadId, index + 1);
    return size;
  }

  read(uploadId: string): Buffer {
    const file = this.file(uploadId);
    if (!existsSync(file)) throw new CoreError('not_found', 'The file is not here any more: choose it again.');
    const bytes = readFileSync(file);
    if (bytes.length > this.maxBytes) throw new CoreError('invalid_message', tooLarge(this.maxBytes));
    return bytes;
  }

  /** Forget a file once it is imported. */
  discard(uploadId: string): void {
    rmSync(this.file(uploadId), { force: true });
    this.next.delete(uploadId);
  }

  /** Files left behind by imports never confirmed (a day old) are removed. */
  private sweep(now: number): void {
    for (const name of readdirSync(this.folder)) {
      const full = join(this.folder, name);
      try {
        if (now - statSync(full).mtimeMs > KEEP_MS) rmSync(full, { force: true });
      } catch {
        // gone meanwhile
      }
    }
  }
}

export function tooLarge(maxBytes: number): string {
  return `The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB: split it into smaller files and import them one after another.`;
}
