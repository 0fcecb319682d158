/**
 * Customer document files in the data folder: customer-documents/<sha256>. Content-addressed, so
 * the same image stored twice is one file and a file is never overwritten or removed by an edit.
 * Uploads arrive in parts (the browser host carries at most 1 MB a message) into
 * customer-uploads/<uploadId>.part and are committed by hashing and renaming.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, fsyncSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { MAX_UPLOAD_BYTES } from '../../preload/contract/customers.js';
import { CoreError } from '../core/errors.js';

const SIGNATURES: Array<{ mime: string; test: (b: Buffer) => boolean }> = [
  { mime: 'image/jpeg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/png', test: (b) => b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: 'application/pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  { mime: 'image/tiff', test: (b) => ['II*\u0000', 'MM\u0000*'].includes(b.subarray(0, 4).toString('latin1')) },
  { mime: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

/** The type a file's first bytes show, or null for anything else. */
export function sniffMime(bytes: Buffer): string | null {
  return SIGNATURES.find((s) => s.test(bytes))?.mime ?? null;
}

export class DocumentStore {
  private readonly folder: string;
  private readonly uploads: string;
  /** uploadId → next part index expected. */
  private readonly pending = new Map<string, number>();

  constructor(private readonly dataDir: string) {
    this.folder = join(dataDir, 'customer-documents');
    this.uploads = join(dataDir, 'customer-uploads');
  }

  private partFile(uploadId: string): string {
    return join(this.uploads, `${uploadId}.part`);
  }

  /** Appends one part; parts come in order from 0. Returns the bytes received so far. */
  receivePart(uploadId: string, index: number, dataBase64: string): number {
    const expected = this.pending.get(uploadId) ?? 0;
    if (index !== expected) {
      throw new CoreError('conflict', `The upload lost a part (expected part ${expected}, got ${index}): choose the file again.`);
    }
    const bytes = Buffer.from(dataBase64, 'base64');
    mkdirSync(this.uploads, { recursive: true });
    const file = this.partFile(uploadId);
    if (index === 0) writeFileSync(file, bytes);
    else appendFileSync(file, bytes);
    const size = statSync(file).size;
    if (size > MAX_UPLOAD_BYTES) {
      rmSync(file, { force: true });
      this.pending.delete(uploadId);
      throw new CoreError('invalid_message', `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB: scan it at a lower resolution.`);
    }
    this.pending.set(uploadId, index + 1);
    return size;
  }

  commitUpload(uploadId: string, mime: string): { sha256: string; sizeBytes: number } {
    const file = this.partFile(uploadId);
    if (!existsSync(file)) throw new CoreError('not_found', 'The uploaded file is not here any more: choose the file again.');
    const bytes = readFileSync(file);
    const stored = this.store(bytes, mime);
    rmSync(file, { force: true });
    this.pending.delete(uploadId);
    return stored;
  }

  /** A file the document scanner left in the data folder (never a path outside it). */
  importDeviceFile(file: string, sha256: string, mime: string): { sha256: string; sizeBytes: number } {
    const full = resolve(this.dataDir, file);
    const inside = relative(resolve(this.dataDir), full);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      throw new CoreError('forbidden', 'The scanned image is not in the register\'s data folder: scan again.');
    }
    if (!existsSync(full)) throw new CoreError('not_found', 'The scanned image is not there any more: scan again.');
    const bytes = readFileSync(full);
    const stored = this.store(bytes, mime);
    if (stored.sha256 !== sha256) throw new CoreError('conflict', 'The scanned image changed after it was scanned: scan again.');
    return stored;
  }

  /** Keeps bytes as a document file (named by their SHA-256); the type must match the content. */
  store(bytes: Buffer, mime: string): { sha256: string; sizeBytes: number } {
    if (bytes.length === 0) throw new CoreError('invalid_message', 'The file is empty: choose another.');
    const actual = sniffMime(bytes);
    if (actual !== mime) {
      throw new CoreError('invalid_message', `The file is not a ${mime} (${actual ?? 'unknown type'}): choose a JPEG, PNG, TIFF, WebP or PDF.`);
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    mkdirSync(this.folder, { recursive: true });
    const target = join(this.folder, sha256);
    if (!existsSync(target)) {
      // Written beside, flushed, then renamed: the named file is always whole.
      const temp = `${target}.tmp-${process.pid}`;
      writeFileSync(temp, bytes);
      const fd = openSync(temp, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, target);
    }
    return { sha256, sizeBytes: bytes.length };
  }

  read(sha256: string): Buffer {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new CoreError('not_found', 'This document has no file.');
    const file = join(this.folder, sha256);
    if (!existsSync(file)) throw new CoreError('not_found', 'The document\'s file is missing from the data folder: restore it from a backup.');
    return readFileSync(file);
  }

  path(sha256: string): string {
    return join(this.folder, sha256);
  }
}
