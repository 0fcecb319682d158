/**
 * Points as a ledger: every change is a row of rewards_ledger and a balance is their sum (kept in
 * rewards_balances by a trigger, in the same transaction; `npm run verify:balances` checks it). These
 * functions write no transaction of their own, so the checkout calls them INSIDE its sale's
 * transaction and the points commit (or roll back) with the sale.
 */
import type Database from 'better-sqlite3';
import { CoreError } from '../core/errors.js';
import { cachedStatement } from '../store/statements.js';
import { captureRewardsEntry } from '../hub-sync/capture.js';
import { pointsEarned, quoteRedemption, readRewardsRules, redemptionProblem } from './rules.js';

/** The ledger's statements, prepared once per connection: they run inside every sale. */
const statement = cachedStatement;

export function rewardsBalance(sqlite: Database.Database, customerId: string): number {
  // Kept by a trigger on rewards_ledger in the same transaction (drizzle/0013): one row, not a sum.
  const row = statement(sqlite, 'SELECT points FROM rewards_balances WHERE customer_id = ?').get(customerId) as { points: number } | undefined;
  return row?.points ?? 0;
}

interface LedgerRow {
  customerId: string;
  kind: 'earn' | 'redeem' | 'adjust' | 'reverse' | 'return';
  points: number;
  saleId: string | null;
  cents: number | null;
  reason: string | null;
  employeeId: string | null;
  approvedBy: string | null;
  at: number;
}

export function insertLedgerRow(sqlite: Database.Database, row: LedgerRow): string {
  const result = statement(
    sqlite,
    `INSERT INTO rewards_ledger (customer_id, kind, points, sale_id, cents, reason, employee_id, approved_by, at)
       VALUES (@customerId, @kind, @points, @saleId, @cents, @reason, @employeeId, @approvedBy, @at)`,
  ).run(row);
  captureRewardsEntry(sqlite, result.lastInsertRowid);
  return String(result.lastInsertRowid);
}

function saleEntry(sqlite: Database.Database, saleId: string, kind: string): { customer_id: string; points: number; cents: number | null } | undefined {
  return statement(sqlite, 'SELECT customer_id, points, cents FROM rewards_ledger WHERE sale_id = ? AND kind = ?').get(saleId, kind) as
    | { customer_id: string; points: number; cents: number | null }
    | undefined;
}

export interface EarnInput {
  customerId: string;
  saleId: string;
  /** The sale's spend that earns points: after discounts (points redeemed included), before tax. */
  eligibleCents: number;
  employeeId?: string | null;
  at: number;
}

/** Points for a completed sale at the store's rate. Once per sale: a retry returns the first answer. */
export function earnPoints(sqlite: Database.Database, input: EarnInput): { points: number; balance: number } {
  const earlier = saleEntry(sqlite, input.saleId, 'earn');
  if (earlier) return { points: earlier.points, balance: rewardsBalance(sqlite, input.customerId) };
  const points = pointsEarned(readRewardsRules(sqlite), input.eligibleCents);
  if (points > 0) {
    insertLedgerRow(sqlite, {
      customerId: input.customerId,
      kind: 'earn',
      points,
      saleId: input.saleId,
      cents: input.eligibleCents,
      reason: null,
      employeeId: input.employeeId ?? null,
      approvedBy: null,
      at: input.at,
    });
  }
  return { points, balance: rewardsBalance(sqlite, input.customerId) };
}

export interface RedeemInput {
  customerId: string;
  saleId: string;
  /** Points the customer chose to redeem (a multiple of the step, within the rules). */
  points: number;
  /** The sale's spend before this redemption (after other discounts, before tax): caps the discount. */
  eligibleCents: number;
  employeeId?: string | null;
  at: number;
}

/**
 * Takes the points off and returns the discount in cents the checkout applies to the sale.
 * Refuses (CoreError 'conflict', the transaction rolls back) when the rules do not allow it:
 * check first with quoteRedemption / rewardsQuote to offer only what is allowed.
 */
