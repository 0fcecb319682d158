/**
 * The track-and-trace outbox: what checkout calls to report a medical sale, and what the Sync
 * screen reads.
 *
 * FOR THE CHECKOUT ENGINEER: call `enqueueDispense(sqlite, {...})` INSIDE the transaction that
 * writes the sale, its lines and its allotment use, so all of them commit together or not at
 * all. It only inserts rows (it never talks to the network and never opens a transaction of its
 * own), and returns the outbox id. A void or refund of a reported sale is `enqueueVoid` /
 * `enqueueRefund` in the transaction that records it; it waits in the outbox until the dispense
 * has its BioTrack transaction id. Then call `TraceModule.wake()` (optional) after commit; the
 * worker also polls.
 *
 *   sqlite.transaction(() => {
 *     insertSale(...); insertLines(...); insertAllotmentUse(...);
 *     enqueueDispense(sqlite, { saleId, customerId, location, terminalId, saleTime, cardId, lines });
 *   }).immediate();   // immediate: the sync worker writes from its own connection
 */
import type Database from 'better-sqlite3';
import { cachedStatement } from '../store/statements.js';
import { z } from 'zod';
import { newId } from '../store/ids.js';
import type { TraceLine, TraceWrite } from './provider.js';
import { facilityTime } from './wall-clock.js';

export type OutboxState = 'pending' | 'in_flight' | 'acknowledged' | 'rejected' | 'unknown' | 'needs_person' | 'dismissed';
export type OutboxKind = 'dispense' | 'void' | 'refund';

const lineSchema = z.strictObject({
  barcode: z.string().min(1),
  quantity: z.number().positive(),
  unitPriceCents: z.number().int().nonnegative(),
});

const dispenseInputSchema = z.strictObject({
  saleId: z.string().min(1),
  customerId: z.string().nullable().optional(),
  location: z.string().min(1),
  terminalId: z.string().min(1),
  saleTime: z.number().int().positive(),
  /** The facility's time zone: the sale's wall-clock time in it is frozen into the row (wall-clock.ts). */
  timeZone: z.string().min(1).nullable().optional(),
  /** The patient's card; null for an adult-use (Consumer) sale, which only Metrc stores report. */
  cardId: z.string().min(1, 'a medical sale needs the patient card id').nullable(),
  caregiverCardId: z.string().nullable().optional(),
  lines: z.array(lineSchema).min(1, 'a sale needs at least one line'),
});
export type DispenseInput = z.input<typeof dispenseInputSchema>;

/** The frozen request stored in an outbox row. */
export const frozenRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('dispense'),
    sale: z.strictObject({
      terminalId: z.string(),
      saleTime: z.number(),
      localTime: z.string().optional(),
      /** '' for an adult-use sale (consumer: true). */
      cardId: z.string(),
      /** An adult-use sale, reported as Metrc's Consumer customer type (no licence numbers). */
      consumer: z.literal(true).optional(),
      caregiverCardId: z.string().nullable().optional(),
      lines: z.array(lineSchema),
    }),
  }),
  z.strictObject({ kind: z.literal('void') }),
  z.strictObject({
    kind: z.literal('refund'),
    refundTime: z.number(),
    lines: z.array(lineSchema),
    /** What stays sold after this refund and the earlier ones (TraceRefund.remainingLines). */
    remaining: z.array(lineSchema).optional(),
  }),
]);
export type FrozenRequest = z.infer<typeof frozenRequestSchema>;

export interface OutboxRow {
  id: string;
  location: string;
  kind: OutboxKind;
  saleId: string;
  customerId: string | null;
  dependsOn: string | null;
  request: string;
  nonce: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  lastErrorCode: string | null;
  remoteTxnId: string | null;
  sentAt: number | null;
  acknowledgedAt: number | null;
  dismissedReason: string | null;
  dismissedBy: string | null;
  totalCents: number;
  itemCount: number;
  saleTime: number;
  createdAt: number;
  updatedAt: number;
  watermark: string | null;
  candidates: string | null;
}

export const OUTBOX_COLUMNS = `id, location, kind, sale_id AS saleId, customer_id AS customerId, depends_on AS dependsOn, request, nonce, state,
  attempts, next_attempt_at AS nextAttemptAt, last_error AS lastError, last_error_code AS lastErrorCode,
  remote_txn_id AS remoteTxnId, sent_at AS sentAt, acknowledged_at AS acknowledgedAt, dismissed_reason AS dismissedReason,
  dismissed_by AS dismissedBy, total_cents AS totalCents, item_count AS itemCount, sale_time AS saleTime,
  created_at AS createdAt, updated_at AS updatedAt, watermark, candidates`;

