/**
 * Opening the register's SQLite database: folder checks, pragmas, integrity check, migrations.
 * Everything a person must act on becomes a StoreDamagedError or DataFolderError with a message
 * that says what to do; nothing here ever deletes or silently replaces a database file.
 */
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as schema from './schema.js';
import { DataFolderError, StoreDamagedError } from './errors.js';
import { databaseFiles, PRIVATE_FILE_MODE, restrictFiles, restrictFolder, type PrivacyOptions } from './permissions.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface Store {
  readonly file: string;
  readonly sqlite: Database.Database;
  readonly db: Db;
  close(): void;
}

export interface OpenStoreOptions {
  /** Path of the database file. */
  file: string;
  /** Folder holding the drizzle migrations (defaults to the repository's /drizzle). */
  migrationsFolder: string;
  /**
   * Which check runs before the file is used: `full` (integrity_check, the default), `quick`
   * (quick_check: every page, but no index cross-checks), or `cheap`: quick_check only while the
   * file is small enough for it to take a moment (CHEAP_CHECK_MAX_BYTES), so that start-up does not
   * grow with the store; the register runs the full check in a worker after start (integrity.ts).
   * A file that is not a database at all is caught by every mode (its schema cannot be read).
   */
  integrityCheck?: 'full' | 'quick' | 'cheap';
  /** The size (database + WAL) up to which `cheap` still runs quick_check; default CHEAP_CHECK_MAX_BYTES. */
  cheapCheckMaxBytes?: number;
}

export const BUSY_TIMEOUT_MS = 5000;

/** quick_check reads every page: about 150 ms for 64 MiB on this project's 2-core machine. */
export const CHEAP_CHECK_MAX_BYTES = 64 * 1024 * 1024;

/** The pragmas every connection to the register's database uses (the sync worker's too). */
export function applyPragmas(sqlite: Database.Database): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

/**
 * Make the data folder (private to this user: 0700, or a user-only ACL on Windows unless it is the
 * installed app's folder shared by the PC's accounts) and check it can be written. Returns a note
 * when the folder could not be made private (the caller logs it).
 */
export function ensureDataFolder(dataDir: string, privacy: PrivacyOptions = {}): string | null {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DataFolderError(dataDir, describeFsError(error));
  }
  try {
    accessSync(dataDir, constants.W_OK | constants.R_OK);
  } catch (error) {
    throw new DataFolderError(dataDir, describeFsError(error));
  }
  return restrictFolder(dataDir, privacy);
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'this user is not allowed to write there';
    case 'EROFS':
      return 'the disk is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a file with that name is in the way';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** Run PRAGMA integrity_check (or quick_check); returns null when the file is sound. */
export function checkIntegrity(sqlite: Database.Database, mode: 'full' | 'quick' = 'full'): string | null {
  const rows = sqlite.pragma(mode === 'full' ? 'integrity_check' : 'quick_check') as Array<Record<string, string>>;
  const messages = rows.map((row) => Object.values(row)[0] ?? '').filter((m) => m !== 'ok');
  return messages.length === 0 ? null : messages.slice(0, 5).join('; ');
}

export function openStore(options: OpenStoreOptions): Store {
  const { file, migrationsFolder } = options;
  const isNew = !existsSync(file);
  let sqlite: Database.Database;
  try {
    // A new file is made private before SQLite writes anything; its WAL and SHM take its mode.
    if (isNew) closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
    restrictFiles(databaseFiles(file));
    sqlite = new Database(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_CANTOPEN') {
      throw new DataFolderError(file, 'the database file cannot be opened or created');
    }
    if (code?.startsWith('E')) throw new DataFolderError(file, describeFsError(error));
    throw new StoreDamagedError(file, error instanceof Error ? error.message : String(error));
  }
  try {
    applyPragmas(sqlite);
    if (!isNew) {
      const mode = options.integrityCheck ?? 'full';
      // Reading the schema catches a file that is not a database, whatever the mode.
      sqlite.prepare('SELECT COUNT(*) FROM sqlite_schema').get();
      if (mode !== 'cheap' || databaseBytes(file) <= (options.cheapCheckMaxBytes ?? CHEAP_CHECK_MAX_BYTES)) {
        const problem = checkIntegrity(sqlite, mode === 'full' ? 'full' : 'quick');
        if (problem) throw new StoreDamagedError(file, `integrity check failed (${problem})`);
      }
    }
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder });
    // The WAL and SHM now exist: private too (an older file may have been made before this rule).
    restrictFiles(databaseFiles(file));
    return {
      file,
      sqlite,
      db,
      close: () => {
        if (sqlite.open) sqlite.close();
      },
    };
  } catch (error) {
    sqlite.close();
    if (error instanceof StoreDamagedError || error instanceof DataFolderError) throw error;
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreDamagedError(file, 'the file is not a readable database');
    }
    if (code === 'SQLITE_READONLY' || code === 'SQLITE_IOERR_WRITE' || code === 'SQLITE_FULL') {
      throw new DataFolderError(file, `the database cannot be written (${code})`);
    }
    throw error;
  }
}

function databaseBytes(file: string): number {
  let bytes = statSync(file).size;
  if (existsSync(`${file}-wal`)) bytes += statSync(`${file}-wal`).size;
  return bytes;
}

export const DATABASE_FILE_NAME = 'register.sqlite';

export function databaseFileIn(dataDir: string): string {
  return join(dataDir, DATABASE_FILE_NAME);
}