export function redeemPoints(sqlite: Database.Database, input: RedeemInput): { points: number; discountCents: number; balance: number } {
  const earlier = saleEntry(sqlite, input.saleId, 'redeem');
  if (earlier) return { points: -earlier.points, discountCents: earlier.cents ?? 0, balance: rewardsBalance(sqlite, input.customerId) };
  const rules = readRewardsRules(sqlite);
  const balance = rewardsBalance(sqlite, input.customerId);
  const quote = quoteRedemption(rules, balance, input.eligibleCents, null);
  const problem = redemptionProblem(rules, balance, quote.maxPoints, input.points);
  if (problem) throw new CoreError('conflict', `Points cannot be redeemed: ${problem}`);
  const discountCents = input.points * rules.redeemCentsPerPoint;
  insertLedgerRow(sqlite, {
    customerId: input.customerId,
    kind: 'redeem',
    points: -input.points,
    saleId: input.saleId,
    cents: discountCents,
    reason: null,
    employeeId: input.employeeId ?? null,
    approvedBy: null,
    at: input.at,
  });
  return { points: input.points, discountCents, balance: balance - input.points };
}

/** The preview the checkout shows: what `points` (null: the most allowed) would give on this spend. */
export function rewardsQuote(sqlite: Database.Database, customerId: string, eligibleCents: number, points: number | null) {
  return quoteRedemption(readRewardsRules(sqlite), rewardsBalance(sqlite, customerId), eligibleCents, points);
}

/**
 * A voided sale: the points it earned are taken back and the points it redeemed are given back,
 * as one 'reverse' row (the earn and redeem rows stay). Once per sale; 0 when it touched no points.
 */
export function reverseSalePoints(sqlite: Database.Database, input: { saleId: string; employeeId?: string | null; at: number; reason?: string }): { points: number } {
  if (saleEntry(sqlite, input.saleId, 'reverse')) return { points: 0 };
  const earned = saleEntry(sqlite, input.saleId, 'earn');
  const redeemed = saleEntry(sqlite, input.saleId, 'redeem');
  const customerId = earned?.customer_id ?? redeemed?.customer_id;
  if (!customerId) return { points: 0 };
  const points = -(earned?.points ?? 0) - (redeemed?.points ?? 0);
  if (points === 0) return { points: 0 };
  insertLedgerRow(sqlite, {
    customerId,
    kind: 'reverse',
    points,
    saleId: input.saleId,
    cents: null,
    reason: input.reason ?? 'Sale voided',
    employeeId: input.employeeId ?? null,
    approvedBy: null,
    at: input.at,
  });
  return { points };
}

/** The points a sale earned and redeemed, and its net: what a return's share is taken from. */
function saleShare(sqlite: Database.Database, saleId: string) {
  const earned = saleEntry(sqlite, saleId, 'earn');
  const redeemed = saleEntry(sqlite, saleId, 'redeem');
  return { customerId: earned?.customer_id ?? redeemed?.customer_id ?? null, earned: earned?.points ?? 0, redeemed: -(redeemed?.points ?? 0) };
}

/**
 * A partial return: the points the sale earned are taken back, and the points it redeemed given
 * back, in proportion to the net refunded. Each return moves the sale's total from its share
 * before the return to its share after it (rounded the same way both times), so several returns
 * that end up returning everything add up exactly to what a void would reverse.
 */
export function returnSalePoints(
  sqlite: Database.Database,
  input: {
    saleId: string;
    saleNetCents: number;
    /** Net refunded by this sale's earlier returns, and by this one. */
    returnedBeforeCents: number;
    returnedNowCents: number;
    reason: string;
    employeeId: string | null;
    approvedBy: string | null;
    at: number;
  },
): { points: number } {
  const { customerId, earned, redeemed } = saleShare(sqlite, input.saleId);
  if (!customerId || input.saleNetCents <= 0) return { points: 0 };
  const share = (total: number, cents: number) => Math.round((total * Math.min(cents, input.saleNetCents)) / input.saleNetCents);
  const after = input.returnedBeforeCents + input.returnedNowCents;
  const takenBack = share(earned, after) - share(earned, input.returnedBeforeCents);
  const givenBack = share(redeemed, after) - share(redeemed, input.returnedBeforeCents);
  const points = givenBack - takenBack;
  if (points === 0) return { points: 0 };
  // No sale_id: a sale may have several returns, and (sale_id, kind) is unique. The reason names the receipt.
  insertLedgerRow(sqlite, {
    customerId,
    kind: 'return',
    points,
    saleId: null,
    cents: input.returnedNowCents,
    reason: input.reason,
    employeeId: input.employeeId,
    approvedBy: input.approvedBy,
    at: input.at,
  });
  return { points };
}
