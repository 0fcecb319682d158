/**
 * Running balances (drizzle/0013, 0015, 0017): stock on hand per product, allotment used per holder
 * per limit per business day, points per customer, and the track-and-trace outbox's rows per
 * location and state (hot and archived together) are kept by triggers on their ledgers, in the
 * same transaction as every ledger row. `verifyBalances` rebuilds each from its ledger and lists every
 * figure that differs (`npm run verify:balances`). It reads whole ledgers: a check for a quiet
 * moment, never for a sale's path.
 */
import type Database from 'better-sqlite3';

export interface BalanceDifference {
  balance: 'stock_on_hand' | 'allotment_daily' | 'rewards_balances' | 'trace_outbox_counts';
  /** What the figure is for: the product, the holder/limit/day, the customer, the location/state. */
  key: string;
  /** The kept figure (null: no row kept) and the ledger's sum. */
  kept: number | null;
  ledger: number;
}

interface Check {
  balance: BalanceDifference['balance'];
  sql: string;
}

// Each query lists the keys where the kept figure and the ledger's sum differ, from either side
// (a kept row without ledger rows must be 0; a ledger without a kept row is missing).
const CHECKS: Check[] = [
  {
    balance: 'stock_on_hand',
    // Receipts and adjustments, sale lines out, return lines back (drizzle/0017).
    sql: `WITH moves (k, delta) AS (
            SELECT product_id, quantity_delta FROM inventory_movements
            UNION ALL SELECT v.product_id, -l.quantity FROM sale_lines l JOIN product_versions v ON v.id = l.product_version_id
            UNION ALL SELECT v.product_id, r.quantity FROM sale_return_lines r JOIN sale_lines l ON l.id = r.sale_line_id
                      JOIN product_versions v ON v.id = l.product_version_id),
          ledger AS (SELECT k, SUM(delta) AS total FROM moves GROUP BY k)
          SELECT l.k AS key, s.quantity AS kept, l.total AS ledger FROM ledger l LEFT JOIN stock_on_hand s ON s.product_id = l.k
           WHERE s.quantity IS NOT l.total
          UNION ALL
          SELECT s.product_id, s.quantity, 0 FROM stock_on_hand s WHERE s.quantity != 0 AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.k = s.product_id)`,
  },
  {
    balance: 'rewards_balances',
    sql: `WITH ledger AS (SELECT customer_id AS k, SUM(points) AS total FROM rewards_ledger GROUP BY customer_id)
          SELECT l.k AS key, b.points AS kept, l.total AS ledger FROM ledger l LEFT JOIN rewards_balances b ON b.customer_id = l.k
           WHERE b.points IS NOT l.total
          UNION ALL
          SELECT b.customer_id, b.points, 0 FROM rewards_balances b WHERE b.points != 0 AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.k = b.customer_id)`,
  },
  {
    balance: 'allotment_daily',
    sql: `WITH ledger AS (
            SELECT holder_kind AS hk, holder_id AS hi, limit_id AS li, business_date AS bd, SUM(amount) AS total
              FROM allotment_uses GROUP BY holder_kind, holder_id, limit_id, business_date)
          SELECT l.hk || ' ' || l.hi || ' ' || l.li || ' ' || l.bd AS key, d.amount AS kept, l.total AS ledger
            FROM ledger l LEFT JOIN allotment_daily d
              ON d.holder_kind = l.hk AND d.holder_id = l.hi AND d.limit_id = l.li AND d.business_date = l.bd
           WHERE d.amount IS NOT l.total
          UNION ALL
          SELECT d.holder_kind || ' ' || d.holder_id || ' ' || d.limit_id || ' ' || d.business_date, d.amount, 0 FROM allotment_daily d
           WHERE d.amount != 0 AND NOT EXISTS (
             SELECT 1 FROM ledger l WHERE l.hk = d.holder_kind AND l.hi = d.holder_id AND l.li = d.limit_id AND l.bd = d.business_date)`,
  },
  {
    balance: 'trace_outbox_counts',
    // Archiving moves a row from trace_outbox to trace_outbox_archive and leaves the counter as it is.
    sql: `WITH ledger AS (
            SELECT location AS lo, state AS st, COUNT(*) AS total FROM (
              SELECT location, state FROM trace_outbox UNION ALL SELECT location, state FROM trace_outbox_archive)
             GROUP BY location, state)
          SELECT l.lo || ' ' || l.st AS key, c.n AS kept, l.total AS ledger FROM ledger l
            LEFT JOIN trace_outbox_counts c ON c.location = l.lo AND c.state = l.st
           WHERE c.n IS NOT l.total
          UNION ALL
          SELECT c.location || ' ' || c.state, c.n, 0 FROM trace_outbox_counts c
           WHERE c.n != 0 AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.lo = c.location AND l.st = c.state)`,
  },
];

/** Every kept balance that differs from its ledger (empty: all agree). */
export function verifyBalances(sqlite: Database.Database): BalanceDifference[] {
  const differences: BalanceDifference[] = [];
  for (const check of CHECKS) {
    for (const row of sqlite.prepare(check.sql).all() as Array<{ key: string; kept: number | null; ledger: number }>) {
      differences.push({ balance: check.balance, key: row.key, kept: row.kept, ledger: row.ledger });
    }
  }
  return differences;
}

/** How many figures each balance keeps (for the report). */
export function balanceCounts(sqlite: Database.Database): Record<BalanceDifference['balance'], number> {
  const count = (table: string) => (sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    stock_on_hand: count('stock_on_hand'),
    allotment_daily: count('allotment_daily'),
    rewards_balances: count('rewards_balances'),
    trace_outbox_counts: (sqlite.prepare('SELECT COALESCE(SUM(n), 0) AS n FROM trace_outbox_counts').get() as { n: number }).n,
  };
}
