/**
 * While the state system is down: the last allotment it gave for a card, less this register's
 * medical sales to that card since, as a suggestion for the figure the budtender types by hand.
 * Check-in and the register both offer it. The state system stays the truth: this only starts
 * the figure, the patient confirms it.
 */
import type Database from 'better-sqlite3';
import type { AllotmentProposal } from '../../preload/contract/queue.js';
import type { JurisdictionRules } from '../compliance/rules.js';
import { statedToMilligrams } from './allotment-source.js';

export type LastKnown = NonNullable<AllotmentProposal['lastKnown']>;

const columnCache = new WeakMap<Database.Database, Map<string, Set<string>>>();
function columns(db: Database.Database, table: string): Set<string> {
  let tables = columnCache.get(db);
  if (!tables) {
    tables = new Map();
    columnCache.set(db, tables);
  }
  let found = tables.get(table);
  if (!found) {
    found = new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((row) => row.name));
    tables.set(table, found);
  }
  return found;
}

/** The last figure the state system gave for the card, and this register's medical sales to it since. */
export function lastKnownAllotment(db: Database.Database, cardId: string, rules: JurisdictionRules): LastKnown | null {
  const candidates: Array<{ amountMg: number; at: number }> = [];
  if (columns(db, 'checkin_lookups').has('amount_mg')) {
    const own = db
      .prepare(`SELECT amount_mg AS amountMg, at FROM checkin_lookups WHERE card_id = ? AND outcome = 'found' ORDER BY at DESC LIMIT 1`)
      .get(cardId) as { amountMg: number; at: number } | undefined;
    if (own) candidates.push(own);
  }
  // The trace capability keeps the last lookup made from the Sync screen or at checkout.
  if (columns(db, 'trace_patient_lookups').has('allotment_amount')) {
    const traced = db
      .prepare(`SELECT allotment_amount AS amount, allotment_unit AS unit, fetched_at AS at FROM trace_patient_lookups WHERE card_id = ? AND status = 'active'`)
      .get(cardId) as { amount: string | null; unit: string | null; at: number } | undefined;
    const mg = traced?.amount && traced.unit ? statedToMilligrams(traced.amount, traced.unit, rules.gramsPerOunce.value) : null;
    if (traced && mg !== null) candidates.push({ amountMg: mg, at: traced.at });
  }
  const latest = candidates.sort((a, b) => b.at - a.at)[0];
  if (!latest) return null;
  const soldSinceMg = medicalSalesSince(db, cardId, latest.at);
  return { amountMg: latest.amountMg, at: latest.at, soldSinceMg, suggestedMg: Math.max(0, latest.amountMg - soldSinceMg) };
}

/**
 * Usable weight sold to the card since a time, from the trace outbox (the sale, frozen as the
 * state will see it): dispenses not voided or dismissed, less refunds of them.
 */
export function medicalSalesSince(db: Database.Database, cardId: string, since: number): number {
  if (!columns(db, 'trace_outbox').has('request')) return 0;
  const sold = db
    .prepare(
      `SELECT COALESCE(SUM(CAST(json_extract(line.value, '$.quantity') AS REAL) * p.usable_weight_mg), 0) AS mg
         FROM trace_outbox o, json_each(o.request, '$.sale.lines') line
         JOIN products p ON p.trace_barcode = json_extract(line.value, '$.barcode')
        WHERE o.kind = 'dispense' AND o.state <> 'dismissed' AND o.sale_time > ?
          AND json_extract(o.request, '$.sale.cardId') = ?
          AND NOT EXISTS (SELECT 1 FROM trace_outbox v WHERE v.depends_on = o.id AND v.kind = 'void' AND v.state <> 'dismissed')`,
    )
    .get(since, cardId) as { mg: number };
  const refunded = db
    .prepare(
      `SELECT COALESCE(SUM(CAST(json_extract(line.value, '$.quantity') AS REAL) * p.usable_weight_mg), 0) AS mg
         FROM trace_outbox r JOIN trace_outbox o ON o.id = r.depends_on, json_each(r.request, '$.lines') line
         JOIN products p ON p.trace_barcode = json_extract(line.value, '$.barcode')
        WHERE r.kind = 'refund' AND r.state <> 'dismissed' AND o.sale_time > ?
          AND json_extract(o.request, '$.sale.cardId') = ?`,
    )
    .get(since, cardId) as { mg: number };
  return Math.max(0, Math.round(sold.mg - refunded.mg));
}

/** A card number as typed on a card or a profile: spaces and dashes dropped, capitals. */
export function normaliseCard(card: string): string {
  return card.replace(/[\s-]/g, '').toUpperCase();
}
