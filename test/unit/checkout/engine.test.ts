/**
 * The checkout engine against the real rules files: taxes and limits per jurisdiction as tables
 * of cases from research/rules.md, the rounding rule, tenders, caregiver and minor rules, ages.
 */
import { describe, expect, it } from 'vitest';
import { findCustomerProfile, loadJurisdictionRules, type EffectiveRate, type JurisdictionRules } from '../../../main/compliance/rules.js';
import {
  ageOn,
  applyTenders,
  checkTicket,
  priceTicket,
  type CatalogProduct,
  type LimitUsage,
  type PricingContext,
  type TicketLine,
} from '../../../main/checkout/engine.js';
import { resourcesDir } from '../../support/paths.js';

const rules: Record<string, JurisdictionRules> = {
  IL: loadJurisdictionRules(resourcesDir, 'IL'),
  OK: loadJurisdictionRules(resourcesDir, 'OK'),
  CA: loadJurisdictionRules(resourcesDir, 'CA'),
};

/** A store rate in basis points (725 = 7.25%), stored as the engine reads it: parts per million. */
const rate = (basisPoints: number): EffectiveRate[] => [{ from: '2020-01-01', to: null, ratePpm: basisPoints * 100, source: 'IL-13', confidence: 'GUESS' }];
const STORE_RATES = new Map<string, EffectiveRate[]>([
  ['tax.rates.il_local_general_rot', rate(250)],
  ['tax.rates.il_municipal_cannabis_rot', rate(300)],
  ['tax.rates.il_county_cannabis_rot', rate(300)],
  ['tax.rates.il_medical_transit_rot', rate(0)],
  ['tax.rates.ok_local_sales', rate(350)],
  ['tax.rates.ca_sales_and_use', rate(725)],
  ['tax.rates.ca_local_cannabis', rate(400)],
]);

function product(overrides: Partial<CatalogProduct>): CatalogProduct {
  return {
    id: overrides.name ?? 'p',
    traceBarcode: '0000000000000000',
    upc: null,
    name: 'Product',
    category: 'flower',
    unitWeightMg: 3500,
    usableWeightMg: 3500,
    thcValue: 2000,
    thcUnit: 'pct_x100',
    priceCents: 4500,
    soldMedical: true,
    soldAdultUse: true,
    onHand: 1000,
    ...overrides,
  };
}

const FLOWER_3_5 = product({ name: 'Flower 3.5 g' });
const FLOWER_28 = product({ name: 'Flower 28 g', unitWeightMg: 28_000, usableWeightMg: 28_000, priceCents: 22_000 });
const SHATTER = product({ name: 'Shatter 1 g', category: 'concentrate', unitWeightMg: 1000, usableWeightMg: 1000, thcValue: 8150 });
const EDGE_35 = product({ name: 'Exactly 35%', thcValue: 3500, priceCents: 1000 });
const GUMMIES = product({ name: 'Gummies 100 mg', category: 'edible', unitWeightMg: 45_000, usableWeightMg: 120, thcValue: 100, thcUnit: 'mg', priceCents: 2500 });

function line(p: CatalogProduct, quantity: number, lineId = `${p.name}-${quantity}`): TicketLine {
  return { lineId, product: p, quantity, discount: null, limitOverride: null };
}

function context(code: string, facts: { type: 'adult_use' | 'medical' | 'medical_recommendation'; residency?: 'in_state' | 'out_of_state'; age?: number }, extra: Partial<PricingContext> = {}): PricingContext {
  const r = rules[code]!;
  const profile = findCustomerProfile(r, { customerType: facts.type, residency: facts.residency ?? 'in_state', ageYears: facts.age ?? 40 });
  if (!profile) throw new Error(`no ${code} profile for ${JSON.stringify(facts)}`);
  return {
    rules: r,
    profile,
    channel: facts.type === 'adult_use' ? 'adult_use' : 'medical',
    date: '2026-11-22',
    storeRates: STORE_RATES,
    groupDiscount: null,
    usage: new Map(),
    ...extra,
  };
}

