/**
 * The hub's customer-document files (data folder `files/<sha256>`), served by hub/server.ts.
 *
 * A file is written as `<sha>.<random>.part`, fsynced, renamed under its name, and the folder
 * fsynced: a crash leaves either no file or the whole file under its name, never a short one.
 * A file already on disk (written before this rule, or damaged since) is checked before the hub
 * says it holds it (HEAD) or serves it (GET): its SHA-256 is computed once per size and mtime and
 * remembered, so a HEAD costs a stat afterwards. A damaged file is moved aside to `files/damaged/`
 * and answered as not held, and `onDamaged` is told: the hub asks the stations (a change row) to
 * send it again, and a station that holds it whole does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { inTransaction, writeChanges } from './changes.js';

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
    private readonly onDamaged: (sha: string) => void = () => undefined,
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
    this.log(`a document file on the hub's disk was damaged (its bytes no longer match its SHA-256): moved to files/damaged/, the stations that hold it are asked to send it again (${sha})`);
    this.onDamaged(sha);
    return false;
  }
}

/**
 * After the hub found a document file damaged: each document with that file is published again
 * with `fileLostAt`, so the station that added it (or any station that fetched it whole) sends
 * it again at its next pull. Nothing is stored: the change row is the request.
 */
export async function askStationsToResend(pool: pg.Pool, sha: string, now: number): Promise<number> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string; data: Record<string, unknown> }>('SELECT id, data FROM customer_documents WHERE sha256 = $1 ORDER BY id', [sha]);
    await writeChanges(
      client,
      rows.map((row) => ({ entity: 'customer_document' as const, id: row.id, op: 'upsert' as const, data: { ...row.data, fileLostAt: now } })),
      { commandId: null, deviceId: null, at: now },
    );
    return rows.length;
  });
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
