/**
 * Drawer sessions as a ledger (research/till.md §5.2). A session opens with a counted float; every
 * movement of cash is a cash_movements row (sales and refunds written in their sale's or return's
 * own transaction); expected cash is the sum of the session's movements; closing enters a count
 * (blind: before the expected figure is shown) and stores over/short = counted − expected. Nothing
 * is edited afterwards: a mistake is a new movement.
 */
import type Database from 'better-sqlite3';
import type { Employee } from '../../preload/api.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { newId } from '../store/ids.js';
import { cachedStatement } from '../store/statements.js';
import type { TillConfig } from './config.js';
import { money } from './format.js';

export type MovementKind = 'float' | 'sale' | 'refund' | 'drop' | 'pickup' | 'paid_in' | 'paid_out' | 'no_sale';
/** Movements a person makes during a shift (sales and refunds come from checkout). */
export type ManualMovement = 'drop' | 'pickup' | 'paid_in' | 'paid_out';

export const NO_SALE_ACTION = 'till.noSale';
export const PAID_OUT_ACTION = 'till.paidOut';
export const PICKUP_ACTION = 'till.pickup';
export const CLOSE_ACTION = 'till.closeDrawer';

/** Which way each movement moves cash: + into the drawer, − out of it. */
const SIGN: Record<ManualMovement, 1 | -1> = { drop: -1, pickup: -1, paid_in: 1, paid_out: -1 };

export type Counts = Record<string, number>;

export interface SessionTotals {
  floatCents: number;
  cashSalesCents: number;
  cashRefundsCents: number;
  dropsCents: number;
  pickupsCents: number;
  paidInCents: number;
  paidOutCents: number;
  noSales: number;
  expectedCents: number;
}

export interface SessionRow {
  id: string;
  drawerId: string;
  status: 'open' | 'closed';
  openedBy: string;
  openedByName: string;
  openedAt: number;
  floatCents: number;
  closedBy: string | null;
  closedAt: number | null;
  expectedCents: number | null;
  countedCents: number | null;
  overShortCents: number | null;
  approvedBy: string | null;
}

/** A count by denomination (cents → how many) → its total; refuses denominations the store does not use. */
export function countTotal(counts: Counts, denominations: number[]): number {
  let total = 0;
  for (const [denomination, quantity] of Object.entries(counts)) {
    const cents = Number(denomination);
    if (!denominations.includes(cents)) throw new CoreError('invalid_message', `${money(cents)} is not a bill or coin this store counts: check the count.`);
    if (!Number.isInteger(quantity) || quantity < 0) throw new CoreError('invalid_message', 'Each count is a whole number, 0 or more.');
    total += cents * quantity;
  }
  return total;
}

/** The session's running figures from its ledger (pure over the rows, for the table test too). */
export function totalsOf(movements: Array<{ kind: MovementKind; amountCents: number }>): SessionTotals {
  const sum = (kind: MovementKind) => movements.filter((m) => m.kind === kind).reduce((total, m) => total + m.amountCents, 0);
  return {
    floatCents: sum('float'),
    cashSalesCents: sum('sale'),
    cashRefundsCents: -sum('refund'),
    dropsCents: -sum('drop'),
    pickupsCents: -sum('pickup'),
    paidInCents: sum('paid_in'),
    paidOutCents: -sum('paid_out'),
    noSales: movements.filter((m) => m.kind === 'no_sale').length,
    expectedCents: movements.reduce((total, m) => total + m.amountCents, 0),
  };
}

export function openSessionId(sqlite: Database.Database, drawerId: string): string | null {
  const row = cachedStatement(sqlite, `SELECT id FROM drawer_sessions WHERE drawer_id = ? AND status = 'open'`).get(drawerId) as { id: string } | undefined;
  return row?.id ?? null;
}

/** In the sale's transaction: the cash it took lands in the drawer's open session (or unassigned when none is open). */
export function recordSaleCash(sqlite: Database.Database, drawerId: string, input: { saleId: string; cashCents: number; actorId: string; at: number }): void {
  if (input.cashCents === 0) return;
  cachedStatement(sqlite, `INSERT INTO cash_movements (session_id, kind, amount_cents, ref_id, employee_id, at) VALUES (?, 'sale', ?, ?, ?, ?)`).run(
    openSessionId(sqlite, drawerId),
    input.cashCents,
    input.saleId,
    input.actorId,
    input.at,
  );
}

