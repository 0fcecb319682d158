/**
 * Rotating online backups of the register's database (SQLite's backup API: the register keeps
 * selling while it runs), and restoring one when the live file is damaged.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkIntegrity } from './db.js';

export interface BackupInfo {
  file: string;
  createdAt: number;
  sizeBytes: number;
  intact: boolean;
}

const BACKUP_PATTERN = /^register-(\d{13})\.sqlite$/;

export function backupFolderIn(dataDir: string): string {
  return join(dataDir, 'backups');
}

/** Copy the live database into the backup folder, then keep only the newest `keep` backups. */
export async function createBackup(
  sqlite: Database.Database,
  backupDir: string,
  keep: number,
  now: number = Date.now(),
): Promise<string> {
  mkdirSync(backupDir, { recursive: true });
  const target = join(backupDir, `register-${now}.sqlite`);
  const partial = `${target}.partial`;
  // Write to a .partial name and rename, so a crash mid-backup never leaves a file that looks whole.
  await sqlite.backup(partial);
  renameSync(partial, target);
  pruneBackups(backupDir, keep);
  return target;
}

export function pruneBackups(backupDir: string, keep: number): void {
  const files = listBackupFiles(backupDir);
  for (const stale of files.slice(keep)) rmSync(join(backupDir, stale.name), { force: true });
  for (const name of readdirSync(backupDir)) {
    if (name.endsWith('.partial')) rmSync(join(backupDir, name), { force: true });
  }
}

function listBackupFiles(backupDir: string): Array<{ name: string; createdAt: number }> {
  if (!existsSync(backupDir)) return [];
  return readdirSync(backupDir)
    .map((name) => ({ name, match: BACKUP_PATTERN.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ name, match }) => ({ name, createdAt: Number(match[1]) }))
    .sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * Backups newest first, each opened read-only and checked with quick_check (every page; the full
 * check runs on the one a person chooses, before it is restored).
 */
export function listBackups(backupDir: string): BackupInfo[] {
  return listBackupFiles(backupDir).map(({ name, createdAt }) => {
    const file = join(backupDir, name);
    return { file, createdAt, sizeBytes: statSync(file).size, intact: isIntact(file, 'quick') };
  });
}

export function isIntact(file: string, mode: 'full' | 'quick' = 'full'): boolean {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return checkIntegrity(db, mode) === null;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

/**
 * Put a backup in place of a damaged database. The damaged file (and its WAL) is renamed, never
 * deleted, so support can still look at it.
 */
export function restoreBackup(
  databaseFile: string,
  backupFile: string,
  now: number = Date.now(),
): { restoredFrom: string; damagedFileKeptAs: string } {
  if (!BACKUP_PATTERN.test(basename(backupFile)) || !existsSync(backupFile)) {
    throw new Error(`There is no backup named ${basename(backupFile)}: choose one from the list.`);
  }
  if (!isIntact(backupFile)) {
    throw new Error(`The backup ${basename(backupFile)} is damaged too: choose an older one.`);
  }
  const damagedFileKeptAs = `${databaseFile}.damaged-${now}`;
  if (existsSync(databaseFile)) renameSync(databaseFile, damagedFileKeptAs);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(databaseFile + suffix)) renameSync(databaseFile + suffix, damagedFileKeptAs + suffix);
  }
  const partial = `${databaseFile}.restoring`;
  copyFileSync(backupFile, partial);
  renameSync(partial, databaseFile);
  return { restoredFrom: backupFile, damagedFileKeptAs };
}
