/**
 * The drawer ledger on a real SQLite store: a table of cases (float, sales, refunds, drops,
 * pick-ups, paid-in/out, the closing count) → expected cash and over/short; the store's threshold
 * for a manager's approval; one open session per drawer; counts by denomination.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Employee } from '../../../preload/api.js';
import { CoreError } from '../../../main/core/errors.js';
import { openStore } from '../../../main/store/db.js';
import { newId } from '../../../main/store/ids.js';
import { tillConfigSchema } from '../../../main/till/config.js';
import { countTotal, DrawerLedger, recordRefundCash, recordSaleCash, CLOSE_ACTION } from '../../../main/till/drawer.js';
import { migrationsFolder, tempDir } from '../../support/paths.js';

const work = tempDir('till-ledger-');
let sqlite: Database.Database;
const config = tillConfigSchema.parse({ overShortApprovalCents: 500, paidOutApprovalCents: 2000 });
let now = Date.UTC(2026, 5, 1, 15);
const actor: Employee = { id: 'E-BUD', name: 'Bea', role: 'budtender', permissions: ['sell'], active: true };
const grants: string[] = [];

beforeAll(() => {
  sqlite = openStore({ file: join(work.dir, 'register.sqlite'), migrationsFolder, integrityCheck: 'quick' }).sqlite;
  sqlite.exec(`INSERT INTO employees (id, name, role, pin_hash, created_at) VALUES ('E-BUD', 'Bea', 'budtender', 'x', 1), ('E-MGR', 'Max', 'manager', 'x', 1)`);
});
afterAll(() => {
  sqlite.close();
  work.cleanup();
});

const ledger = () =>
  new DrawerLedger({
    sqlite: () => sqlite,
    clock: () => ++now,
    config: () => config,
    consumeGrant: (grantId, action) => {
      grants.push(`${grantId}:${action}`);
      return { approverId: 'E-MGR', approverName: 'Max' };
    },
  });

/** Cents as bills and coins, largest first (how a person would count them). */
function asCounts(cents: number): Record<string, number> {
  const counts: Record<string, number> = {};
  let left = cents;
  for (const denomination of config.denominations) {
    const n = Math.floor(left / denomination);
    if (n > 0) counts[String(denomination)] = n;
    left -= n * denomination;
  }
  return counts;
}

type Step = ['sale' | 'refund' | 'drop' | 'pickup' | 'paid_in' | 'paid_out', number];
const cases: Array<{ name: string; float: number; steps: Step[]; counted: number; expected: number; overShort: number }> = [
  { name: 'float only, counted exactly', float: 10_000, steps: [], counted: 10_000, expected: 10_000, overShort: 0 },
  { name: 'two cash sales', float: 10_000, steps: [['sale', 4_500], ['sale', 2_037]], counted: 16_537, expected: 16_537, overShort: 0 },
  { name: 'a sale and a drop to the safe', float: 10_000, steps: [['sale', 5_000], ['drop', 3_000]], counted: 12_000, expected: 12_000, overShort: 0 },
  { name: 'a paid-out, $5 short', float: 10_000, steps: [['sale', 5_000], ['paid_out', 1_000]], counted: 13_500, expected: 14_000, overShort: -500 },
  { name: 'a paid-in and a cash refund, $2.50 over', float: 10_000, steps: [['paid_in', 2_000], ['refund', 1_500]], counted: 10_750, expected: 10_500, overShort: 250 },
  { name: 'a manager pick-up', float: 20_000, steps: [['sale', 9_999], ['pickup', 15_000]], counted: 14_999, expected: 14_999, overShort: 0 },
  {
    name: 'a busy shift, 1 cent short',
    float: 15_000,
    steps: [['sale', 8_983], ['sale', 2_675], ['refund', 2_675], ['drop', 5_000], ['paid_out', 1_250], ['paid_in', 500], ['sale', 12_345]],
    counted: 30_577,
    expected: 30_578,
    overShort: -1,
  },
  { name: 'a zero float', float: 0, steps: [['sale', 1_234]], counted: 1_234, expected: 1_234, overShort: 0 },
];

describe('drawer ledger', () => {
  it.each(cases)('$name → expected $expected, over/short $overShort', ({ float, steps, counted, expected, overShort }) => {
    const drawer = ledger();
    const session = drawer.open(actor, { commandId: newId(now), counts: asCounts(float) });
    expect(session.floatCents).toBe(float);
    for (const [kind, cents] of steps) {
      if (kind === 'sale') recordSaleCash(sqlite, config.drawerId, { saleId: newId(now), cashCents: cents, actorId: actor.id, at: ++now });
      else if (kind === 'refund') recordRefundCash(sqlite, config.drawerId, { returnId: newId(now), cashCents: cents, actorId: actor.id, at: ++now });
      else drawer.move(actor, { commandId: newId(now), kind, amountCents: cents, reason: 'test', ...(kind === 'pickup' ? { grantId: 'g' } : {}) });
    }
    expect(drawer.totals(session.id).expectedCents).toBe(expected);
    const closed = drawer.close(actor, { commandId: newId(now), counts: asCounts(counted) });
    expect(closed).toMatchObject({ status: 'closed', expectedCents: expected, countedCents: counted, overShortCents: overShort, approvedBy: null });
    // Closed sessions take no more cash: a later sale's cash is recorded apart (no session).
    expect(drawer.current()).toBeNull();
  });

  it('beyond the store threshold a manager approves the close; within it nobody needs to', () => {
    const drawer = ledger();
    drawer.open(actor, { commandId: newId(now), counts: asCounts(10_000) });
    recordSaleCash(sqlite, config.drawerId, { saleId: newId(now), cashCents: 2_000, actorId: actor.id, at: ++now });
    let refusal: unknown = null;
    try {
      drawer.close(actor, { commandId: newId(now), counts: asCounts(11_400) });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(CoreError);
    expect((refusal as CoreError).message).toContain('$6.00 short');
    expect(drawer.current()).not.toBeNull();
    const closed = drawer.close(actor, { commandId: newId(now), counts: asCounts(11_400), grantId: 'mgr' });
    expect(closed).toMatchObject({ overShortCents: -600, approvedBy: 'E-MGR' });
    expect(grants).toContain(`mgr:${CLOSE_ACTION}`);
  });

  it('one open session per drawer; a large paid-out or a pick-up needs a manager; no more out than the drawer holds', () => {
    const drawer = ledger();
    drawer.open(actor, { commandId: newId(now), counts: asCounts(5_000) });
    expect(() => drawer.open(actor, { commandId: newId(now), counts: {} })).toThrow(/already open/);
    expect(() => drawer.move(actor, { commandId: newId(now), kind: 'paid_out', amountCents: 2_500, reason: 'supplies' })).toThrow(/needs a manager/);
    expect(() => drawer.move(actor, { commandId: newId(now), kind: 'pickup', amountCents: 100, reason: 'safe' })).toThrow(/manager/);
    expect(() => drawer.move(actor, { commandId: newId(now), kind: 'drop', amountCents: 6_000, reason: 'safe' })).toThrow(/should hold only \$50\.00/);
    drawer.close(actor, { commandId: newId(now), counts: asCounts(5_000) });
  });

  it('counts only the store’s bills and coins, in whole numbers', () => {
    expect(countTotal({ '2000': 3, '25': 4 }, config.denominations)).toBe(6_100);
    expect(() => countTotal({ '300': 1 }, config.denominations)).toThrow(/not a bill or coin/);
    expect(() => countTotal({ '100': -1 }, config.denominations)).toThrow(/whole number/);
  });
});