/** In the return's transaction: cash paid back comes out of the drawer. */
export function recordRefundCash(sqlite: Database.Database, drawerId: string, input: { returnId: string; cashCents: number; actorId: string; at: number }): void {
  if (input.cashCents === 0) return;
  cachedStatement(sqlite, `INSERT INTO cash_movements (session_id, kind, amount_cents, ref_id, employee_id, at) VALUES (?, 'refund', ?, ?, ?, ?)`).run(
    openSessionId(sqlite, drawerId),
    -input.cashCents,
    input.returnId,
    input.actorId,
    input.at,
  );
}

export interface DrawerDeps {
  sqlite: () => Database.Database;
  clock: () => number;
  config: () => TillConfig;
  consumeGrant: (grantId: string, action: string) => { approverId: string; approverName: string };
}

export class DrawerLedger {
  constructor(private readonly deps: DrawerDeps) {}

  private db(): Database.Database {
    return this.deps.sqlite();
  }

  session(id: string): SessionRow | null {
    return (
      (this.db()
        .prepare(
          `SELECT s.id, s.drawer_id AS drawerId, s.status, s.opened_by AS openedBy, e.name AS openedByName, s.opened_at AS openedAt, s.float_cents AS floatCents,
                  s.closed_by AS closedBy, s.closed_at AS closedAt, s.expected_cents AS expectedCents, s.counted_cents AS countedCents,
                  s.over_short_cents AS overShortCents, s.approved_by AS approvedBy
             FROM drawer_sessions s JOIN employees e ON e.id = s.opened_by WHERE s.id = ?`,
        )
        .get(id) as SessionRow | undefined) ?? null
    );
  }

  current(): SessionRow | null {
    const id = openSessionId(this.db(), this.deps.config().drawerId);
    return id ? this.session(id) : null;
  }

  movements(sessionId: string): Array<{ kind: MovementKind; amountCents: number; reason: string | null; at: number; employeeId: string | null }> {
    return this.db()
      .prepare('SELECT kind, amount_cents AS amountCents, reason, at, employee_id AS employeeId FROM cash_movements WHERE session_id = ? ORDER BY id')
      .all(sessionId) as Array<{ kind: MovementKind; amountCents: number; reason: string | null; at: number; employeeId: string | null }>;
  }

  totals(sessionId: string): SessionTotals {
    return totalsOf(this.movements(sessionId));
  }

  open(actor: Employee, input: { commandId: string; counts: Counts }): SessionRow {
    const db = this.db();
    const config = this.deps.config();
    const now = this.deps.clock();
    const total = countTotal(input.counts, config.denominations);
    const { result } = applyCommand(
      db,
      { commandId: input.commandId, name: 'till.session.open', actorId: actor.id },
      () => {
        if (openSessionId(db, config.drawerId)) throw new CoreError('conflict', 'This drawer is already open: close it before opening it again.');
        const id = newId(now);
        db.prepare(`INSERT INTO drawer_sessions (id, drawer_id, status, opened_by, opened_at, float_cents) VALUES (?, ?, 'open', ?, ?, ?)`).run(id, config.drawerId, actor.id, now, total);
        db.prepare(`INSERT INTO drawer_counts (session_id, kind, denominations, total_cents, counted_by, at) VALUES (?, 'open', ?, ?, ?, ?)`).run(id, JSON.stringify(input.counts), total, actor.id, now);
        db.prepare(`INSERT INTO cash_movements (session_id, kind, amount_cents, employee_id, at) VALUES (?, 'float', ?, ?, ?)`).run(id, total, actor.id, now);
        return { result: { sessionId: id }, audit: { action: 'till.session.open', details: { sessionId: id, drawerId: config.drawerId, floatCents: total } } };
      },
      now,
    );
    return this.session(result.sessionId)!;
  }

