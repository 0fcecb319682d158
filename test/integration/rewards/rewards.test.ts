/**
 * Rewards in a real register (demo store, real SQLite): cards connected, found by a swipe,
 * replaced (the old card refused, points kept), one customer per card; points adjusted by hand
 * only with a manager's PIN, audited with old and new totals; tags and the tag filter in search;
 * and the earn/redeem functions the checkout calls inside its sale transaction.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDemoStore } from '../../../main/demo/seed.js';
import { earnPoints, redeemPoints, reverseSalePoints, rewardsBalance } from '../../../main/rewards/index.js';
import { openStore, type Store } from '../../../main/store/db.js';
import { newId } from '../../../main/store/ids.js';
import type { ResponseEnvelope } from '../../../preload/api.js';
import { migrationsFolder, resourcesDir, tempDir } from '../../support/paths.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

const CARD_A = '6012000011112222';
const CARD_B = '6012000033334444';
const CARD_C = '6012000055556666';

function value<T = Record<string, unknown>>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  return response.value as T;
}
function error(response: ResponseEnvelope): { code: string; message: string } {
  if (response.ok) throw new Error('expected the call to be refused');
  return response.error;
}

describe('rewards through the contract', () => {
  let reg: TestRegister;
  let ann: string;
  let ben: string;

  beforeAll(async () => {
    reg = await startTestRegister();
    value(await reg.call('session.login', { pin: '1111' }));
    const recent = value<Array<{ id: string }>>(await reg.call('customers.recent', { limit: 10 }));
    ann = recent[0]!.id;
    ben = recent[1]!.id;
  });
  afterAll(async () => {
    await reg?.close();
  });

  const grant = async (pin: string, action = 'rewards.adjust'): Promise<string> => {
    const approvers = value<Array<{ id: string; name: string }>>(await reg.call('staff.approvers', { permission: 'manager_override' }));
    const manager = approvers.find((a) => a.name === 'Max Manager')!;
    const result = await reg.call('staff.override', { approverId: manager.id, pin, permission: 'manager_override', action });
    return value<{ grantId: string }>(result).grantId;
  };

  it('connects a card, finds the customer by it, and refuses it for a second customer', async () => {
    const card = value(await reg.call('rewards.connectCard', { commandId: newId(), customerId: ann, cardNumber: '6012 0000 1111 2222' }));
    expect(card).toMatchObject({ cardNumber: CARD_A, replacedAt: null });
    expect(value(await reg.call('rewards.findByCard', { cardNumber: CARD_A }))).toMatchObject({ customerId: ann });
    // The customers search's rewards card field finds the working card.
    const found = value<{ results: Array<{ id: string }> }>(await reg.call('customers.search', { field: 'rewards_card', query: CARD_A }));
    expect(found.results.map((r) => r.id)).toEqual([ann]);

    const taken = error(await reg.call('rewards.connectCard', { commandId: newId(), customerId: ben, cardNumber: CARD_A }));
    expect(taken.code).toBe('conflict');
    expect(taken.message).toMatch(/ending 2222 already belongs to .*a card belongs to one customer/);
    const second = error(await reg.call('rewards.connectCard', { commandId: newId(), customerId: ann, cardNumber: CARD_B }));
    expect(second.message).toMatch(/already has the card ending 2222: use Replace Card/);
    expect(error(await reg.call('rewards.connectCard', { commandId: newId(), customerId: ann, cardNumber: '12345' })).message).toMatch(/16 digits/);
    expect(error(await reg.call('rewards.findByCard', { cardNumber: CARD_C })).code).toBe('not_found');
  });

  it('adjusts points only with a manager PIN, audited with the old and new totals', async () => {
    const without = error(await reg.call('rewards.adjust', { commandId: newId(), customerId: ann, points: 500, reason: 'Welcome bonus', grantId: 'no-such-grant' }));
    expect(without.code).toBe('forbidden');
    const missing = await reg.call('rewards.adjust', { commandId: newId(), customerId: ann, points: 500, reason: 'Welcome bonus' });
    expect(error(missing).code).toBe('invalid_message');
    await expect(grant('9999')).rejects.toThrow(/wrong_pin/);
    // A grant for something else does not work either.
    const other = await grant('2222', 'audit.recent');
    expect(error(await reg.call('rewards.adjust', { commandId: newId(), customerId: ann, points: 500, reason: 'Welcome bonus', grantId: other })).code).toBe('forbidden');
    expect(value<{ balance: number }>(await reg.call('rewards.account', { customerId: ann })).balance).toBe(0);

    const commandId = newId();
    const grantId = await grant('2222');
    expect(value(await reg.call('rewards.adjust', { commandId, customerId: ann, points: 500, reason: 'Welcome bonus', grantId }))).toEqual({ oldBalance: 0, newBalance: 500 });
    // Sent twice (a retry): applied once, without a second PIN.
    expect(value(await reg.call('rewards.adjust', { commandId, customerId: ann, points: 500, reason: 'Welcome bonus', grantId }))).toEqual({ oldBalance: 0, newBalance: 500 });
    // The grant is single-use.
    expect(error(await reg.call('rewards.adjust', { commandId: newId(), customerId: ann, points: 5, reason: 'Again', grantId })).code).toBe('forbidden');
    const tooMuch = error(await reg.call('rewards.adjust', { commandId: newId(), customerId: ann, points: -600, reason: 'Oops', grantId: await grant('2222') }));
    expect(tooMuch.message).toMatch(/has 500 points: take away at most 500/);
    expect(value(await reg.call('rewards.adjust', { commandId: newId(), customerId: ann, points: -120, reason: 'Returned item', grantId: await grant('2222') }))).toEqual({ oldBalance: 500, newBalance: 380 });

    const account = value<{ balance: number; ledger: Array<{ kind: string; points: number; balanceAfter: number; approvedByName: string | null; employeeName: string | null }> }>(
      await reg.call('rewards.account', { customerId: ann }),
    );
    expect(account.balance).toBe(380);
    expect(account.ledger.map((e) => [e.kind, e.points, e.balanceAfter, e.approvedByName, e.employeeName])).toEqual([
      ['adjust', -120, 380, 'Max Manager', 'Bea Budtender'],
      ['adjust', 500, 500, 'Max Manager', 'Bea Budtender'],
    ]);
    const history = value<Array<{ action: string; summary: string }>>(await reg.call('customers.history', { id: ann }));
    expect(history.find((h) => h.action === 'rewards.adjust')?.summary).toBe('Points adjusted by hand: 500 → 380 (Returned item), approved by Max Manager');
  });

  it('replaces a card: the new one finds the customer, the old one is refused, points and history stay', async () => {
    const same = error(await reg.call('rewards.replaceCard', { commandId: newId(), customerId: ann, cardNumber: CARD_A }));
    expect(same.message).toMatch(/swipe the NEW card/);
    value(await reg.call('rewards.replaceCard', { commandId: newId(), customerId: ann, cardNumber: CARD_B }));
    expect(value(await reg.call('rewards.findByCard', { cardNumber: CARD_B }))).toMatchObject({ customerId: ann });
    const old = error(await reg.call('rewards.findByCard', { cardNumber: CARD_A }));
    expect(old.code).toBe('conflict');
    expect(old.message).toMatch(/ending 2222 was replaced and no longer works/);
    expect(value<{ results: unknown[] }>(await reg.call('customers.search', { field: 'rewards_card', query: CARD_A })).results).toEqual([]);
    // The old card cannot be given to anyone else either.
    expect(error(await reg.call('rewards.connectCard', { commandId: newId(), customerId: ben, cardNumber: CARD_A })).message).toMatch(/belongs to/);
    const account = value<{ balance: number; card: { cardNumber: string }; replacedCards: Array<{ cardNumber: string }>; ledger: unknown[] }>(
      await reg.call('rewards.account', { customerId: ann }),
    );
    expect(account).toMatchObject({ balance: 380, card: { cardNumber: CARD_B }, replacedCards: [{ cardNumber: CARD_A }] });
    expect(account.ledger).toHaveLength(2);
  });

  it('keeps tag lists for managers only, tags profiles, and filters search by tag', async () => {
    expect(error(await reg.call('rewards.saveTag', { commandId: newId(), kind: 'status', name: 'VIP' })).code).toBe('forbidden');
    value(await reg.call('session.logout', {}));
    value(await reg.call('session.login', { pin: '2222' }));
    const vip = value<{ id: string }>(await reg.call('rewards.saveTag', { commandId: newId(), kind: 'status', name: 'VIP' }));
    const north = value<{ id: string }>(await reg.call('rewards.saveTag', { commandId: newId(), kind: 'location', name: 'North store' }));
    expect(error(await reg.call('rewards.saveTag', { commandId: newId(), kind: 'status', name: 'vip' })).message).toMatch(/already on the status tags list/);

    value(await reg.call('rewards.setCustomerTags', { commandId: newId(), customerId: ann, tagIds: [vip.id, north.id] }));
    value(await reg.call('rewards.setCustomerTags', { commandId: newId(), customerId: ben, tagIds: [north.id] }));
    const vips = value<{ results: Array<{ id: string }> }>(await reg.call('customers.search', { field: 'name', query: '', tagId: vip.id }));
    expect(vips.results.map((r) => r.id)).toEqual([ann]);
    const northAll = value<{ results: Array<{ id: string }> }>(await reg.call('customers.search', { field: 'name', query: '', tagId: north.id }));
    expect(northAll.results.map((r) => r.id).sort()).toEqual([ann, ben].sort());
    const annDetail = value<{ form: { lastName: string } }>(await reg.call('customers.get', { id: ann }));
    const byName = value<{ results: Array<{ id: string }> }>(await reg.call('customers.search', { field: 'name', query: annDetail.form.lastName, tagId: vip.id }));
    expect(byName.results.map((r) => r.id)).toEqual([ann]);

    value(await reg.call('rewards.archiveTag', { commandId: newId(), tagId: vip.id }));
    expect(value<{ tags: Array<{ name: string }> }>(await reg.call('rewards.config', {})).tags.map((t) => t.name)).toEqual(['North store']);
    expect(error(await reg.call('rewards.setCustomerTags', { commandId: newId(), customerId: ben, tagIds: [north.id, vip.id] })).message).toMatch(/no longer on the list/);
    // Untagging works; the profile keeps the archived tag until someone removes it.
    expect(value<Array<{ name: string }>>(await reg.call('rewards.setCustomerTags', { commandId: newId(), customerId: ann, tagIds: [vip.id] })).map((t) => t.name)).toEqual(['VIP']);
  });

  it('lets a manager change the rules, and the quote follows them', async () => {
    const rules = { enabled: true, earnPointsPerDollar: 2, redeemCentsPerPoint: 1, minRedeemPoints: 100, redeemStepPoints: 100, maxRedeemPercent: 100 };
    value(await reg.call('rewards.saveRules', { commandId: newId(), rules }));
    expect(value(await reg.call('rewards.config', {}))).toMatchObject({ rules });
    expect(value(await reg.call('rewards.quote', { customerId: ann, eligibleCents: 10_000 }))).toMatchObject({ balance: 380, maxPoints: 300, discountCents: 300 });
    const bad = error(await reg.call('rewards.saveRules', { commandId: newId(), rules: { ...rules, maxRedeemPercent: 0 } }));
    expect(bad.code).toBe('invalid_message');
  });
});

describe('points from the checkout', () => {
  it('a completed sale earns points on its net before tax, and voiding it takes them back', async () => {
    const reg = await startTestRegister();
    try {
      value(await reg.call('session.login', { pin: '1111' }));
      const found = value<{ results: Array<{ id: string }> }>(await reg.call('customers.search', { field: 'name', query: 'Olivia Hart' }));
      const customerId = found.results[0]!.id;
      const ticket = value<{ ticketId: string; saleCommandId: string }>(await reg.call('checkout.ticket.open', { saleCommandId: newId(), customerId }));
      value(await reg.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: '7194220405500100', quantity: 2 })); // 2 × $45.00
      const view = value<{ totals: { netCents: number; totalCents: number } }>(await reg.call('checkout.ticket.get', { ticketId: ticket.ticketId }));
      expect(view.totals.netCents).toBe(9_000);
      expect(view.totals.totalCents).toBeGreaterThan(9_000);
      const receipt = value<{ saleId: string }>(
        await reg.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: view.totals.totalCents }] }),
      );
      // 1 point per dollar of $90.00 net (tax is not spend).
      const account = value<{ balance: number; ledger: Array<{ kind: string; saleId: string | null }> }>(await reg.call('rewards.account', { customerId }));
      expect(account.balance).toBe(90);
      expect(account.ledger[0]).toMatchObject({ kind: 'earn', saleId: receipt.saleId });

      value(await reg.call('session.login', { pin: '2222' }));
      value(await reg.call('checkout.sale.void', { commandId: newId(), saleId: receipt.saleId, reason: 'wrong customer' }));
      expect(value<{ balance: number }>(await reg.call('rewards.account', { customerId })).balance).toBe(0);
    } finally {
      await reg.close();
    }
  });
});

describe('partial returns and points', () => {
  it('each return takes back its share of the points the sale earned and gives back its share of those it redeemed; returning everything equals a void', async () => {
    const reg = await startTestRegister();
    try {
      value(await reg.call('session.login', { pin: '2222' }));
      const found = value<{ results: Array<{ id: string }> }>(await reg.call('customers.search', { field: 'name', query: 'Olivia Hart' }));
      const customerId = found.results[0]!.id;
      const approvers = value<Array<{ id: string; name: string }>>(await reg.call('staff.approvers', { permission: 'manager_override' }));
      const approverId = approvers.find((a) => a.name === 'Max Manager')!.id;
      const adjust = value<{ grantId: string }>(await reg.call('staff.override', { approverId, pin: '2222', permission: 'manager_override', action: 'rewards.adjust' }));
      value(await reg.call('rewards.adjust', { commandId: newId(), customerId, points: 200, reason: 'Welcome', grantId: adjust.grantId }));
      const balance = async () => value<{ balance: number }>(await reg.call('rewards.account', { customerId })).balance;

      const ticket = value<{ ticketId: string; saleCommandId: string }>(await reg.call('checkout.ticket.open', { saleCommandId: newId(), customerId }));
      value(await reg.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: '7194220405500100', quantity: 3 })); // 3 × $45.00
      value(await reg.call('checkout.ticket.redeemPoints', { ticketId: ticket.ticketId, points: 200 })); // $10.00 off
      const view = value<{ totals: { netCents: number; totalCents: number } }>(await reg.call('checkout.ticket.get', { ticketId: ticket.ticketId }));
      expect(view.totals.netCents).toBe(12_500);
      const receipt = value<{ saleId: string; lines: Array<{ saleLineId: string }> }>(
        await reg.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: view.totals.totalCents }] }),
      );
      // 200 − 200 redeemed + 125 earned on the $125.00 net.
      expect(await balance()).toBe(125);
      const line = receipt.lines[0]!.saleLineId;

      // One of three returned: a third of 125 earned back (42) and a third of 200 redeemed given back (67).
      value(await reg.call('checkout.sale.return', { commandId: newId(), saleId: receipt.saleId, lines: [{ saleLineId: line, quantity: 1 }], reason: 'Customer changed mind', refundTender: 'cash' }));
      expect(await balance()).toBe(125 - 42 + 67);
      const account = value<{ ledger: Array<{ kind: string; points: number; reason: string | null }> }>(await reg.call('rewards.account', { customerId }));
      expect(account.ledger[0]).toMatchObject({ kind: 'return', points: 25 });
      expect(account.ledger[0]!.reason).toMatch(/Items returned from receipt #\d+: Customer changed mind/);

      // The other two: everything the sale touched is undone, exactly as a void would have.
      value(await reg.call('checkout.sale.return', { commandId: newId(), saleId: receipt.saleId, lines: [{ saleLineId: line, quantity: 2 }], reason: 'Rest returned too', refundTender: 'cash' }));
      expect(await balance()).toBe(200);
    } finally {
      await reg.close();
    }
  });
});

describe('redeeming points at the checkout', () => {
  it('takes the points off as a discount before tax, under the rules, and earns on what is left', async () => {
    const reg = await startTestRegister();
    try {
      value(await reg.call('session.login', { pin: '1111' }));
      const found = value<{ results: Array<{ id: string }> }>(await reg.call('customers.search', { field: 'name', query: 'Olivia Hart' }));
      const customerId = found.results[0]!.id;
      const approvers = value<Array<{ id: string; name: string }>>(await reg.call('staff.approvers', { permission: 'manager_override' }));
      const approverId = approvers.find((a) => a.name === 'Max Manager')!.id;
      const grant = value<{ grantId: string }>(await reg.call('staff.override', { approverId, pin: '2222', permission: 'manager_override', action: 'rewards.adjust' }));
      value(await reg.call('rewards.adjust', { commandId: newId(), customerId, points: 300, reason: 'Welcome', grantId: grant.grantId }));

      type Ticket = { ticketId: string; saleCommandId: string; rewards: { points: number; discountCents: number; note: string | null } | null; totals: { grossCents: number; discountCents: number; netCents: number; taxCents: number; totalCents: number }; lines: Array<{ rewardsDiscountCents: number; netCents: number; taxCents: number }> };
      const ticket = value<Ticket>(await reg.call('checkout.ticket.open', { saleCommandId: newId(), customerId }));
      value(await reg.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: '7194220405500100', quantity: 1 })); // $45.00 flower
      value(await reg.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: '850012340201', quantity: 1 })); // $25.00 gummies
      const before = value<Ticket>(await reg.call('checkout.ticket.get', { ticketId: ticket.ticketId }));
      expect(before.totals.netCents).toBe(7_000);

      // Defaults: 5 cents a point, from 100, steps of 10, at most 50% of the $70.00: 300 points = $15.00 fits.
      const refused = error(await reg.call('checkout.ticket.redeemPoints', { ticketId: ticket.ticketId, points: 295 }));
      expect(refused.message).toMatch(/steps of 10/);
      const redeemed = value<Ticket>(await reg.call('checkout.ticket.redeemPoints', { ticketId: ticket.ticketId, points: 300 }));
      expect(redeemed.rewards).toEqual({ points: 300, discountCents: 1_500, note: null });
      expect(redeemed.totals.netCents).toBe(5_500);
      expect(redeemed.totals.discountCents).toBe(1_500);
      expect(redeemed.lines.map((line) => line.rewardsDiscountCents)).toEqual([965, 535]);
      // Tax is on the reduced net, so the total drops by more than the discount.
      expect(redeemed.totals.taxCents).toBeLessThan(before.totals.taxCents);
      expect(redeemed.totals.totalCents).toBe(redeemed.totals.netCents + redeemed.totals.taxCents);

      const receipt = value<{ saleId: string; discountCents: number; totalCents: number; lines: Array<{ discountCents: number }> }>(
        await reg.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: redeemed.totals.totalCents }] }),
      );
      expect(receipt.totalCents).toBe(redeemed.totals.totalCents);
      expect(receipt.discountCents).toBe(1_500);
      expect(receipt.lines.map((line) => line.discountCents)).toEqual([965, 535]);
      const account = value<{ balance: number; ledger: Array<{ kind: string; points: number; cents: number | null }> }>(await reg.call('rewards.account', { customerId }));
      // 300 − 300 redeemed + 55 earned on the $55.00 left.
      expect(account.balance).toBe(55);
      expect(account.ledger.slice(0, 2).map((e) => [e.kind, e.points, e.cents])).toEqual(expect.arrayContaining([['redeem', -300, 1_500], ['earn', 55, 5_500]]));
    } finally {
      await reg.close();
    }
  });
});

describe('earn and redeem inside a sale transaction', () => {
  const NOW = Date.UTC(2026, 10, 22, 18, 0, 0);
  let work: { dir: string; cleanup: () => void };
  let store: Store;
  let db: Database.Database;
  let customerId: string;

  beforeEach(async () => {
    work = tempDir('register-rewards-');
    store = openStore({ file: join(work.dir, 'register.sqlite'), migrationsFolder });
    await seedDemoStore(store.sqlite, resourcesDir, async (pin) => `scrypt$1$1$1$AA$${pin}`, NOW);
    db = store.sqlite;
    customerId = (db.prepare('SELECT id FROM customers ORDER BY id LIMIT 1').get() as { id: string }).id;
    // Defaults: 1 point a dollar; 5 cents a point, from 100, steps of 10, at most half the sale.
  });
  afterEach(() => {
    store.close();
    work.cleanup();
  });

  it('earns once per sale at the configured rate', () => {
    const saleId = newId();
    expect(db.transaction(() => earnPoints(db, { customerId, saleId, eligibleCents: 12_345, at: NOW }))()).toEqual({ points: 123, balance: 123 });
    expect(earnPoints(db, { customerId, saleId, eligibleCents: 12_345, at: NOW })).toEqual({ points: 123, balance: 123 });
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('rewards.rules', ?, ?)").run(
      JSON.stringify({ enabled: true, earnPointsPerDollar: 3, redeemCentsPerPoint: 5, minRedeemPoints: 100, redeemStepPoints: 10, maxRedeemPercent: 50 }),
      NOW,
    );
    expect(earnPoints(db, { customerId, saleId: newId(), eligibleCents: 1_000, at: NOW })).toEqual({ points: 30, balance: 153 });
  });

  it('redeems under the rules, rolls back with the sale, and a void gives the points back', () => {
    earnPoints(db, { customerId, saleId: newId(), eligibleCents: 30_000, at: NOW }); // 300 points
    const saleId = newId();
    // Not a multiple of 10, over the 50% cap, over the balance: each refused with the reason.
    expect(() => redeemPoints(db, { customerId, saleId, points: 105, eligibleCents: 10_000, at: NOW })).toThrow(/steps of 10/);
    expect(() => redeemPoints(db, { customerId, saleId, points: 300, eligibleCents: 2_000, at: NOW })).toThrow(/at most 200 points \(50% of it\)/);
    expect(() => redeemPoints(db, { customerId, saleId, points: 400, eligibleCents: 100_000, at: NOW })).toThrow(/only 300 points/);

    // The sale fails after redeeming: nothing is taken.
    expect(() =>
      db.transaction(() => {
        redeemPoints(db, { customerId, saleId, points: 200, eligibleCents: 10_000, at: NOW });
        throw new Error('payment refused');
      })(),
    ).toThrow('payment refused');
    expect(rewardsBalance(db, customerId)).toBe(300);

    const redeemed = db.transaction(() => {
      const r = redeemPoints(db, { customerId, saleId, points: 200, eligibleCents: 10_000, at: NOW });
      const e = earnPoints(db, { customerId, saleId, eligibleCents: 10_000 - r.discountCents, at: NOW });
      return { r, e };
    })();
    expect(redeemed.r).toEqual({ points: 200, discountCents: 1_000, balance: 100 });
    expect(redeemed.e).toEqual({ points: 90, balance: 190 });
    // A retry of the same sale changes nothing.
    expect(redeemPoints(db, { customerId, saleId, points: 200, eligibleCents: 10_000, at: NOW })).toMatchObject({ discountCents: 1_000, balance: 190 });

    expect(reverseSalePoints(db, { saleId, at: NOW })).toEqual({ points: 110 });
    expect(reverseSalePoints(db, { saleId, at: NOW })).toEqual({ points: 0 });
    expect(rewardsBalance(db, customerId)).toBe(300);
    // A ledger, never an overwritten total: every change is still a row.
    expect((db.prepare('SELECT kind, points FROM rewards_ledger ORDER BY id').all() as Array<{ kind: string; points: number }>).map((r) => `${r.kind}:${r.points}`)).toEqual([
      'earn:300',
      'redeem:-200',
      'earn:90',
      'reverse:110',
    ]);
  });
});
