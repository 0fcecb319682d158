/**
 * Reconciliation's match (issue 20): a sale is found in the state's list by its content — the
 * register, the card, every line's barcode, quantity and price (so the total) — over any stretch
 * of time; time only breaks a tie between equal candidates, and a tie it cannot break is
 * "ambiguous" (a person decides), never "none" (which would send the sale again).
 */
import { describe, expect, test } from 'vitest';
import { matchRemoteSale, TIE_BREAK_MS, type RemoteSale, type TraceSale } from '../../../main/trace/provider.js';

const HOUR = 3600_000;
const MADE = Date.UTC(2026, 11, 7, 9, 0, 0);
const A = '7194220405500100';
const B = '7194220405500137';

const ours: TraceSale = {
  terminalId: '1',
  saleTime: MADE,
  cardId: 'MP7K2Q9X4D',
  lines: [
    { barcode: A, quantity: 2, unitPriceCents: 4500 },
    { barcode: B, quantity: 1, unitPriceCents: 4200 },
  ],
};

let next = 1000;
function listed(overrides: Partial<RemoteSale> = {}): RemoteSale {
  next += 1;
  return {
    remoteTxnId: String(next),
    terminalId: '1',
    time: MADE + 3 * HOUR,
    cardId: 'MP7K2Q9X4D',
    deleted: false,
    originalRemoteTxnId: null,
    refund: false,
    lines: [
      { barcode: B, quantity: 1, unitPriceCents: 4200 },
      { barcode: A, quantity: 2, unitPriceCents: 4500 },
    ],
    ...overrides,
  };
}

const nobodyClaimed = () => false;

describe('matching a sale in the state list by content', () => {
  test('the same content, recorded hours later (sessiontime = receipt), lines in another order: found', () => {
    const same = listed({ time: MADE + 3 * HOUR });
    expect(matchRemoteSale(ours, [same], nobodyClaimed)).toEqual({ kind: 'one', sale: same });
  });

  test('a time far from every attempt never excludes a candidate', () => {
    for (const time of [MADE - 48 * HOUR, MADE + 30 * 24 * HOUR, null]) {
      const same = listed({ time });
      expect(matchRemoteSale(ours, [same], nobodyClaimed).kind).toBe('one');
    }
  });

  test('the price listed as the line total instead of the unit price still matches', () => {
    const asLineTotals = listed({ lines: [{ barcode: A, quantity: 2, unitPriceCents: 9000 }, { barcode: B, quantity: 1, unitPriceCents: 4200 }] });
    expect(matchRemoteSale(ours, [asLineTotals], nobodyClaimed).kind).toBe('one');
  });

  test('a register or card the list does not give does not exclude a candidate', () => {
    expect(matchRemoteSale(ours, [listed({ terminalId: null, cardId: null })], nobodyClaimed).kind).toBe('one');
  });

  test.each([
    ['another register', { terminalId: '2' }],
    ['another card', { cardId: 'MP0000000000' }],
    ['another barcode', { lines: [{ barcode: A, quantity: 2, unitPriceCents: 4500 }, { barcode: '7194220405500359', quantity: 1, unitPriceCents: 4200 }] }],
    ['another quantity', { lines: [{ barcode: A, quantity: 3, unitPriceCents: 4500 }, { barcode: B, quantity: 1, unitPriceCents: 4200 }] }],
    ['another price', { lines: [{ barcode: A, quantity: 2, unitPriceCents: 4501 }, { barcode: B, quantity: 1, unitPriceCents: 4200 }] }],
    ['a line missing', { lines: [{ barcode: A, quantity: 2, unitPriceCents: 4500 }] }],
    ['a line more', { lines: [{ barcode: A, quantity: 2, unitPriceCents: 4500 }, { barcode: B, quantity: 1, unitPriceCents: 4200 }, { barcode: B, quantity: 1, unitPriceCents: 100 }] }],
    ['voided', { deleted: true }],
    ['a refund', { refund: true, originalRemoteTxnId: '1' }],
  ] satisfies Array<[string, Partial<RemoteSale>]>)('%s: not this sale, even at the very same time', (_name, overrides) => {
    expect(matchRemoteSale(ours, [listed({ time: MADE, ...overrides })], nobodyClaimed)).toEqual({ kind: 'none' });
  });

  test('a candidate another outbox row already claimed is not this sale', () => {
    const theirs = listed();
    expect(matchRemoteSale(ours, [theirs], (id) => id === theirs.remoteTxnId)).toEqual({ kind: 'none' });
  });
});

describe('time only breaks a tie', () => {
  test('two equal candidates, one near the sale time: that one', () => {
    const near = listed({ time: MADE + TIE_BREAK_MS - 1 });
    const far = listed({ time: MADE + 5 * HOUR });
    expect(matchRemoteSale(ours, [far, near], nobodyClaimed)).toEqual({ kind: 'one', sale: near });
  });

  test('two equal candidates, one near an attempt (not the sale time): that one', () => {
    const attempt = MADE + 3 * HOUR;
    const near = listed({ time: attempt + 2_000 });
    const far = listed({ time: MADE + 6 * HOUR });
    expect(matchRemoteSale(ours, [near, far], nobodyClaimed, [attempt])).toEqual({ kind: 'one', sale: near });
  });

  test('two equal candidates, both far from every time we know: ambiguous with both, never none', () => {
    const first = listed({ time: MADE + 3 * HOUR });
    const second = listed({ time: MADE + 4 * HOUR });
    expect(matchRemoteSale(ours, [first, second], nobodyClaimed, [MADE + HOUR])).toEqual({ kind: 'ambiguous', candidates: [first, second] });
  });

  test('two equal candidates, both near: ambiguous with both', () => {
    const first = listed({ time: MADE + 1_000 });
    const second = listed({ time: MADE + 2_000 });
    expect(matchRemoteSale(ours, [first, second], nobodyClaimed)).toEqual({ kind: 'ambiguous', candidates: [first, second] });
  });

  test('two equal candidates, one claimed by another row: the other one, wherever it is in time', () => {
    const claimed = listed({ time: MADE });
    const left = listed({ time: MADE + 9 * HOUR });
    expect(matchRemoteSale(ours, [claimed, left], (id) => id === claimed.remoteTxnId)).toEqual({ kind: 'one', sale: left });
  });
});
