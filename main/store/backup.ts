/**
 * Rotating online backups of the register's database, and restoring one when the live file is
 * damaged or gone.
 *
 * - A backup is SQLite's online backup API run in one step from a worker thread, on the worker's
 *   own read-only connection: one consistent snapshot (writers keep going in WAL mode, and a write
 *   from another connection cannot restart it), and the register's thread never waits for it.
 * - Each backup is named `register-<epoch ms>-<store identity>.sqlite`. Rotation removes only old
 *   backups of the same store: the backups of another store (or untagged ones made before stores
 *   had identities) are never rotated out.
 * - Backups are restored by name from the data folder's backups/, never from an arbitrary path.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHEAP_CHECK_MAX_BYTES, checkIntegrity } from './db.js';
import { integrityCheckInWorker } from './integrity.js';
import { restrictFiles, restrictSubFolder } from './permissions.js';
import { startSqliteWorker } from './worker.js';

export interface BackupInfo {
  /** The file's name inside backups/: what a restore asks for. */
  name: string;
  file: string;
  createdAt: number;
  sizeBytes: number;
  /** The store the backup was made of; null for backups made before stores had identities. */
  storeIdentity: string | null;
  intact: boolean;
}

/** register-<13-digit epoch ms>[-<store identity ULID>].sqlite */
const BACKUP_PATTERN = /^register-(\d{13})(?:-([0-9A-HJKMNP-TV-Z]{26}))?\.sqlite$/;

export function backupFolderIn(dataDir: string): string {
  return join(dataDir, 'backups');
}

export function backupName(now: number, storeIdentity: string | null): string {
  return `register-${String(now).padStart(13, '0')}${storeIdentity ? `-${storeIdentity}` : ''}.sqlite`;
}

export function isBackupName(name: string): boolean {
  return BACKUP_PATTERN.test(name);
}

export interface CreateBackupOptions {
  keep: number;
  now: number;
  storeIdentity: string | null;
  /** Give up (and leave no file) when the backup has not finished by then (epoch ms, Date.now clock). */
  deadline?: number;
  /** Stop the backup (and leave no file) when this aborts. */
  signal?: AbortSignal;
  /** Back up in the register's process up to this store size; default IN_PROCESS_BACKUP_MAX_BYTES. */
  inProcessMaxBytes?: number;
}

/**
 * Back up the database file into the backup folder, then rotate this store's old backups.
 * Resolves with the backup's path, or null when the deadline passed first.
 */
export async function createBackup(databaseFile: string, backupDir: string, options: CreateBackupOptions): Promise<string | null> {
  mkdirSync(backupDir, { recursive: true, mode: 0o700 });
  restrictSubFolder(backupDir);
  const target = join(backupDir, backupName(options.now, options.storeIdentity));
  const partial = `${target}.partial`;
  // Written under a .partial name and renamed, so a crash mid-backup never leaves a file that looks whole.
  // A small store is copied here in a few milliseconds; starting a process would cost more (and,
  // on a busy machine, could eat close's 2 s budget). A big one goes to a worker process.
  if (options.signal?.aborted || (options.deadline !== undefined && Date.now() >= options.deadline)) return null;
  const finished = storeBytes(databaseFile) <= (options.inProcessMaxBytes ?? IN_PROCESS_BACKUP_MAX_BYTES)
    ? await backupInProcess(databaseFile, partial)
    : await backupFileInWorker(databaseFile, partial, options);
  if (!finished) return null;
  restrictFiles([partial]);
  renameSync(partial, target);
  pruneBackups(backupDir, options.keep, options.storeIdentity);
  return target;
}

/** Stores up to this size (database + WAL) are backed up in the register's process: ~20 ms of copying. */
export const IN_PROCESS_BACKUP_MAX_BYTES = 16 * 1024 * 1024;

function storeBytes(file: string): number {
  let bytes = 0;
  for (const part of [file, `${file}-wal`]) if (existsSync(part)) bytes += statSync(part).size;
  return bytes;
}

async function backupInProcess(source: string, target: string): Promise<true> {
  const sqlite = new Database(source, { readonly: true, fileMustExist: true });
  try {
    sqlite.pragma('busy_timeout = 5000');
    // One step for every page: one consistent snapshot, never restarted by another writer.
    await sqlite.backup(target, { progress: () => 0x7fffffff });
  } catch (error) {
    removePartial(target);
    throw error;
  } finally {
    sqlite.close();
  }
  return true;
}

// CommonJS run in the worker process (see worker.ts for workerData and answer).
const BACKUP_WORKER = `
const Database = require(workerData.driver);
(async () => {
  const source = new Database(workerData.source, { readonly: true, fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    // One step for every page: one read transaction, one consistent snapshot, never restarted.
    await source.backup(workerData.target, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
  answer({ ok: true });
})().catch((error) => answer({ ok: false, message: String((error && error.message) || error) }));
`;

/**
 * SQLite's online backup of `source` into `target`, in a worker process. Resolves true when done,
 * false when the deadline passed or the signal aborted first (the worker is ended, `target` removed).
 */
