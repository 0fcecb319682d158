/**
 * Document scanner sources. There is no scanning API in Electron or Node, so the register takes
 * images from (1) a folder the scanner's own software saves into, and (2) a command that writes
 * one image (`scanimage` on Linux, a configured command on Windows). Every image is checked
 * (magic bytes, and a complete end for JPEG/PNG/PDF), hashed, copied into the data folder
 * under its sha256 and delivered once; a file still being written is left until it is whole.
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { DocumentReceived } from '../../../preload/contract/devices.js';
import type { Connection, Found, Transport, TransportSink } from '../driver.js';

export type DocumentMime = DocumentReceived['mime'];

export interface StoredDocument {
  file: string;
  sha256: string;
  mime: DocumentMime;
  sizeBytes: number;
  /** False when the same image had been delivered before (not delivered again). */
  isNew: boolean;
}

const EXTENSIONS: Record<DocumentMime, string> = { 'image/jpeg': '.jpg', 'image/png': '.png', 'image/tiff': '.tif', 'application/pdf': '.pdf' };

/** The image type by magic bytes, or null; `complete` is false while the file's end is missing. */
export function sniffDocument(bytes: Uint8Array): { mime: DocumentMime; complete: boolean } | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    return { mime: 'image/jpeg', complete: b.length >= 4 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9 };
  }
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { mime: 'image/png', complete: b.length >= 12 && b.subarray(b.length - 8, b.length - 4).toString('latin1') === 'IEND' };
  }
  if (b.length >= 4 && (b.subarray(0, 4).toString('latin1') === 'II*\0' || b.subarray(0, 4).toString('latin1') === 'MM\0*')) {
    return { mime: 'image/tiff', complete: true };
  }
  if (b.length >= 5 && b.subarray(0, 5).toString('latin1') === '%PDF-') {
    return { mime: 'application/pdf', complete: b.subarray(Math.max(0, b.length - 1024)).includes('%%EOF') };
  }
  return null;
}

/** Keeps delivered images in <dataDir>/documents/<sha256>.<ext>, written atomically. */
export class DocumentStore {
  constructor(readonly dir: string) {}

  keep(bytes: Uint8Array, mime: DocumentMime): StoredDocument {
    mkdirSync(this.dir, { recursive: true });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = join(this.dir, `${sha256}${EXTENSIONS[mime]}`);
    if (existsSync(file)) return { file, sha256, mime, sizeBytes: bytes.length, isNew: false };
    const temp = `${file}.${process.pid}.part`;
    writeFileSync(temp, bytes);
    renameSync(temp, file);
    return { file, sha256, mime, sizeBytes: bytes.length, isNew: true };
  }
}

interface Seen {
  size: number;
  mtimeMs: number;
  /** When this size/mtime was first seen. */
  since: number;
}

/** Names scanner software uses while writing, never picked up. */
function isTemporaryName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('~') || /\.(part|tmp|crdownload|partial)$/i.test(name);
}

export interface FolderTimings {
  pollMs: number;
  /** A file must keep the same size and time this long before it is read. */
  stableMs: number;
}

export class WatchedFolderTransport implements Transport {
  readonly presenceIntervalMs = null;

  constructor(
    private readonly inboxDir: string,
    private readonly store: DocumentStore,
    private readonly onDocument: (document: StoredDocument) => void,
    private readonly timings: FolderTimings = { pollMs: 500, stableMs: 1000 },
    private readonly clock: () => number = Date.now,
  ) {}

  async find(): Promise<Found | null> {
    try {
      return statSync(this.inboxDir).isDirectory() ? { key: this.inboxDir, label: `watching ${this.inboxDir}` } : null;
    } catch {
      return null;
    }
  }

  async open(_found: Found, sink: TransportSink): Promise<Connection> {
    const seen = new Map<string, Seen>();
    const rejected = new Set<string>();
    let timer: NodeJS.Timeout | null = null;
    let stopped = false;

    const poll = (): void => {
      if (stopped) return;
      let names: string[];
      try {
        names = readdirSync(this.inboxDir);
      } catch (error) {
        sink.lost(`the folder is gone: ${(error as Error).message}`);
        return;
      }
      const now = this.clock();
      for (const name of names) {
        if (isTemporaryName(name)) continue;
        const path = join(this.inboxDir, name);
        let size: number;
        let mtimeMs: number;
        try {
          const stat = statSync(path);
          if (!stat.isFile()) continue;
          ({ size, mtimeMs } = stat);
        } catch {
          continue;
        }
        const key = `${path}:${size}:${mtimeMs}`;
        if (rejected.has(key)) continue;
        const previous = seen.get(path);
        if (!previous || previous.size !== size || previous.mtimeMs !== mtimeMs) {
          seen.set(path, { size, mtimeMs, since: now });
          continue;
        }
        if (size === 0 || now - previous.since < this.timings.stableMs) continue;
        this.take(path, key, sink, rejected);
        seen.delete(path);
      }
      for (const path of seen.keys()) if (!names.includes(path.slice(this.inboxDir.length + 1))) seen.delete(path);
      timer = setTimeout(poll, this.timings.pollMs);
      timer.unref?.();
    };
    poll();
    return {
      async close() {
        stopped = true;
        if (timer) clearTimeout(timer);
      },
    };
  }

  private take(path: string, key: string, sink: TransportSink, rejected: Set<string>): void {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return;
    }
    const kind = sniffDocument(bytes);
    if (!kind) {
      rejected.add(key);
      sink.problem(new Error(`${extname(path) || 'a file'} in the scan folder is not a JPEG, PNG, TIFF or PDF image: left where it is`));
      return;
    }
    // Stable but without its end: the scanner software is still writing (or died); wait.
    if (!kind.complete) return;
    const stored = this.store.keep(bytes, kind.mime);
    try {
      rmSync(path);
    } catch {
      rejected.add(key); // cannot move it out: at least never deliver it twice
    }
    if (stored.isNew) this.onDocument(stored);
  }
}

/** Runs a scan command once: `{out}` in the argv is the file it must write. */
export async function runDocumentCommand(
  argv: readonly string[],
  store: DocumentStore,
  timeoutMs = 120_000,
): Promise<StoredDocument> {
  const out = join(tmpdir(), `register-scan-${process.pid}-${Date.now()}.img`);
  const args = argv.map((arg) => arg.split('{out}').join(out));
  const [command, ...rest] = args;
  if (!command) throw new Error('The scan command is empty: set it in Settings > Devices.');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, rest, { stdio: ['ignore', 'ignore', 'pipe'], shell: false });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-400);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`the scan command could not start (${error.message}): check it in Settings > Devices`));
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`the scanner did not scan (exit ${code ?? signal})${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
      });
    });
    if (!existsSync(out)) throw new Error('the scan command finished but wrote no image: check its {out} argument');
    const bytes = readFileSync(out);
    const kind = sniffDocument(bytes);
    if (!kind || !kind.complete) throw new Error('the scan command wrote something that is not a whole JPEG, PNG, TIFF or PDF image');
    return store.keep(bytes, kind.mime);
  } finally {
    rmSync(out, { force: true });
  }
}
