/**
 * The data folder holds personal and medical data (the database, its WAL and SHM, backups, logs):
 * only the user the register runs as may read it. On Linux and macOS: folders 0700, files 0600.
 * On Windows, POSIX modes mean nothing: the data folder gets an ACL for the current user only
 * (inheritance off, full control to this user), which its files and sub-folders inherit.
 *
 * Each function is best-effort by design: a file system that cannot take modes (a FAT stick, a
 * network share) must not stop the register; the failure is returned for the caller to log.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';

export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Make a folder private to this user. Returns a description of what failed, or null. */
export function restrictFolder(dir: string, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32') return restrictWithIcacls(dir);
  return chmodOrSay(dir, PRIVATE_FOLDER_MODE);
}

/** Make existing files private to this user (missing files are skipped). Returns what failed, or null. */
export function restrictFiles(files: string[], platform: NodeJS.Platform = process.platform): string | null {
  // On Windows the files inherit the data folder's user-only ACL.
  if (platform === 'win32') return null;
  const problems = files.filter(existsSync).map((file) => chmodOrSay(file, PRIVATE_FILE_MODE)).filter((p) => p !== null);
  return problems.length === 0 ? null : problems.join('; ');
}

/** The database and the files SQLite keeps beside it. */
export function databaseFiles(databaseFile: string): string[] {
  return [databaseFile, `${databaseFile}-wal`, `${databaseFile}-shm`, `${databaseFile}-journal`];
}

function chmodOrSay(path: string, mode: number): string | null {
  try {
    chmodSync(path, mode);
    return null;
  } catch (error) {
    return `${path}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * icacls: drop inherited entries and grant full control to the current user only, inherited by
 * files (OI) and folders (CI). Runs only on Windows (not exercised by this repository's tests,
 * which run on Linux).
 */
function restrictWithIcacls(dir: string): string | null {
  const user = process.env.USERDOMAIN && process.env.USERNAME ? `${process.env.USERDOMAIN}\\${process.env.USERNAME}` : process.env.USERNAME;
  if (!user) return `${dir}: the current Windows user is not known (USERNAME is not set)`;
  try {
    execFileSync('icacls', [dir, '/inheritance:r', '/grant:r', `${user}:(OI)(CI)F`, '/T', '/Q'], { stdio: 'ignore', windowsHide: true });
    return null;
  } catch (error) {
    return `${dir}: icacls failed (${error instanceof Error ? error.message : String(error)})`;
  }
}
