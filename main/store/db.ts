/**
 * Opening the register's SQLite database: folder checks, pragmas, integrity check, migrations.
 * Everything a person must act on becomes a StoreDamagedError or DataFolderError with a message
 * that says what to do; nothing here ever deletes or silently replaces a database file.
 */
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as schema from './schema.js';
import { DataFolderError, StoreDamagedError } from './errors.js';

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
   * Which check runs before the file is used: `full` (integrity_check, the default) or `quick`
   * (quick_check: every page, but no index cross-checks; the register runs the full check in a
   * worker right after, see integrity.ts).
   */
  integrityCheck?: 'full' | 'quick';
}

export const BUSY_TIMEOUT_MS = 5000;

/** The pragmas every connection to the register's database uses (the sync worker's too). */
export function applyPragmas(sqlite: Database.Database): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

export function ensureDataFolder(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new DataFolderError(dataDir, describeFsError(error));
  }
  try {
    accessSync(dataDir, constants.W_OK | constants.R_OK);
  } catch (error) {
    throw new DataFolderError(dataDir, describeFsError(error));
  }
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
    sqlite = new Database(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_CANTOPEN') {
      throw new DataFolderError(file, 'the database file cannot be opened or created');
    }
    throw new StoreDamagedError(file, error instanceof Error ? error.message : String(error));
  }
  try {
    applyPragmas(sqlite);
    if (!isNew) {
      const problem = checkIntegrity(sqlite, options.integrityCheck ?? 'full');
      if (problem) throw new StoreDamagedError(file, `integrity check failed (${problem})`);
    }
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder });
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

export const DATABASE_FILE_NAME = 'register.sqlite';

export function databaseFileIn(dataDir: string): string {
  return join(dataDir, DATABASE_FILE_NAME);
}