type NewRow = Omit<OutboxRow, 'attempts' | 'lastError' | 'lastErrorCode' | 'remoteTxnId' | 'sentAt' | 'acknowledgedAt' | 'dismissedReason' | 'dismissedBy' | 'updatedAt' | 'watermark' | 'candidates'>;

function insertRow(sqlite: Database.Database, row: NewRow): void {
  cachedStatement(
    sqlite,
    `INSERT INTO trace_outbox (id, location, kind, sale_id, customer_id, depends_on, request, nonce, state, attempts, next_attempt_at,
         total_cents, item_count, sale_time, created_at, updated_at)
       VALUES (@id, @location, @kind, @saleId, @customerId, @dependsOn, @request, @nonce, @state, 0, @nextAttemptAt,
         @totalCents, @itemCount, @saleTime, @createdAt, @createdAt)`,
  ).run(row);
}

function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`The ${what} cannot be reported: ${issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'invalid input'}.`);
  }
  return parsed.data;
}

/**
 * Queue a sale for the state: a medical sale (with the patient's card), or, for a store that
 * reports every sale (Metrc), an adult-use sale with `cardId: null`. Call inside the sale's own transaction. The nonce (the
 * idempotency key) is made here, once, and reused by every retry of this row.
 */
export function enqueueDispense(sqlite: Database.Database, input: DispenseInput, now: number = Date.now()): { outboxId: string; nonce: string } {
  const sale = parseInput(dispenseInputSchema, input, 'sale');
  const id = newId(now);
  const nonce = newId(now);
  const request: FrozenRequest = {
    kind: 'dispense',
    sale: {
      terminalId: sale.terminalId,
      saleTime: sale.saleTime,
      ...localTimeOf(sale.saleTime, sale.timeZone),
      cardId: sale.cardId ?? '',
      ...(sale.cardId === null ? { consumer: true as const } : {}),
      caregiverCardId: sale.cardId === null ? null : (sale.caregiverCardId ?? null),
      lines: sale.lines,
    },
  };
  insertRow(sqlite, {
    id,
    location: sale.location,
    kind: 'dispense',
    saleId: sale.saleId,
    customerId: sale.customerId ?? null,
    dependsOn: null,
    request: JSON.stringify(request),
    nonce,
    state: 'pending',
    nextAttemptAt: now,
    totalCents: totalOf(sale.lines),
    itemCount: sale.lines.reduce((sum, line) => sum + line.quantity, 0),
    saleTime: sale.saleTime,
    createdAt: now,
  });
  return { outboxId: id, nonce };
}

/** The sale's wall-clock time, frozen now; none for an unknown zone (the provider then says what is wrong when it sends). */
function localTimeOf(saleTime: number, timeZone: string | null | undefined): { localTime?: string } {
  if (!timeZone) return {};
  try {
    return { localTime: facilityTime(saleTime, timeZone) };
  } catch {
    return {};
  }
}

function dispenseFor(sqlite: Database.Database, saleId: string): OutboxRow {
  // A settled dispense may have moved to the archive: look there too (both by the sale index).
  const row = (sqlite
    .prepare(`SELECT ${OUTBOX_COLUMNS} FROM trace_outbox WHERE sale_id = ? AND kind = 'dispense' ORDER BY id DESC LIMIT 1`)
    .get(saleId) ??
    sqlite
      .prepare(`SELECT ${OUTBOX_COLUMNS} FROM trace_outbox_archive WHERE sale_id = ? AND kind = 'dispense' ORDER BY id DESC LIMIT 1`)
      .get(saleId)) as OutboxRow | undefined;
  if (!row) throw new Error(`Sale ${saleId} was never queued for the state, so it cannot be voided or refunded there.`);
  return row;
}

/** Queue the void of a reported sale (inside the void's own transaction). */
export function enqueueVoid(sqlite: Database.Database, input: { saleId: string }, now: number = Date.now()): { outboxId: string; nonce: string } {
  const dispense = dispenseFor(sqlite, input.saleId);
  const id = newId(now);
  const nonce = newId(now);
  insertRow(sqlite, {
    id,
    location: dispense.location,
    kind: 'void',
    saleId: input.saleId,
    customerId: dispense.customerId,
    dependsOn: dispense.id,
    request: JSON.stringify({ kind: 'void' } satisfies FrozenRequest),
    nonce,
    state: 'pending',
    nextAttemptAt: now,
    totalCents: -dispense.totalCents,
    itemCount: dispense.itemCount,
    saleTime: now,
    createdAt: now,
  });
  return { outboxId: id, nonce };
}

