/**
 * The till's settings (key `till.config`, validated on read and write): the printers this register
 * knows, which one prints receipts, the drawer, and the store's cash rules.
 */
import type Database from 'better-sqlite3';
import { tillConfigSchema, type PrinterConfig, type TillConfig } from '../../preload/contract/till.js';
import { cachedStatement } from '../store/statements.js';

export { printerConfigSchema, printerTransportSchema, tillConfigSchema, type PrinterConfig, type PrinterTransport, type TillConfig } from '../../preload/contract/till.js';

export const TILL_CONFIG_KEY = 'till.config';

/** The saved config, or the defaults; a damaged value is reported and the defaults used. */
export function readTillConfig(sqlite: Database.Database, onBad?: (message: string) => void): TillConfig {
  const row = cachedStatement(sqlite, 'SELECT value FROM settings WHERE key = ?').get(TILL_CONFIG_KEY) as { value: string } | undefined;
  if (!row) return tillConfigSchema.parse({});
  let raw: unknown;
  try {
    raw = JSON.parse(row.value);
  } catch {
    raw = null;
  }
  const parsed = tillConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  onBad?.(`the till settings could not be read (${parsed.error.issues[0]?.message ?? 'invalid'}): using the defaults`);
  return tillConfigSchema.parse({});
}

/** The drawer this register's cash goes to, read on the sale's path without validating the whole config. */
export function drawerIdOf(sqlite: Database.Database): string {
  const row = cachedStatement(sqlite, 'SELECT value FROM settings WHERE key = ?').get(TILL_CONFIG_KEY) as { value: string } | undefined;
  if (!row) return DEFAULT_DRAWER_ID;
  try {
    const id = (JSON.parse(row.value) as { drawerId?: unknown }).drawerId;
    return typeof id === 'string' && /^[A-Za-z0-9_-]{1,40}$/.test(id) ? id : DEFAULT_DRAWER_ID;
  } catch {
    return DEFAULT_DRAWER_ID;
  }
}
const DEFAULT_DRAWER_ID = 'drawer-1';

export function writeTillConfig(sqlite: Database.Database, config: TillConfig, now: number): void {
  sqlite
    .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
    .run(TILL_CONFIG_KEY, JSON.stringify(config), now);
}

export function receiptPrinter(config: TillConfig): PrinterConfig | null {
  return config.printers.find((printer) => printer.id === config.receiptPrinterId) ?? null;
}
