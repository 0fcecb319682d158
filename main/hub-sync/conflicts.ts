/**
 * For a manager (Settings › Store hub): what the hub merged that a person should look at, read
 * from the records this station pulled. Customer edits made at two stations while they were apart
 * (per field, the later edit was kept; the other is listed with who made it and when), and
 * duplicate customers (one person signed up at two cut-off stations) merged into the earlier one.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { HubConflict, HubMerge } from '../../preload/contract/hub.js';
import { cachedStatement } from '../store/statements.js';

type Shown = string | number | boolean | null;

// What the hub sent is checked here too: a record of another shape is left out of the list, never a failed screen.
const conflictRecord = z.object({
  customerId: z.string(),
  field: z.string(),
  keptValue: z.unknown().optional(),
  keptAt: z.unknown().optional(),
  lostValue: z.unknown().optional(),
  lostAt: z.unknown().optional(),
  lostDeviceId: z.unknown().optional(),
});
const mergeRecord = z.object({ survivorId: z.string(), mergedId: z.string(), at: z.unknown().optional() });

function parsed<T>(schema: z.ZodType<T>, text: string): T | null {
  try {
    const result = schema.safeParse(JSON.parse(text));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

function shown(value: unknown): Shown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** Newest first, at most `limit` of each. */
export function hubConflicts(sqlite: Database.Database, limit = 200): { conflicts: HubConflict[]; merges: HubMerge[] } {
  const stations = new Map<string, string>();
  for (const row of cachedStatement(sqlite, "SELECT id, data FROM hub_records WHERE entity = 'device'").all() as Array<{ id: string; data: string }>) {
    const data = parsed(z.object({ name: z.string() }), row.data);
    if (data) stations.set(row.id, data.name);
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
  // The chosen photo names a document: a manager sees the document's title, not its id.
  const photo = (value: unknown): Shown => {
    if (typeof value !== 'string') return shown(value);
    const document = cachedStatement(sqlite, 'SELECT title FROM customer_documents WHERE id = ?').get(value) as { title: string } | undefined;
    return document?.title ?? 'A document not on this station yet';
  };
  const conflicts = conflictRows.flatMap((row): HubConflict[] => {
    const data = parsed(conflictRecord, row.data);
    if (!data) return [];
    const value = data.field === 'profile.photo_document_id' ? photo : shown;
    return [{
      id: row.id,
      customerId: data.customerId,
      customerName: name(data.customerId),
      field: data.field,
      keptValue: value(data.keptValue),
      keptAt: typeof data.keptAt === 'number' ? data.keptAt : null,
      lostValue: value(data.lostValue),
      lostAt: typeof data.lostAt === 'number' ? data.lostAt : row.at,
      lostStation: (typeof data.lostDeviceId === 'string' ? stations.get(data.lostDeviceId) : undefined) ?? 'another station',
    }];
  });
  const mergeRows = cachedStatement(sqlite, "SELECT id, data, at FROM hub_records WHERE entity = 'customer_merge' ORDER BY version DESC LIMIT ?").all(limit) as Array<{ id: string; data: string; at: number }>;
  const merges = mergeRows.flatMap((row): HubMerge[] => {
    const data = parsed(mergeRecord, row.data);
    if (!data) return [];
    return [{ id: row.id, survivorId: data.survivorId, survivorName: name(data.survivorId), mergedId: data.mergedId, at: typeof data.at === 'number' ? data.at : row.at }];
  });
  return { conflicts, merges };
}
