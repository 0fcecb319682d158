/**
 * For a manager (Settings › Store hub): what the hub merged that a person should look at, read
 * from the records this station pulled. Customer edits made at two stations while they were apart
 * (per field, the later edit was kept; the other is listed with who made it and when), and
 * duplicate customers (one person signed up at two cut-off stations) merged into the earlier one.
 */
import type Database from 'better-sqlite3';
import type { HubConflict, HubMerge } from '../../preload/contract/hub.js';
import { cachedStatement } from '../store/statements.js';

type Shown = string | number | boolean | null;

function shown(value: unknown): Shown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** Newest first, at most `limit` of each. */
export function hubConflicts(sqlite: Database.Database, limit = 200): { conflicts: HubConflict[]; merges: HubMerge[] } {
  const stations = new Map<string, string>();
  for (const row of cachedStatement(sqlite, "SELECT id, data FROM hub_records WHERE entity = 'device'").all() as Array<{ id: string; data: string }>) {
    const data = JSON.parse(row.data) as { name?: unknown };
    if (typeof data.name === 'string') stations.set(row.id, data.name);
  }
  const name = (customerId: string): string => {
    const row = cachedStatement(sqlite, 'SELECT first_name, last_name FROM customers WHERE id = ?').get(customerId) as { first_name: string; last_name: string } | undefined;
    return row ? `${row.first_name} ${row.last_name}` : 'A customer not on this station';
  };
  const conflictRows = cachedStatement(sqlite, "SELECT id, data, at FROM hub_records WHERE entity = 'customer_conflict' ORDER BY version DESC LIMIT ?").all(limit) as Array<{
    id: string;
    data: string;
    at: number;
  }>;
  const conflicts = conflictRows.map((row): HubConflict => {
    const data = JSON.parse(row.data) as { customerId: string; field: string; keptValue?: unknown; keptAt?: unknown; lostValue?: unknown; lostAt?: unknown; lostDeviceId?: unknown };
    return {
      id: row.id,
      customerId: data.customerId,
      customerName: name(data.customerId),
      field: data.field,
      keptValue: shown(data.keptValue),
      keptAt: typeof data.keptAt === 'number' ? data.keptAt : null,
      lostValue: shown(data.lostValue),
      lostAt: typeof data.lostAt === 'number' ? data.lostAt : row.at,
      lostStation: (typeof data.lostDeviceId === 'string' ? stations.get(data.lostDeviceId) : undefined) ?? 'another station',
    };
  });
  const mergeRows = cachedStatement(sqlite, "SELECT id, data, at FROM hub_records WHERE entity = 'customer_merge' ORDER BY version DESC LIMIT ?").all(limit) as Array<{ id: string; data: string; at: number }>;
  const merges = mergeRows.map((row): HubMerge => {
    const data = JSON.parse(row.data) as { survivorId: string; mergedId: string; at?: unknown };
    return { id: row.id, survivorId: data.survivorId, survivorName: name(data.survivorId), mergedId: data.mergedId, at: typeof data.at === 'number' ? data.at : row.at };
  });
  return { conflicts, merges };
}
