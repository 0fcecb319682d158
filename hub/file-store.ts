/**
 * The hub's customer-document files (data folder `files/<sha256>`), served by hub/server.ts.
 *
 * A file is written as `<sha>.<random>.part`, fsynced, renamed under its name, and the folder
 * fsynced: a crash leaves either no file or the whole file under its name, never a short one.
 * A file already on disk (written before this rule, or damaged since) is checked before the hub
 * says it holds it (HEAD) or serves it (GET): its SHA-256 is computed once per size and mtime and
 * remembered, so a HEAD costs a stat afterwards. A damaged file is moved aside to `files/damaged/`
 * and answered as not held: the register that added it sends it again when it next asks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

interface Checked {
  size: number;
  mtimeMs: number;
}

export class HubFiles {
  /** Files found whole, by the size and mtime they had then. */
  private readonly whole = new Map<string, Checked>();

  constructor(
    readonly dir: string,
    private readonly log: (message: string) => void,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  path(sha: string): string {
    return join(this.dir, sha);
  }

  /** Keeps `bytes` (already checked against `sha`) under its name, durably. */
  write(sha: string, bytes: Buffer): void {
    const target = this.path(sha);
    const part = `${target}.${randomBytes(6).toString('hex')}.part`;
    const fd = openSync(part, 'w');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } catch (error) {
      closeSync(fd);
      rmSync(part, { force: true });
      throw error;
    }
    closeSync(fd);
    renameSync(part, target);
    syncDir(this.dir);
    const stat = statSync(target);
    this.whole.set(sha, { size: stat.size, mtimeMs: stat.mtimeMs });
  }

  /**
   * True when the hub holds the file whole. A damaged one is moved aside (and false returned):
   * it is no longer under its name, so the register that has it sends it again.
   */
  async holds(sha: string): Promise<boolean> {
    try {
      return await this.check(sha);
    } catch (error) {
      // Moved aside by a request for the same file meanwhile.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  private async check(sha: string): Promise<boolean> {
    const target = this.path(sha);
    if (!existsSync(target)) return false;
    const stat = statSync(target);
    const known = this.whole.get(sha);
    if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs) return true;
    if ((await hashOf(target)) === sha) {
      this.whole.set(sha, { size: stat.size, mtimeMs: stat.mtimeMs });
      return true;
    }
    this.whole.delete(sha);
    const aside = join(this.dir, 'damaged');
    mkdirSync(aside, { recursive: true });
    renameSync(target, join(aside, `${sha}.${Date.now()}`));
    this.log(`a document file on the hub's disk was damaged (its bytes no longer match its SHA-256): moved to files/damaged/, its register sends it again (${sha})`);
    return false;
  }
}

function hashOf(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** The folder's entry (the rename) on disk too; folders cannot be fsynced everywhere (Windows). */
function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported here: the file itself was fsynced.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