/** Queue a (partial) refund of a reported sale (inside the refund's own transaction). */
export function enqueueRefund(
  sqlite: Database.Database,
  input: { saleId: string; refundTime: number; lines: TraceLine[] },
  now: number = Date.now(),
): { outboxId: string; nonce: string } {
  const lines = parseInput(z.array(lineSchema).min(1), input.lines, 'refund');
  const dispense = dispenseFor(sqlite, input.saleId);
  const remaining = remainingAfter(sqlite, dispense, lines);
  const id = newId(now);
  const nonce = newId(now);
  insertRow(sqlite, {
    id,
    location: dispense.location,
    kind: 'refund',
    saleId: input.saleId,
    customerId: dispense.customerId,
    dependsOn: dispense.id,
    request: JSON.stringify({ kind: 'refund', refundTime: input.refundTime, lines, remaining } satisfies FrozenRequest),
    nonce,
    state: 'pending',
    nextAttemptAt: now,
    totalCents: -totalOf(lines),
    itemCount: lines.reduce((sum, line) => sum + line.quantity, 0),
    saleTime: input.refundTime,
    createdAt: now,
  });
  return { outboxId: id, nonce };
}

/**
 * The sale's lines less every refund of it queued so far (not dismissed) and this one, by
 * barcode and unit price: what the state should list as sold once this refund is applied.
 */
function remainingAfter(sqlite: Database.Database, dispense: OutboxRow, refund: TraceLine[]): TraceLine[] {
  const frozen = frozenRequestSchema.parse(JSON.parse(dispense.request));
  if (frozen.kind !== 'dispense') return [];
  const left = new Map<string, TraceLine>();
  for (const line of frozen.sale.lines) {
    const key = `${line.barcode}|${line.unitPriceCents}`;
    const known = left.get(key);
    left.set(key, { ...line, quantity: (known?.quantity ?? 0) + line.quantity });
  }
  const earlier = ['trace_outbox', 'trace_outbox_archive'].flatMap(
    (table) =>
      sqlite.prepare(`SELECT request FROM ${table} WHERE sale_id = ? AND kind = 'refund' AND state <> 'dismissed'`).all(dispense.saleId) as Array<{ request: string }>,
  );
  const take = (line: TraceLine) => {
    const known = left.get(`${line.barcode}|${line.unitPriceCents}`);
    if (known) known.quantity = Math.max(0, Math.round((known.quantity - line.quantity) * 1e6) / 1e6);
  };
  for (const row of earlier) {
    const request = frozenRequestSchema.parse(JSON.parse(row.request));
    if (request.kind === 'refund') request.lines.forEach(take);
  }
  refund.forEach(take);
  return [...left.values()].filter((line) => line.quantity > 0);
}

function totalOf(lines: TraceLine[]): number {
  return lines.reduce((sum, line) => sum + Math.round(line.quantity * line.unitPriceCents), 0);
}

/** The provider-neutral write for a row; a void or refund needs its dispense's transaction id. */
export function writeFor(row: OutboxRow, dependencyRemoteId: string | null): TraceWrite {
  const request = frozenRequestSchema.parse(JSON.parse(row.request));
  switch (request.kind) {
    case 'dispense':
      return { kind: 'dispense', sale: request.sale };
    case 'void':
      return { kind: 'void', void: { remoteTxnId: dependencyRemoteId ?? '' } };
    case 'refund':
      return {
        kind: 'refund',
        refund: { remoteTxnId: dependencyRemoteId ?? '', refundTime: request.refundTime, lines: request.lines, ...(request.remaining ? { remainingLines: request.remaining } : {}) },
      };
  }
}

export interface SyncCounts {
  pending: number;
  inFlight: number;
  unknown: number;
  rejected: number;
  needsPerson: number;
  acknowledged: number;
  dismissed: number;
  /** The creation time of the oldest row still waiting to be reported, or null. */
  oldestPendingAt: number | null;
}

const WAITING_STATES = ['pending', 'in_flight', 'unknown'] as const;

/**
 * The outbox's counts without counting it: the counters the triggers keep (one row per location
 * and state), and the oldest waiting row by the (location, state, id) index, one seek per state.
 */
