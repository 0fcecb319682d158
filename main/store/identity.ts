/**
 * A store's identity: a ULID made when its database is first created, kept in the database
 * (settings `store.identity`, so backups carry it) and in a marker file beside it in the data
 * folder (`register.identity`, so the folder remembers it held a store when the database is gone).
 *
 * It answers two questions: which backups belong to this store (only those rotate out), and
 * whether a missing or empty database is a new register or a store that lost its file.
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isUlid, newId } from './ids.js';
import { PRIVATE_FILE_MODE } from './permissions.js';

export const IDENTITY_SETTING = 'store.identity';
export const IDENTITY_FILE_NAME = 'register.identity';

/** The store's identity, made (in the database and the marker file) when it has none yet. */
export function ensureStoreIdentity(sqlite: Database.Database, dataDir: string, now: number): string {
  const row = sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(IDENTITY_SETTING) as { value: string } | undefined;
  let identity = row ? parseIdentity(row.value) : null;
  if (!identity) {
    identity = newId(now);
    sqlite
      .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(IDENTITY_SETTING, JSON.stringify(identity), now);
  }
  if (readIdentityMarker(dataDir) !== identity) {
    writeFileSync(join(dataDir, IDENTITY_FILE_NAME), `${JSON.stringify({ storeIdentity: identity, writtenAt: now })}\n`, {
      mode: PRIVATE_FILE_MODE,
    });
  }
  return identity;
}

function parseIdentity(value: string): string | null {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' && isUlid(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** The identity the data folder's marker file names, or null when there is none (or it is unreadable). */
export function readIdentityMarker(dataDir: string): string | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dataDir, IDENTITY_FILE_NAME), 'utf8'));
    const identity = (parsed as { storeIdentity?: unknown } | null)?.storeIdentity;
    return typeof identity === 'string' && isUlid(identity) ? identity : null;
  } catch {
    return null;
  }
}

/** Whether the database file is missing, empty (0 bytes, or a database with no tables yet), or present. */
export function databaseFileState(file: string): 'missing' | 'empty' | 'present' {
  if (!existsSync(file)) return 'missing';
  if (statSync(file).size === 0 && !(existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0)) return 'empty';
  try {
    const sqlite = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const { n } = sqlite.prepare('SELECT COUNT(*) AS n FROM sqlite_master').get() as { n: number };
      return n === 0 ? 'empty' : 'present';
    } finally {
      sqlite.close();
    }
  } catch {
    // Unreadable: the open path reports it as damaged.
    return 'present';
  }
}

/**
 * Signs that this data folder held a store before: the identity marker, the secret key file,
 * backups, a WAL without its database, or a database set aside as damaged. Empty when the folder
 * is new (logs/ is not a sign: the host writes its log before the database is opened).
 */
export function previousStoreSigns(databaseFile: string, backupDir: string): string[] {
  const dataDir = dirname(databaseFile);
  const signs: string[] = [];
  if (readIdentityMarker(dataDir)) signs.push(`the marker file ${IDENTITY_FILE_NAME}`);
  // The key that seals this store's track-and-trace password (core/secret-box.ts): made after the database.
  if (existsSync(join(dataDir, 'secret.key'))) signs.push('the key file secret.key');
  if (existsSync(`${databaseFile}-wal`) && statSync(`${databaseFile}-wal`).size > 0) signs.push(`${basename(databaseFile)}-wal`);
  const backups = existsSync(backupDir) ? readdirSync(backupDir).filter((name) => /^register-\d{13}.*\.sqlite$/.test(name)) : [];
  if (backups.length > 0) signs.push(`${backups.length} backup${backups.length === 1 ? '' : 's'} in ${basename(backupDir)}/`);
  const setAside = readdirSync(dataDir).filter((name) => name.startsWith(`${basename(databaseFile)}.damaged-`));
  if (setAside.length > 0) signs.push(`a database set aside as ${setAside[0]}`);
  return signs;
}