describe('taxes per jurisdiction (integer cents, per line per tax, half up)', () => {
  const cases: Array<{ name: string; code: string; facts: Parameters<typeof context>[1]; product: CatalogProduct; quantity: number; date?: string; taxes: Array<[string, number]> }> = [
    {
      name: 'IL adult use, flower ≤ 35%: excise 10% + ROT 6.25% + local + municipal + county',
      code: 'IL',
      facts: { type: 'adult_use' },
      product: FLOWER_3_5,
      quantity: 1,
      taxes: [['il_excise_low_potency', 450], ['il_state_rot', 281], ['il_local_general_rot', 113], ['il_municipal_cannabis_rot', 135], ['il_county_cannabis_rot', 135]],
    },
    { name: 'IL adult use, exactly 35% stays in the 10% tier', code: 'IL', facts: { type: 'adult_use' }, product: EDGE_35, quantity: 1, taxes: [['il_excise_low_potency', 100], ['il_state_rot', 63], ['il_local_general_rot', 25], ['il_municipal_cannabis_rot', 30], ['il_county_cannabis_rot', 30]] },
    { name: 'IL adult use, concentrate > 35%: excise 25%', code: 'IL', facts: { type: 'adult_use' }, product: SHATTER, quantity: 2, taxes: [['il_excise_high_potency', 2250], ['il_state_rot', 563], ['il_local_general_rot', 225], ['il_municipal_cannabis_rot', 270], ['il_county_cannabis_rot', 270]] },
    { name: 'IL adult use, infused product: excise 20%', code: 'IL', facts: { type: 'adult_use' }, product: GUMMIES, quantity: 1, taxes: [['il_excise_infused', 500], ['il_state_rot', 156], ['il_local_general_rot', 63], ['il_municipal_cannabis_rot', 75], ['il_county_cannabis_rot', 75]] },
    { name: 'IL medical: 1% state ROT and the transit ROT only, no excise', code: 'IL', facts: { type: 'medical' }, product: FLOWER_28, quantity: 1, taxes: [['il_medical_state_rot', 220], ['il_medical_transit_rot', 0]] },
    { name: 'OK medical: excise 7% + state sales 4.5% + local', code: 'OK', facts: { type: 'medical' }, product: FLOWER_3_5, quantity: 1, taxes: [['ok_excise', 315], ['ok_state_sales', 203], ['ok_local_sales', 158]] },
    { name: 'CA adult use in Aug 2025: excise 19%', code: 'CA', facts: { type: 'adult_use' }, product: FLOWER_3_5, quantity: 1, date: '2025-08-01', taxes: [['ca_excise', 855], ['ca_sales_and_use', 326], ['ca_local_cannabis', 180]] },
    { name: 'CA adult use from Oct 2025: excise back to 15%', code: 'CA', facts: { type: 'adult_use' }, product: FLOWER_3_5, quantity: 1, date: '2025-10-01', taxes: [['ca_excise', 675], ['ca_sales_and_use', 326], ['ca_local_cannabis', 180]] },
    { name: 'CA MMIC holder: excise only, sales and use tax exempt', code: 'CA', facts: { type: 'medical' }, product: FLOWER_3_5, quantity: 1, taxes: [['ca_excise', 675]] },
    { name: 'CA recommendation only: not exempt from sales tax', code: 'CA', facts: { type: 'medical_recommendation' }, product: FLOWER_3_5, quantity: 1, taxes: [['ca_excise', 675], ['ca_sales_and_use', 326], ['ca_local_cannabis', 180]] },
  ];
  it.each(cases)('$name', ({ code, facts, product: p, quantity, date, taxes }) => {
    const priced = priceTicket([line(p, quantity)], context(code, facts, date ? { date } : {}));
    expect(priced.lines[0]!.taxes.map((tax) => [tax.taxId, tax.cents])).toEqual(taxes);
    expect(priced.taxCents).toBe(taxes.reduce((sum, [, cents]) => sum + cents, 0));
    expect(priced.totalCents).toBe(p.priceCents * quantity + priced.taxCents);
  });

  it('a store-configured rate that is not entered stops the sale with what to do', () => {
    expect(() => priceTicket([line(FLOWER_3_5, 1)], context('OK', { type: 'medical' }, { storeRates: new Map() }))).toThrow(/must enter it in Settings/);
  });

  it('discounts come before tax; the group discount then the line discount, each rounded half up', () => {
    const ctx = context('IL', { type: 'medical' }, { groupDiscount: { basisPoints: 1000, label: 'Senior 10%' } });
    const discounted: TicketLine = { ...line(product({ priceCents: 1005 }), 1), discount: { kind: 'percent', basisPoints: 1500, reason: 'test', approvedBy: 'm' } };
    const priced = priceTicket([discounted], ctx).lines[0]!;
    expect(priced.groupDiscountCents).toBe(101); // 100.5 → 101
    expect(priced.lineDiscountCents).toBe(136); // 15% of 904 = 135.6 → 136
    expect(priced.netCents).toBe(768);
    expect(priced.taxes[0]!.cents).toBe(8); // 1% of 768 = 7.68 → 8
  });
});

