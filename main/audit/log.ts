/**
 * The append-only, hash-chained audit log. Each event's hash covers the previous event's hash,
 * so changing, removing or reordering any event breaks the chain from that point on; triggers
 * in the schema refuse UPDATE and DELETE (an old event leaves audit_events only once its identical
 * copy is in audit_events_archive: main/audit/archive.ts). The chain is the archive, then the hot table.
 */
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { newId } from '../store/ids.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  /** Who: the employee, or null for the register itself (start-up, sync worker). */
  employeeId: string | null;
  /** What: a dotted verb, e.g. "staff.login", "sale.complete". */
  action: string;
  customerId?: string | null;
  saleId?: string | null;
  details?: Record<string, unknown>;
}

export interface StoredAuditEvent {
  seq: number;
  id: string;
  at: number;
  employeeId: string | null;
  action: string;
  customerId: string | null;
  saleId: string | null;
  details: string;
  prevHash: string;
  hash: string;
}

export function hashEvent(event: Omit<StoredAuditEvent, 'hash'>): string {
  // A JSON array is an unambiguous encoding: no field can bleed into its neighbour.
  const canonical = JSON.stringify([
    event.prevHash,
    event.seq,
    event.id,
    event.at,
    event.employeeId,
    event.action,
    event.customerId,
    event.saleId,
    event.details,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

interface Statements {
  last: Database.Statement<[], { seq: number; hash: string } | undefined>;
  insert: Database.Statement<[StoredAuditEvent]>;
}

const statementCache = new WeakMap<Database.Database, Statements>();

function statementsFor(sqlite: Database.Database): Statements {
  let statements = statementCache.get(sqlite);
  if (!statements) {
    statements = {
      last: sqlite.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1'),
      insert: sqlite.prepare(
        `INSERT INTO audit_events (seq, id, at, employee_id, action, customer_id, sale_id, details, prev_hash, hash)
         VALUES (@seq, @id, @at, @employeeId, @action, @customerId, @saleId, @details, @prevHash, @hash)`,
      ),
    };
    statementCache.set(sqlite, statements);
  }
  return statements;
}

/**
 * Append one event. Call it inside the transaction of the write it describes, so the write and
 * its record commit together or not at all.
 */
export function appendAudit(sqlite: Database.Database, entry: AuditEntry, at: number = Date.now()): StoredAuditEvent {
  // Alone, the read of the last link and the insert still belong together: hold the write lock.
  if (!sqlite.inTransaction) return sqlite.transaction(() => appendAudit(sqlite, entry, at)).immediate();
  const statements = statementsFor(sqlite);
  const last = statements.last.get();
  const unhashed = {
    seq: (last?.seq ?? 0) + 1,
    id: newId(at),
    at,
    employeeId: entry.employeeId,
    action: entry.action,
    customerId: entry.customerId ?? null,
    saleId: entry.saleId ?? null,
    details: JSON.stringify(entry.details ?? {}),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const event: StoredAuditEvent = { ...unhashed, hash: hashEvent(unhashed) };
  statements.insert.run(event);
  return event;
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBroken: { seq: number; id: string; reason: string } | null;
}

/** The whole chain in order: the archived start (main/audit/archive.ts), then the hot table. */
function* chainRows(sqlite: Database.Database): Generator<StoredAuditEvent> {
  for (const table of ['audit_events_archive', 'audit_events']) {
    yield* sqlite
      .prepare(
        `SELECT seq, id, at, employee_id AS employeeId, action, customer_id AS customerId, sale_id AS saleId,
                details, prev_hash AS prevHash, hash FROM ${table} ORDER BY seq`,
      )
      .iterate() as IterableIterator<StoredAuditEvent>;
  }
}

/** Walk the whole chain (archive, then hot table) in order and name the first event that does not fit. */
export function verifyAuditChain(sqlite: Database.Database): ChainVerification {
  const rows = chainRows(sqlite);
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (const row of rows) {
    const broken = (reason: string): ChainVerification => ({
      ok: false,
      checked,
      firstBroken: { seq: row.seq, id: row.id, reason },
    });
    if (row.seq !== expectedSeq) return broken(`event ${expectedSeq} is missing (found ${row.seq} next)`);
    if (row.prevHash !== expectedPrev) return broken('its link to the previous event does not match');
    const { hash, ...unhashed } = row;
    if (hashEvent(unhashed) !== hash) return broken('its content was changed after it was written');
    expectedPrev = hash;
    expectedSeq += 1;
    checked += 1;
  }
  return { ok: true, checked, firstBroken: null };
}