export function syncCounts(sqlite: Database.Database, location?: string): SyncCounts {
  const rows = (
    location
      ? sqlite.prepare('SELECT location, state, n FROM trace_outbox_counts WHERE location = ?').all(location)
      : sqlite.prepare('SELECT location, state, n FROM trace_outbox_counts').all()
  ) as Array<{ location: string; state: OutboxState; n: number }>;
  const counts: SyncCounts = { pending: 0, inFlight: 0, unknown: 0, rejected: 0, needsPerson: 0, acknowledged: 0, dismissed: 0, oldestPendingAt: null };
  const locations = new Set<string>();
  for (const row of rows) {
    if (row.state === 'in_flight') counts.inFlight += row.n;
    else if (row.state === 'needs_person') counts.needsPerson += row.n;
    else counts[row.state] += row.n;
    if (row.n > 0 && (WAITING_STATES as readonly string[]).includes(row.state)) locations.add(row.location);
  }
  const oldest = sqlite.prepare('SELECT created_at AS at FROM trace_outbox WHERE location = ? AND state = ? ORDER BY id LIMIT 1');
  for (const where of locations) {
    for (const state of WAITING_STATES) {
      const found = oldest.get(where, state) as { at: number } | undefined;
      if (found) counts.oldestPendingAt = counts.oldestPendingAt === null ? found.at : Math.min(counts.oldestPendingAt, found.at);
    }
  }
  return counts;
}

export function backlogOf(counts: SyncCounts): number {
  return counts.pending + counts.inFlight + counts.unknown;
}

const ROW_COLUMNS = `id, location, kind, sale_id, customer_id, depends_on, request, nonce, state, attempts, next_attempt_at, last_error,
  last_error_code, remote_txn_id, sent_at, acknowledged_at, dismissed_reason, dismissed_by, total_cents, item_count, sale_time,
  created_at, updated_at, watermark, candidates`;
const ATTEMPT_COLUMNS = 'id, outbox_id, at, step, outcome, detail, duration_ms, nonce';

/**
 * Move settled rows (acknowledged or dismissed, last changed at or before `before`, so a zero delay takes every row settled so far) and their attempts
 * to the archive tables, oldest first, at most `limit` rows in one transaction. Returns how many
 * rows moved. Every query is an index seek: the hot tables hold the backlog and recent history.
 */
export function archiveSettled(sqlite: Database.Database, options: { location: string; before: number; limit?: number }): number {
  const limit = options.limit ?? 500;
  const move = sqlite.transaction(() => {
    const pick = sqlite.prepare(`SELECT id FROM trace_outbox WHERE location = ? AND state = ? AND updated_at <= ? ORDER BY id LIMIT ?`);
    const ids: string[] = [];
    for (const state of ['acknowledged', 'dismissed']) {
      for (const row of pick.all(options.location, state, options.before, limit - ids.length) as Array<{ id: string }>) ids.push(row.id);
      if (ids.length >= limit) break;
    }
    if (ids.length === 0) return 0;
    const copyRow = sqlite.prepare(`INSERT INTO trace_outbox_archive (${ROW_COLUMNS}) SELECT ${ROW_COLUMNS} FROM trace_outbox WHERE id = ?`);
    const copyAttempts = sqlite.prepare(`INSERT INTO trace_attempts_archive (${ATTEMPT_COLUMNS}) SELECT ${ATTEMPT_COLUMNS} FROM trace_attempts WHERE outbox_id = ?`);
    const dropAttempts = sqlite.prepare('DELETE FROM trace_attempts WHERE outbox_id = ?');
    const dropRow = sqlite.prepare('DELETE FROM trace_outbox WHERE id = ?');
    for (const id of ids) {
      copyRow.run(id);
      copyAttempts.run(id);
      dropAttempts.run(id);
      dropRow.run(id);
    }
    return ids.length;
  });
  return move.immediate();
}

/** An outbox row by id, in the hot table or the archive. */
export function findOutboxRow(sqlite: Database.Database, id: string): OutboxRow | undefined {
  return (sqlite.prepare(`SELECT ${OUTBOX_COLUMNS} FROM trace_outbox WHERE id = ?`).get(id) ??
    sqlite.prepare(`SELECT ${OUTBOX_COLUMNS} FROM trace_outbox_archive WHERE id = ?`).get(id)) as OutboxRow | undefined;
}

/** Whether another row (hot or archived) already holds this BioTrack transaction id for this kind of write. */
export function remoteIdClaimed(sqlite: Database.Database, remoteTxnId: string, kind: OutboxKind, exceptId: string): boolean {
  const query = (table: string) =>
    sqlite.prepare(`SELECT 1 FROM ${table} WHERE remote_txn_id = ? AND kind = ? AND id <> ? LIMIT 1`).get(remoteTxnId, kind, exceptId);
  return !!query('trace_outbox') || !!query('trace_outbox_archive');
}
