/**
 * The data folder holds personal and medical data (the database, its WAL and SHM, backups, logs):
 * only the user the register runs as may read it. On Linux and macOS: folders 0700, files 0600.
 * On Windows, POSIX modes mean nothing: the data folder gets an ACL for the current user only
 * (inheritance off, full control to this user), which its files and sub-folders inherit.
 *
 * One exception, on Windows only: the installed app's folder in ProgramData is one store shared
 * by every Windows account of the PC (staff sign in with their own accounts). The installer gives
 * it its ACL (the PC's local Users group may modify it; resources/build/installer.nsh), and the
 * register leaves that ACL alone: narrowing it to whoever started the register first would lock
 * every other account out of the database.
 *
 * Each function is best-effort by design: a file system that cannot take modes (a FAT stick, a
 * network share) must not stop the register; the failure is returned for the caller to log.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';

export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export interface PrivacyOptions {
  platform?: NodeJS.Platform;
  /** Windows: the installed app's ProgramData folder, shared by the PC's accounts (see above). */
  sharedByAllAccounts?: boolean;
  /** For tests: who the current Windows user is, and how icacls is run. */
  env?: NodeJS.ProcessEnv;
  runCommand?: (command: string, args: string[]) => void;
}

/** Make the data folder private to this user. Returns a description of what failed, or null. */
export function restrictFolder(dir: string, options: PrivacyOptions = {}): string | null {
  if ((options.platform ?? process.platform) === 'win32') {
    return options.sharedByAllAccounts ? null : restrictWithIcacls(dir, options);
  }
  return chmodOrSay(dir, PRIVATE_FOLDER_MODE);
}

/**
 * A folder inside the data folder (backups/, logs/): 0700 on Linux and macOS. On Windows it keeps
 * what it inherits from the data folder (an ACL of its own would cut the data folder's off).
 */
export function restrictSubFolder(dir: string, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32') return null;
  return chmodOrSay(dir, PRIVATE_FOLDER_MODE);
}

/** Make existing files private to this user (missing files are skipped). Returns what failed, or null. */
export function restrictFiles(files: string[], platform: NodeJS.Platform = process.platform): string | null {
  // On Windows the files inherit the data folder's ACL.
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
 * files (OI) and folders (CI), on the folder and what is already in it (/T). Runs only on Windows
 * (the arguments are checked by a unit test with a stand-in runner; this repository's tests run on
 * Linux).
 */
function restrictWithIcacls(dir: string, options: PrivacyOptions): string | null {
  const env = options.env ?? process.env;
  const user = env.USERDOMAIN && env.USERNAME ? `${env.USERDOMAIN}\\${env.USERNAME}` : env.USERNAME;
  if (!user) return `${dir}: the current Windows user is not known (USERNAME is not set)`;
  const run = options.runCommand ?? ((command: string, args: string[]) => execFileSync(command, args, { stdio: 'ignore', windowsHide: true }));
  try {
    run('icacls', [dir, '/inheritance:r', '/grant:r', `${user}:(OI)(CI)F`, '/T', '/Q']);
    return null;
  } catch (error) {
    return `${dir}: icacls failed (${error instanceof Error ? error.message : String(error)})`;
  }
}
