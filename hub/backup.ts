/**
 * Logical backups of the hub (research/hub.md §3.1, §6.4). The embedded PostgreSQL ships no
 * pg_dump, so a backup is every table read in one REPEATABLE READ snapshot through a cursor, a
 * batch of rows at a time, and written as gzipped JSON lines; the customer documents' files are
 * copied as files; the manifest (counts and hashes, the hub's TLS key and certificate, so a hub
 * restored on another PC is the same hub to the registers that pinned it) is written last. The
 * format: backup-format.ts. Memory stays bounded by one batch of rows, whatever the store's size.
 * After a backup (and its copies) is safely on disk, each device's backed-up sequence number is
 * raised: registers may prune outbox rows up to it.
 *
 * Restore (backup-restore.ts) checks the whole backup before it touches a database.
 */
import { chmodSync, copyFileSync, createReadStream, createWriteStream, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type pg from 'pg';
import {
  BACKUP_FORMAT,
  finishedBackups,
  fsyncPath,
  HUB_TABLES,
  MANIFEST,
  PART_SUFFIX,
  readManifest,
  SHA_NAME,
  tableFile,
  unfinishedBackups,
  backupName,
  readTls,
  type BackupManifest,
} from './backup-format.js';

export { HUB_TABLES } from './backup-format.js';

export interface BackupResult {
  /** The backup's folder. */
  path: string;
  /** The same backup on the other disks it was copied to. */
  copies: string[];
  takenAt: number;
  rows: number;
  /** Document files the backup holds. */
  files: number;
  /** Bytes this backup wrote (tables, manifest, document files it did not already hold). */
  bytes: number;
  /** Document files in the hub's folder whose bytes no longer match their name: left out of the backup. */
  damagedOnHub: string[];
}

/** Rows fetched from a cursor at a time: what a backup holds in memory. */
export const BACKUP_BATCH_ROWS = 500;

/** One backup at a time per data folder (the hourly timer and `npm run hub -- backup` may meet). */
const inProgress = new Map<string, Promise<unknown>>();

/**
 * `copyDirs`: other disks to copy each backup to (a register's share, a USB disk): a backup only on
 * the hub's own disk does not survive that disk. Devices' backed-up seqs are raised only after the
 * copies too (a copy that fails is logged by the caller and the seqs stay).
 */
export function takeBackup(pool: pg.Pool, dataDir: string, options: { keep?: number; now?: number; copyDirs?: string[] } = {}): Promise<BackupResult> {
  const before = inProgress.get(dataDir) ?? Promise.resolve();
  const run = before.catch(() => undefined).then(() => writeBackup(pool, dataDir, options));
  inProgress.set(dataDir, run);
  const done = () => {
    if (inProgress.get(dataDir) === run) inProgress.delete(dataDir);
  };
  run.then(done, done);
  return run;
}

async function writeBackup(pool: pg.Pool, dataDir: string, options: { keep?: number; now?: number; copyDirs?: string[] }): Promise<BackupResult> {
  const takenAt = options.now ?? Date.now();
  const dir = join(dataDir, 'backups');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A backup cut off by a stopped hub is never finished: only one runs at a time, so it is stale.
  for (const stale of unfinishedBackups(dir)) rmSync(join(dir, stale), { recursive: true, force: true });
  const name = backupName(takenAt);
  const work = join(dir, `${name}${PART_SUFFIX}`);
  privateFolder(work);
  privateFolder(join(work, 'tables'));
  privateFolder(join(work, 'files'));
  let bytes = 0;
  const tables: BackupManifest['tables'] = [];
  let meta: Record<string, unknown> | undefined;
  const devices: Array<{ deviceId: string; lastSeq: unknown }> = [];
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    for (const table of HUB_TABLES) {
      const written = await writeTable(client, table, join(work, tableFile(table)), (row) => {
        if (table === 'hub_meta') meta ??= row;
        if (table === 'devices') devices.push({ deviceId: String(row.device_id), lastSeq: row.last_seq });
      });
      tables.push({ name: table, file: tableFile(table), ...written });
      bytes += written.bytes;
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
    throw error;
  } finally {
    client.release();
  }
  if (!meta) {
    rmSync(work, { recursive: true, force: true });
    throw new Error('hub_meta is missing');
  }
  let files: Awaited<ReturnType<typeof copyDocumentFiles>>;
  try {
    files = await copyDocumentFiles(join(dataDir, 'files'), join(work, 'files'), previousFiles(dir));
    bytes += files.bytes;
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: 2,
      hubId: String(meta.hub_id),
      hubEpoch: String(meta.hub_epoch),
      takenAt,
      tls: readTls(dataDir),
      tables,
      files: files.files,
      damagedOnHub: files.damaged,
    };
    bytes += writeManifest(work, manifest);
    renameSync(work, join(dir, name));
    fsyncPath(dir);
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  const path = join(dir, name);
  const keep = options.keep ?? 48;
  const copies: string[] = [];
  for (const copyDir of options.copyDirs ?? []) {
    copies.push(copyBackup(path, copyDir));
    pruneBackups(copyDir, keep);
  }
  // Only now is it safe to tell registers they may prune what this backup holds.
  for (const device of devices) {
    await pool.query('UPDATE devices SET backed_up_seq = GREATEST(backed_up_seq, $2) WHERE device_id = $1', [device.deviceId, device.lastSeq]);
  }
  pruneBackups(dir, keep);
  return { path, copies, takenAt, rows: tables.reduce((n, t) => n + t.rows, 0), files: files.files.length, bytes, damagedOnHub: files.damaged };
}

/** Passes bytes through, counting and hashing them. */
function hashTap(): { tap: Transform; result: () => { sha256: string; bytes: number } } {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  return { tap, result: () => ({ sha256: hash.digest('hex'), bytes }) };
}

/** One table through a cursor into gzipped JSON lines; `seen` sees each row. */
async function writeTable(client: pg.PoolClient, table: string, path: string, seen: (row: Record<string, unknown>) => void): Promise<{ rows: number; bytes: number; sha256: string }> {
  let rows = 0;
  async function* lines(): AsyncGenerator<Buffer> {
    await client.query(`DECLARE backup_rows NO SCROLL CURSOR FOR SELECT * FROM ${table}`);
    for (;;) {
      const batch = await client.query<Record<string, unknown>>(`FETCH ${BACKUP_BATCH_ROWS} FROM backup_rows`);
      if (batch.rows.length === 0) break;
      rows += batch.rows.length;
      for (const row of batch.rows) seen(row);
      yield Buffer.from(batch.rows.map((row) => `${JSON.stringify(row)}\n`).join(''), 'utf8');
    }
    await client.query('CLOSE backup_rows');
  }
  const { tap, result } = hashTap();
  await pipeline(Readable.from(lines()), createGzip(), tap, createWriteStream(path, { mode: 0o600 }));
  fsyncPath(path);
  return { rows, ...result() };
}

/** The files the newest finished backup in `dir` holds (sha256 → its path and size), to link instead of copying. */
function previousFiles(dir: string): Map<string, { path: string; bytes: number }> {
  const found = new Map<string, { path: string; bytes: number }>();
  for (const name of finishedBackups(dir).reverse()) {
    const manifest = readManifest(join(dir, name));
    if (!manifest) continue;
    for (const file of manifest.files) found.set(file.sha256, { path: join(dir, name, 'files', file.sha256), bytes: file.bytes });
    break;
  }
  return found;
}

/** Hard-links `dest` to the file the previous backup holds under this name with this size; false when it cannot. */
function linkFrom(previous: Map<string, { path: string; bytes: number }>, sha: string, size: number, dest: string): boolean {
  const held = previous.get(sha);
  if (!held || held.bytes !== size) return false;
  try {
    if (statSync(held.path).size !== size) return false;
    linkSync(held.path, dest);
    return true;
  } catch {
    return false; // a disk without hard links (FAT): copy instead
  }
}

/** Copies a file, hashing what it read: the copy is kept only when its bytes match `sha`. */
async function copyChecked(source: string, dest: string, sha: string): Promise<boolean> {
  const { tap, result } = hashTap();
  await pipeline(createReadStream(source), tap, createWriteStream(dest, { mode: 0o600 }));
  if (result().sha256 !== sha) {
    rmSync(dest, { force: true });
    return false;
  }
  fsyncPath(dest);
  return true;
}

/** Every document file the hub holds (files/<sha256>), linked from the previous backup or copied one at a time. */
async function copyDocumentFiles(
  source: string,
  dest: string,
  previous: Map<string, { path: string; bytes: number }>,
): Promise<{ files: BackupManifest['files']; damaged: string[]; bytes: number }> {
  const files: BackupManifest['files'] = [];
  const damaged: string[] = [];
  let bytes = 0;
  if (!existsSync(source)) return { files, damaged, bytes };
  for (const sha of readdirSync(source).filter((n) => SHA_NAME.test(n)).sort()) {
    const from = join(source, sha);
    const to = join(dest, sha);
    let size: number;
    try {
      size = statSync(from).size;
    } catch {
      continue; // removed since the listing
    }
    if (linkFrom(previous, sha, size, to)) {
      files.push({ sha256: sha, bytes: size });
      continue;
    }
    let whole: boolean;
    try {
      whole = await copyChecked(from, to, sha);
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') continue; // removed since the listing
      throw error;
    }
    if (whole) {
      files.push({ sha256: sha, bytes: size });
      bytes += size;
    } else {
      damaged.push(sha);
    }
  }
  return { files, damaged, bytes };
}

/**
 * A backup's folders are the hub user's alone (the manifest holds the hub's TLS private key):
 * 0700 whatever the umask, on POSIX. Windows has no such modes: its folders keep their ACLs.
 */
function privateFolder(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(path, 0o700);
}

/** The manifest (with the TLS private key) readable by the hub user only, on POSIX. */
function privateFile(path: string): void {
  if (process.platform !== 'win32') chmodSync(path, 0o600);
}

function writeManifest(folder: string, manifest: BackupManifest): number {
  const body = Buffer.from(JSON.stringify(manifest, null, 1), 'utf8');
  const path = join(folder, MANIFEST);
  writeFileSync(`${path}${PART_SUFFIX}`, body, { mode: 0o600, flush: true });
  privateFile(`${path}${PART_SUFFIX}`);
  renameSync(`${path}${PART_SUFFIX}`, path);
  return body.length;
}

/** Copies a finished backup folder into `copyDir` (its manifest last, the folder renamed when whole). Returns its path there. */
function copyBackup(path: string, copyDir: string): string {
  mkdirSync(copyDir, { recursive: true });
  for (const stale of unfinishedBackups(copyDir)) rmSync(join(copyDir, stale), { recursive: true, force: true });
  const manifest = readManifest(path);
  if (!manifest) throw new Error(`The backup ${path} has no readable manifest: it was not copied.`);
  const name = path.split(/[\\/]/).at(-1) ?? '';
  const work = join(copyDir, `${name}${PART_SUFFIX}`);
  const previous = previousFiles(copyDir);
  try {
    privateFolder(work);
    privateFolder(join(work, 'tables'));
    privateFolder(join(work, 'files'));
    for (const table of manifest.tables) {
      copyFileSync(join(path, table.file), join(work, table.file));
      fsyncPath(join(work, table.file));
    }
    for (const file of manifest.files) {
      const to = join(work, 'files', file.sha256);
      if (linkFrom(previous, file.sha256, file.bytes, to)) continue;
      copyFileSync(join(path, 'files', file.sha256), to);
      fsyncPath(to);
    }
    copyFileSync(join(path, MANIFEST), join(work, MANIFEST));
    privateFile(join(work, MANIFEST));
    fsyncPath(join(work, MANIFEST));
    renameSync(work, join(copyDir, name));
    fsyncPath(copyDir);
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  return join(copyDir, name);
}

/** Keeps the newest `keep` finished backups in a folder (folders and formatVersion 1 files alike). */
function pruneBackups(dir: string, keep: number): void {
  const finished = finishedBackups(dir);
  for (const old of finished.slice(0, Math.max(0, finished.length - keep))) rmSync(join(dir, old), { recursive: true, force: true });
}