  /** A drop, pick-up, paid-in or paid-out, with its reason; pick-ups and large paid-outs need a manager. */
  move(actor: Employee, input: { commandId: string; kind: ManualMovement; amountCents: number; reason: string; grantId?: string }): SessionTotals {
    const db = this.db();
    const config = this.deps.config();
    const now = this.deps.clock();
    const sessionId = openSessionId(db, config.drawerId);
    if (!sessionId) throw new CoreError('conflict', 'No drawer is open: open the drawer with a counted float first.');
    const needsManager = input.kind === 'pickup' || (input.kind === 'paid_out' && input.amountCents > config.paidOutApprovalCents);
    let approvedBy: string | null = null;
    if (needsManager) {
      if (!input.grantId) {
        throw new CoreError('forbidden', input.kind === 'pickup' ? 'A manager approves a pick-up: ask a manager to enter their PIN.' : `A paid-out over ${money(config.paidOutApprovalCents)} needs a manager: ask a manager to enter their PIN.`, {
          approval: input.kind === 'pickup' ? PICKUP_ACTION : PAID_OUT_ACTION,
        });
      }
      approvedBy = this.deps.consumeGrant(input.grantId, input.kind === 'pickup' ? PICKUP_ACTION : PAID_OUT_ACTION).approverId;
    }
    if (input.kind !== 'paid_in') {
      const expected = this.totals(sessionId).expectedCents;
      if (input.amountCents > expected) throw new CoreError('conflict', `The drawer should hold only ${money(expected)}: check the amount.`);
    }
    applyCommand(
      db,
      { commandId: input.commandId, name: `till.${input.kind}`, actorId: actor.id },
      () => {
        db.prepare(`INSERT INTO cash_movements (session_id, kind, amount_cents, reason, employee_id, approved_by, at) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
          sessionId,
          input.kind,
          SIGN[input.kind] * input.amountCents,
          input.reason,
          actor.id,
          approvedBy,
          now,
        );
        return { result: null, audit: { action: `till.${input.kind}`, details: { sessionId, amountCents: input.amountCents, reason: input.reason, ...(approvedBy ? { approvedBy } : {}) } } };
      },
      now,
    );
    return this.totals(sessionId);
  }

  /** "No sale": the drawer opens without a sale, approved by a manager, recorded and audited. */
  noSale(actor: Employee, input: { commandId: string; reason: string; grantId: string }, queueKick: (db: Database.Database) => void): void {
    const db = this.db();
    const config = this.deps.config();
    const now = this.deps.clock();
    const { approverId } = this.deps.consumeGrant(input.grantId, NO_SALE_ACTION);
    applyCommand(
      db,
      { commandId: input.commandId, name: NO_SALE_ACTION, actorId: actor.id },
      () => {
        const sessionId = openSessionId(db, config.drawerId);
        db.prepare(`INSERT INTO cash_movements (session_id, kind, amount_cents, reason, employee_id, approved_by, at) VALUES (?, 'no_sale', 0, ?, ?, ?, ?)`).run(
          sessionId,
          input.reason,
          actor.id,
          approverId,
          now,
        );
        queueKick(db);
        return { result: null, audit: { action: 'till.no_sale', details: { sessionId, reason: input.reason, approvedBy: approverId } } };
      },
      now,
    );
  }

  /** Close with a count; over/short beyond the store's threshold needs a manager. */
  close(actor: Employee, input: { commandId: string; counts: Counts; note?: string; grantId?: string }): SessionRow {
    const db = this.db();
    const config = this.deps.config();
    const now = this.deps.clock();
    const sessionId = openSessionId(db, config.drawerId);
    if (!sessionId) throw new CoreError('conflict', 'No drawer is open.');
    const counted = countTotal(input.counts, config.denominations);
    const expected = this.totals(sessionId).expectedCents;
    const overShort = counted - expected;
    let approvedBy: string | null = null;
    if (Math.abs(overShort) > config.overShortApprovalCents) {
      if (!input.grantId) {
        throw new CoreError('forbidden', `The count is ${money(Math.abs(overShort))} ${overShort > 0 ? 'over' : 'short'}: count again, or ask a manager to approve the close.`, {
          approval: CLOSE_ACTION,
          overShortCents: overShort,
        });
      }
      approvedBy = this.deps.consumeGrant(input.grantId, CLOSE_ACTION).approverId;
    }
    applyCommand(
      db,
      { commandId: input.commandId, name: 'till.session.close', actorId: actor.id },
      () => {
        db.prepare(`INSERT INTO drawer_counts (session_id, kind, denominations, total_cents, counted_by, at) VALUES (?, 'close', ?, ?, ?, ?)`).run(sessionId, JSON.stringify(input.counts), counted, actor.id, now);
        const changed = db
          .prepare(
            `UPDATE drawer_sessions SET status = 'closed', closed_by = ?, closed_at = ?, expected_cents = ?, counted_cents = ?, over_short_cents = ?, approved_by = ?, note = ?
              WHERE id = ? AND status = 'open'`,
          )
          .run(actor.id, now, expected, counted, overShort, approvedBy, input.note ?? null, sessionId).changes;
        if (changed !== 1) throw new CoreError('conflict', 'This drawer was closed meanwhile.');
        return { result: null, audit: { action: 'till.session.close', details: { sessionId, expectedCents: expected, countedCents: counted, overShortCents: overShort, ...(approvedBy ? { approvedBy } : {}) } } };
      },
      now,
    );
    return this.session(sessionId)!;
  }
}