describe('limits per jurisdiction', () => {
  type Case = { name: string; code: string; facts: Parameters<typeof context>[1]; lines: Array<[CatalogProduct, number]>; usage?: Record<string, LimitUsage>; refused: string | null; overridable?: boolean };
  const cases: Case[] = [
    { name: 'IL resident: 30 g flower is allowed (8 × 3.5 g = 28 g)', code: 'IL', facts: { type: 'adult_use' }, lines: [[FLOWER_3_5, 8]], refused: null },
    { name: 'IL resident: 9 × 3.5 g = 31.5 g is over 30 g, no override', code: 'IL', facts: { type: 'adult_use' }, lines: [[FLOWER_3_5, 9]], refused: 'flower', overridable: false },
    { name: 'IL non-resident: 15 g flower (5 × 3.5 g = 17.5 g refused)', code: 'IL', facts: { type: 'adult_use', residency: 'out_of_state' }, lines: [[FLOWER_3_5, 5]], refused: 'flower' },
    { name: 'IL resident: 5 g concentrate allowed, the 6th gram refused', code: 'IL', facts: { type: 'adult_use' }, lines: [[SHATTER, 6]], refused: 'concentrate' },
    { name: 'IL resident: 500 mg THC in infused products allowed', code: 'IL', facts: { type: 'adult_use' }, lines: [[GUMMIES, 5]], refused: null },
    { name: 'IL resident: 600 mg THC in infused products refused', code: 'IL', facts: { type: 'adult_use' }, lines: [[GUMMIES, 6]], refused: 'infused_thc' },
    { name: 'IL non-resident: 250 mg THC (3 × 100 mg refused)', code: 'IL', facts: { type: 'adult_use', residency: 'out_of_state' }, lines: [[GUMMIES, 3]], refused: 'infused_thc' },
    { name: 'IL adult-use categories are separate caps: 28 g flower + 5 g concentrate + 500 mg', code: 'IL', facts: { type: 'adult_use' }, lines: [[FLOWER_3_5, 8], [SHATTER, 5], [GUMMIES, 5]], refused: null },
    { name: 'IL medical: 2 × 28 g + 14 × 1 g concentrate = 70 g within 2.5 oz', code: 'IL', facts: { type: 'medical' }, lines: [[FLOWER_28, 2], [SHATTER, 14]], refused: null },
    { name: 'IL medical: equivalences add concentrate to flower: 56 g + 15 g = 71 g over 70.873 g; a waiver override is allowed', code: 'IL', facts: { type: 'medical' }, lines: [[FLOWER_28, 2], [SHATTER, 15]], refused: 'usable_cannabis', overridable: true },
    { name: 'IL medical: 14 days of earlier sales count (60 g used, 14 g more refused)', code: 'IL', facts: { type: 'medical' }, lines: [[FLOWER_3_5, 4]], usage: { usable_cannabis: { priorUsed: 60_000, stateRemaining: null, stateFetchedAt: null } }, refused: 'usable_cannabis' },
    { name: 'IL medical: the state figure is the truth when known (10 g left, 14 g refused)', code: 'IL', facts: { type: 'medical' }, lines: [[FLOWER_3_5, 4]], usage: { usable_cannabis: { priorUsed: 0, stateRemaining: 10_000, stateFetchedAt: 1 } }, refused: 'usable_cannabis' },
    { name: 'IL medical minor: infused products only', code: 'IL', facts: { type: 'medical', age: 12 }, lines: [[FLOWER_3_5, 1]], refused: 'category' },
    { name: 'IL medical minor: infused products are allowed', code: 'IL', facts: { type: 'medical', age: 12 }, lines: [[GUMMIES, 2]], refused: null },
    { name: 'OK per transaction: 3 oz (84.9 g) = 3 × 28 g allowed', code: 'OK', facts: { type: 'medical' }, lines: [[FLOWER_28, 3]], refused: null },
    { name: 'OK per transaction: 4 × 28 g refused, earlier purchases do not count', code: 'OK', facts: { type: 'medical' }, lines: [[FLOWER_28, 4]], usage: { marijuana: { priorUsed: 80_000, stateRemaining: null, stateFetchedAt: null } }, refused: 'marijuana', overridable: false },
    { name: 'OK per transaction: 1 oz concentrate (28.3 g): 28 g allowed', code: 'OK', facts: { type: 'medical' }, lines: [[SHATTER, 28]], refused: null },
    { name: 'OK per transaction: 29 g concentrate refused', code: 'OK', facts: { type: 'medical' }, lines: [[SHATTER, 29]], refused: 'concentrate' },
    { name: 'CA adult use per day: 28.5 g non-concentrated, 28 g allowed', code: 'CA', facts: { type: 'adult_use' }, lines: [[FLOWER_28, 1]], refused: null },
    { name: 'CA adult use per day: earlier today counts (3.5 g + 28 g refused)', code: 'CA', facts: { type: 'adult_use' }, lines: [[FLOWER_28, 1]], usage: { non_concentrated: { priorUsed: 3_500, stateRemaining: null, stateFetchedAt: null } }, refused: 'non_concentrated' },
    { name: 'CA adult use: 8 g concentrate including concentrate in products', code: 'CA', facts: { type: 'adult_use' }, lines: [[SHATTER, 8], [GUMMIES, 1]], refused: 'concentrate' },
    { name: 'CA medical: 8 oz flower per day; over it a physician recommendation override is allowed', code: 'CA', facts: { type: 'medical_recommendation' }, lines: [[FLOWER_28, 9]], refused: 'dried_flower', overridable: true },
  ];
  it.each(cases)('$name', ({ code, facts, lines, usage, refused, overridable }) => {
    const ticket = lines.map(([p, quantity], index) => line(p, quantity, `l${index}`));
    const ctx = context(code, facts, { usage: new Map(Object.entries(usage ?? {})) });
    const refusals = ticket.map((entry) => checkTicket(ticket, entry.lineId, ctx)).filter((r) => r !== null);
    if (refused === null) expect(refusals).toEqual([]);
    else {
      expect(refusals.length).toBeGreaterThan(0);
      const first = refusals[0]!;
      if (refused === 'category') expect(first.code).toBe('category_not_allowed');
      else expect(first).toMatchObject({ code: 'over_limit', limitId: refused });
      if (overridable !== undefined) expect(first.overridable).toBe(overridable);
    }
  });

  it('a manager override lets a line pass only a limit the rules let be raised', () => {
    const ctx = context('IL', { type: 'medical' });
    const over: TicketLine = { ...line(FLOWER_28, 3), limitOverride: { limitIds: ['usable_cannabis'], approvedBy: 'm' } };
    expect(checkTicket([over], over.lineId, ctx)).toBeNull();
    const adult = context('IL', { type: 'adult_use' });
    const adultOver: TicketLine = { ...line(FLOWER_3_5, 9), limitOverride: { limitIds: ['flower'], approvedBy: 'm' } };
    expect(checkTicket([adultOver], adultOver.lineId, adult)?.code).toBe('over_limit');
  });

  it('stock on hand and the sale channel are checked', () => {
    const ctx = context('IL', { type: 'adult_use' });
    const scarce = product({ name: 'Last two', onHand: 2 });
    expect(checkTicket([line(scarce, 3)], `${scarce.name}-3`, ctx)?.code).toBe('out_of_stock');
    const medicalOnly = product({ name: 'Medical only', soldAdultUse: false });
    expect(checkTicket([line(medicalOnly, 1)], `${medicalOnly.name}-1`, ctx)?.code).toBe('not_sold_to_customer');
  });
});

