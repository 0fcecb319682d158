import type Database from 'better-sqlite3';
import { cachedStatement } from '../store/statements.js';

/** Read one string setting (settings hold JSON values); null when unset or not a string. */
export function readSetting(sqlite: Database.Database, key: string): string | null {
  const row = cachedStatement(sqlite, 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  if (!row) return null;
  try {
    const value: unknown = JSON.parse(row.value);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}