export async function backupFileInWorker(
  source: string,
  target: string,
  options: { deadline?: number; signal?: AbortSignal } = {},
): Promise<boolean> {
  if (options.signal?.aborted) return false;
  const worker = startSqliteWorker<{ ok: boolean; message?: string }>(
    BACKUP_WORKER,
    { source, target },
    { keepAlive: true, ...(options.deadline === undefined ? {} : { deadline: options.deadline }) },
  );
  const stop = () => worker.stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  const result = await worker.result.finally(() => options.signal?.removeEventListener('abort', stop));
  if (result === 'timeout' || result === 'stopped') {
    // The worker process was ended (it is gone by now): its unfinished file goes too.
    removePartial(target);
    return false;
  }
  if (!result.ok) {
    removePartial(target);
    throw new Error(result.message ?? 'the backup failed');
  }
  return true;
}

function removePartial(target: string): void {
  for (const file of [target, `${target}-journal`]) rmSync(file, { force: true });
}

/** Keep the newest `keep` backups of this store; never touch another store's backups. */
export function pruneBackups(backupDir: string, keep: number, storeIdentity: string | null): void {
  const own = listBackupFiles(backupDir).filter((backup) => backup.storeIdentity !== null && backup.storeIdentity === storeIdentity);
  for (const stale of own.slice(keep)) rmSync(join(backupDir, stale.name), { force: true });
  for (const name of readdirSync(backupDir)) {
    if (!name.endsWith('.partial') && !name.endsWith('.partial-journal')) continue;
    // A .partial older than a minute was left by a crash; a newer one may be a backup under way.
    const file = join(backupDir, name);
    if (Date.now() - statSync(file).mtimeMs > 60_000) rmSync(file, { force: true });
  }
}

function listBackupFiles(backupDir: string): Array<{ name: string; createdAt: number; storeIdentity: string | null }> {
  if (!existsSync(backupDir)) return [];
  return readdirSync(backupDir)
    .map((name) => ({ name, match: BACKUP_PATTERN.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ name, match }) => ({ name, createdAt: Number(match[1]), storeIdentity: match[2] ?? null }))
    .sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * Backups newest first, each opened read-only and looked at: quick_check (every page) while the
 * file is small enough for that to take a moment, otherwise a look at its header and schema that
 * costs the same on any size (the damaged screen lists them while the person waits). The full
 * check runs on the one a person chooses, in a worker process, before it is restored.
 */
export function listBackups(backupDir: string): BackupInfo[] {
  return listBackupFiles(backupDir).map(({ name, createdAt, storeIdentity }) => {
    const file = join(backupDir, name);
    const sizeBytes = statSync(file).size;
    return { name, file, createdAt, storeIdentity, sizeBytes, intact: isIntact(file, sizeBytes <= CHEAP_CHECK_MAX_BYTES ? 'quick' : 'header') };
  });
}

export function isIntact(file: string, mode: 'full' | 'quick' | 'header' = 'full'): boolean {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      if (mode !== 'header') return checkIntegrity(db, mode) === null;
      db.prepare('SELECT COUNT(*) FROM sqlite_schema').get();
      // A whole file: as many pages as its header says.
      const pages = db.pragma('page_count', { simple: true }) as number;
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      return pages * pageSize === statSync(file).size;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

/**
 * The path of the backup with this name in the backup folder. Only a bare backup name is
 * accepted: no folder, no `..`, nothing outside backups/.
 */
export function backupFileNamed(backupDir: string, name: string): string {
  if (!BACKUP_PATTERN.test(name)) {
    throw new Error(`"${name}" is not the name of a backup: choose one from the list.`);
  }
  const file = join(backupDir, name);
  if (!existsSync(file)) throw new Error(`There is no backup named ${name}: choose one from the list.`);
  return file;
}

/**
 * Put the named backup, once it passes the full check, in place of a damaged (or missing) database. The damaged file (and its
 * WAL) is renamed, never deleted, so support can still look at it.
 */
export async function restoreBackup(
  databaseFile: string,
  backupDir: string,
  name: string,
  now: number = Date.now(),
): Promise<{ restoredFrom: string; damagedFileKeptAs: string | null }> {
  const backupFile = backupFileNamed(backupDir, name);
  // The full check, in a worker process: seconds on a multi-GB backup, and the register answers meanwhile.
  if ((await integrityCheckInWorker(backupFile, { restFactor: 0 })) !== null) {
    throw new Error(`The backup ${name} is damaged too: choose an older one.`);
  }
  const keptAs = `${databaseFile}.damaged-${now}`;
  let damagedFileKeptAs: string | null = null;
  if (existsSync(databaseFile)) {
    renameSync(databaseFile, keptAs);
    damagedFileKeptAs = keptAs;
  }
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(databaseFile + suffix)) renameSync(databaseFile + suffix, keptAs + suffix);
  }
  const partial = `${databaseFile}.restoring`;
  copyFileSync(backupFile, partial);
  restrictFiles([partial]);
  renameSync(partial, databaseFile);
  return { restoredFrom: name, damagedFileKeptAs };
}