describe('caregiver profiles', () => {
  it.each(['IL', 'OK', 'CA'])('%s: a caregiver buys on the patient\'s limits and taxes (no limits or tax stack of their own)', (code) => {
    const caregiver = findCustomerProfile(rules[code]!, { customerType: 'caregiver', residency: 'in_state', ageYears: 40 });
    expect(caregiver?.buysFor).toBe('patient');
    expect(caregiver?.limits).toEqual([]);
    expect(caregiver?.taxStack).toBeNull();
    expect(rules[code]!.caregivers.recordPatientAndCaregiverIds.value).toBe(true);
  });
  it('IL: a minor patient may only be served through a caregiver; an IL caregiver assists one patient', () => {
    const minor = findCustomerProfile(rules.IL!, { customerType: 'medical', residency: 'in_state', ageYears: 12 });
    expect(minor?.whoMayBuy.value).toBe('caregiver');
    expect(rules.IL!.caregivers.maxPatientsPerCaregiver.value).toBe(1);
  });
});

describe('tenders', () => {
  it.each([
    { tenders: [{ kind: 'cash' as const, amountCents: 5000 }], total: 4321, change: 679 },
    { tenders: [{ kind: 'debit' as const, amountCents: 2000 }, { kind: 'cash' as const, amountCents: 2500 }], total: 4321, change: 179 },
    { tenders: [{ kind: 'debit' as const, amountCents: 4321 }], total: 4321, change: 0 },
  ])('split tenders: change only from cash ($total)', ({ tenders, total, change }) => {
    const result = applyTenders(total, tenders);
    expect('error' in result ? result.error : result.changeCents).toBe(change);
  });
  it('refuses underpayment and a card over the amount due', () => {
    expect(applyTenders(4321, [{ kind: 'cash', amountCents: 4000 }])).toMatchObject({ error: expect.stringMatching(/still due/) });
    expect(applyTenders(4321, [{ kind: 'debit', amountCents: 5000 }])).toMatchObject({ error: expect.stringMatching(/only cash can give change/) });
  });
});

describe('age', () => {
  it.each([
    ['2005-11-22', '2026-11-22', 21],
    ['2005-11-23', '2026-11-22', 20],
    ['2004-02-29', '2025-02-28', 20], // march_1 rule: not yet 21 on 28 February of a common year
    ['2004-02-29', '2025-03-01', 21],
    ['2004-02-29', '2024-02-29', 20],
  ])('born %s, on %s: %i', (born, on, age) => {
    expect(ageOn(born, on, rules.IL!.leapDayBirthday.value)).toBe(age);
  });
});
