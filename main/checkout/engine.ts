/**
 * The checkout engine: prices, discounts, taxes and allotment limits of a ticket, from the
 * jurisdiction rules (main/compliance/rules.ts). Pure: no database, no clock, no I/O, so every
 * rule is tested as a table of cases and the same code prices the screen and the committed sale.
 *
 * Money is integer cents; weights milligrams; tax rates parts per million (86_250 = 8.625%),
 * discounts basis points. Rounding (stated in the rules
 * file, taxes.rounding): every tax of every line is computed on the line's net price (after
 * discounts) and rounded to the cent half up (half away from zero); the ticket's tax is the sum
 * of its lines' taxes. Discounts are rounded the same way.
 */
import {
  lineTaxCents,
  rateOn,
  type CustomerProfile,
  type EffectiveRate,
  type JurisdictionRules,
  type LimitMeasure,
  type LimitUnit,
  type LimitWindow,
  type ProductCategory,
  type PurchaseLimit,
  type Tax,
  PRODUCT_CATEGORIES,
} from '../compliance/rules.js';

export interface CatalogProduct {
  id: string;
  traceBarcode: string;
  upc: string | null;
  name: string;
  category: string;
  unitWeightMg: number;
  usableWeightMg: number;
  thcValue: number;
  thcUnit: 'mg' | 'pct_x100';
  priceCents: number;
  soldMedical: boolean;
  soldAdultUse: boolean;
  /** Quantity on hand: the sum of the inventory ledger. */
  onHand: number;
}

export type LineDiscount = { kind: 'percent'; basisPoints: number } | { kind: 'amount'; cents: number };

export interface TicketLine {
  lineId: string;
  product: CatalogProduct;
  quantity: number;
  discount: (LineDiscount & { reason: string; approvedBy: string }) | null;
  /** Limits a manager let this line exceed (only limits the rules say may be raised). */
  limitOverride: { limitIds: string[]; approvedBy: string } | null;
}

/** What the state system or this register knows of a customer's use of one limit. */
export interface LimitUsage {
  /** Already bought within the limit's window (this register's ledger); 0 per transaction. */
  priorUsed: number;
  /** The state system's remaining figure in the limit's unit, net of sales made since; null: unknown. */
  stateRemaining: number | null;
  /** When the state figure was fetched (epoch ms), for the screen. */
  stateFetchedAt: number | null;
}

export interface PricingContext {
  rules: JurisdictionRules;
  /** The profile whose limits, categories and taxes apply: the patient's on a caregiver sale. */
  profile: CustomerProfile;
  /** Which products may be sold: medical (soldMedical) or adult use (soldAdultUse). */
  channel: 'medical' | 'adult_use';
  /** The store's local calendar date of the sale (yyyy-mm-dd): picks tax rates. */
  date: string;
  /** Store-configured tax rates by settings key (taxes with storeConfigured). */
  storeRates: ReadonlyMap<string, readonly EffectiveRate[]>;
  /** Customer-group discount on every line (e.g. senior 10% = 1000), 0 for none. */
  groupDiscount: { basisPoints: number; label: string } | null;
  usage: ReadonlyMap<string, LimitUsage>;
}

export interface LineTax {
  taxId: string;
  label: string;
  kind: Tax['kind'];
  /** Parts per million of the line's net price (86_250 = 8.625%). */
  ratePpm: number;
  cents: number;
}

export interface PricedLine {
  lineId: string;
  grossCents: number;
  groupDiscountCents: number;
  lineDiscountCents: number;
  /** This line's share of the rewards points redeemed on the ticket (before tax). */
  rewardsDiscountCents: number;
  netCents: number;
  taxes: LineTax[];
  taxCents: number;
  totalCents: number;
  /** What the line counts against each limit, in the limit's unit. */
  counts: Array<{ limitId: string; amount: number }>;
}

export interface MeterRow {
  limitId: string;
  label: string;
  unit: LimitUnit;
  window: LimitWindow;
  /** The legal ceiling of the limit. */
  ceiling: number;
  /** What the customer could buy when the ticket was priced, before its lines. */
  available: number;
  /** On this ticket. */
  onTicket: number;
  remaining: number;
  source: 'state_system' | 'register';
  stateFetchedAt: number | null;
  overridden: boolean;
  categories: ProductCategory[];
}

export interface PricedTicket {
  lines: PricedLine[];
  grossCents: number;
  discountCents: number;
  /** Rewards points redeemed, in cents (part of discountCents). */
  rewardsDiscountCents: number;
  netCents: number;
  taxCents: number;
  totalCents: number;
  /** Taxes summed by label, in the order they first appear (the receipt's tax block). */
  taxSummary: Array<{ label: string; cents: number }>;
  meter: MeterRow[];
}

/** A refusal the budtender can act on: the reason, and whether a manager may override it. */
export interface Refusal {
  code: 'category_not_allowed' | 'not_sold_to_customer' | 'out_of_stock' | 'over_limit' | 'needs_approval';
  message: string;
  limitId?: string;
  overridable: boolean;
  /** The manager's approval must say why (recorded with the sale). */
  reasonRequired?: boolean;
}

/** What a ticket already holds besides its lines that a check must honour. */
export interface CheckOptions {
  /**
   * 'line' (a change): only the changed line's own override lets a limit be exceeded, so each line
   * that pushes a limit over needs its own approval. 'ticket' (payment): a limit is approved when
   * any line on the ticket holds an override for it.
   */
  overrideScope?: 'line' | 'ticket';
  /** A manager approved selling the profile's unconverted categories on this ticket. */
  conversionApproved?: boolean;
}

export function isProductCategory(value: string): value is ProductCategory {
  return (PRODUCT_CATEGORIES as readonly string[]).includes(value);
}

/** Half up (half away from zero) of value × basisPoints / 10000: the rounding rule for discounts too. */
export function basisPointsOf(cents: number, basisPoints: number): number {
  // A basis point is 100 parts per million: the same exact half-up rounding as a tax.
  return lineTaxCents(cents, basisPoints * 100);
}

/** How much of a limit's measure one unit of a product holds. THC from a percentage rounds up (never under-counts). */
export function measurePerUnit(product: CatalogProduct, measure: LimitMeasure): number {
  switch (measure) {
    case 'usable_weight':
      return product.usableWeightMg;
    case 'product_weight':
      return product.unitWeightMg;
    case 'units':
      return 1;
    case 'thc':
      return product.thcUnit === 'mg' ? product.thcValue : Math.ceil((product.unitWeightMg * product.thcValue) / 10_000);
  }
}

/** The limits a product counts against under a profile, with the measure each uses. */
export function limitsForCategory(profile: CustomerProfile, category: string): Array<{ limit: PurchaseLimit; measure: LimitMeasure }> {
  const found: Array<{ limit: PurchaseLimit; measure: LimitMeasure }> = [];
  for (const limit of profile.limits) {
    const equivalence = limit.equivalences.find((candidate) => (candidate.categories as string[]).includes(category));
    if (equivalence) found.push({ limit, measure: equivalence.measure });
  }
  return found;
}

/** The taxes of a tax stack that apply to a product, with the rate in force on the date. */
export function taxesForProduct(
  rules: JurisdictionRules,
  stackId: string,
  product: CatalogProduct,
  date: string,
  storeRates: ReadonlyMap<string, readonly EffectiveRate[]>,
): Array<{ tax: Tax; ratePpm: number }> {
  const stack = rules.taxes.stacks[stackId];
  if (!stack) throw new Error(`The ${rules.code} rules have no tax stack "${stackId}": fix resources/jurisdictions/${rules.code}.json.`);
  const applying: Array<{ tax: Tax; ratePpm: number }> = [];
  for (const tax of stack.taxes) {
    const categories = tax.appliesTo.categories;
    if (categories !== 'all' && !(categories as string[]).includes(product.category)) continue;
    const band = tax.appliesTo.adjustedThcPctX100;
    if (band) {
      if (product.thcUnit !== 'pct_x100') {
        throw new Error(
          `${product.name} states its THC in mg, but ${tax.label} is tiered by potency (a percentage): correct the product's THC in the catalog.`,
        );
      }
      if (band.atMost !== undefined && product.thcValue > band.atMost) continue;
      if (band.above !== undefined && product.thcValue <= band.above) continue;
    }
    let rates: readonly EffectiveRate[];
    if (tax.rates) rates = tax.rates;
    else {
      const key = tax.storeConfigured!.settingKey;
      const configured = storeRates.get(key);
      if (!configured) {
        throw new Error(`The store has not entered its rate for ${tax.label} (setting ${key}): a manager must enter it in Settings before selling.`);
      }
      rates = configured;
    }
    const rate = rateOn(rates, date);
    if (!rate) throw new Error(`No rate of ${tax.label} is in force on ${date}: update the rates (${rules.code} rules or the store's settings).`);
    applying.push({ tax, ratePpm: rate.ratePpm });
  }
  return applying;
}

export function priceLine(line: TicketLine, context: PricingContext, rewardsShareCents = 0): PricedLine {
  const grossCents = line.product.priceCents * line.quantity;
  const groupDiscountCents = context.groupDiscount ? basisPointsOf(grossCents, context.groupDiscount.basisPoints) : 0;
  const afterGroup = grossCents - groupDiscountCents;
  let lineDiscountCents = 0;
  if (line.discount) {
    lineDiscountCents = line.discount.kind === 'percent' ? basisPointsOf(afterGroup, line.discount.basisPoints) : line.discount.cents;
    lineDiscountCents = Math.min(Math.max(lineDiscountCents, 0), afterGroup);
  }
  const afterLine = afterGroup - lineDiscountCents;
  const rewardsDiscountCents = Math.min(Math.max(rewardsShareCents, 0), afterLine);
  const netCents = afterLine - rewardsDiscountCents;
  const taxes: LineTax[] = [];
  if (context.profile.taxStack !== null) {
    for (const { tax, ratePpm } of taxesForProduct(context.rules, context.profile.taxStack, line.product, context.date, context.storeRates)) {
      taxes.push({ taxId: tax.id, label: tax.label, kind: tax.kind, ratePpm, cents: lineTaxCents(netCents, ratePpm) });
    }
  }
  const taxCents = taxes.reduce((sum, tax) => sum + tax.cents, 0);
  const counts = limitsForCategory(context.profile, line.product.category).map(({ limit, measure }) => ({
    limitId: limit.id,
    amount: measurePerUnit(line.product, measure) * line.quantity,
  }));
  return { lineId: line.lineId, grossCents, groupDiscountCents, lineDiscountCents, rewardsDiscountCents, netCents, taxes, taxCents, totalCents: netCents + taxCents, counts };
}

/** What a customer may still buy of a limit before this ticket: the state's figure when it is the truth. */
export function availableFor(limit: PurchaseLimit, usage: LimitUsage | undefined): { available: number; source: MeterRow['source'] } {
  if (usage?.stateRemaining !== null && usage?.stateRemaining !== undefined) {
    return { available: Math.max(0, usage.stateRemaining), source: 'state_system' };
  }
  const prior = limit.window.kind === 'per_transaction' ? 0 : (usage?.priorUsed ?? 0);
  return { available: Math.max(0, limit.amount - prior), source: 'register' };
}

/**
 * Rewards (issue 9): a whole-ticket discount in cents shared across the lines in proportion to
 * their net, before tax; the cents left by rounding down go one each to the largest lines first.
 */
export function shareRewardsDiscount(nets: readonly number[], discountCents: number): number[] {
  const total = nets.reduce((sum, net) => sum + Math.max(net, 0), 0);
  const discount = Math.min(Math.max(discountCents, 0), total);
  if (discount === 0) return nets.map(() => 0);
  const shares = nets.map((net) => Math.floor((Math.max(net, 0) * discount) / total));
  let left = discount - shares.reduce((sum, share) => sum + share, 0);
  const order = nets.map((net, index) => ({ net, index })).sort((a, b) => b.net - a.net || a.index - b.index);
  for (let i = 0; left > 0; i = (i + 1) % order.length) {
    const { net, index } = order[i]!;
    if (shares[index]! < net) {
      shares[index]! += 1;
      left -= 1;
    }
  }
  return shares;
}

export function priceTicket(lines: readonly TicketLine[], context: PricingContext, rewardsDiscountCents = 0): PricedTicket {
  let priced = lines.map((line) => priceLine(line, context));
  if (rewardsDiscountCents > 0) {
    const shares = shareRewardsDiscount(priced.map((line) => line.netCents), rewardsDiscountCents);
    priced = lines.map((line, index) => priceLine(line, context, shares[index]));
  }
  const taxSummary: Array<{ label: string; cents: number }> = [];
  for (const line of priced) {
    for (const tax of line.taxes) {
      const row = taxSummary.find((entry) => entry.label === tax.label);
      if (row) row.cents += tax.cents;
      else taxSummary.push({ label: tax.label, cents: tax.cents });
    }
  }
  const meter: MeterRow[] = context.profile.limits.map((limit) => {
    const usage = context.usage.get(limit.id);
    const { available, source } = availableFor(limit, usage);
    const onTicket = priced.reduce((sum, line) => sum + line.counts.filter((c) => c.limitId === limit.id).reduce((s, c) => s + c.amount, 0), 0);
    return {
      limitId: limit.id,
      label: limit.label,
      unit: limit.unit,
      window: limit.window,
      ceiling: limit.amount,
      available,
      onTicket,
      remaining: available - onTicket,
      source,
      stateFetchedAt: source === 'state_system' ? (usage?.stateFetchedAt ?? null) : null,
      overridden: lines.some((line) => line.limitOverride?.limitIds.includes(limit.id) ?? false),
      categories: [...new Set(limit.equivalences.flatMap((e) => e.categories))],
    };
  });
  const sum = (pick: (line: PricedLine) => number) => priced.reduce((total, line) => total + pick(line), 0);
  return {
    lines: priced,
    grossCents: sum((line) => line.grossCents),
    discountCents: sum((line) => line.groupDiscountCents + line.lineDiscountCents + line.rewardsDiscountCents),
    rewardsDiscountCents: sum((line) => line.rewardsDiscountCents),
    netCents: sum((line) => line.netCents),
    taxCents: sum((line) => line.taxCents),
    totalCents: sum((line) => line.totalCents),
    taxSummary,
    meter,
  };
}

export function formatAmount(amount: number, unit: LimitUnit): string {
  if (unit === 'plants') return `${amount} plant${amount === 1 ? '' : 's'}`;
  if (unit === 'mg_thc') return `${amount} mg THC`;
  return `${(amount / 1000).toFixed(amount % 1000 === 0 ? 0 : amount % 100 === 0 ? 1 : 2)} g`;
}

/**
 * Would the ticket, with `lines` (the candidate change already applied), break a rule? Checks the
 * changed line's product against the profile's categories and the sale channel, stock on hand
 * (all lines of the product), and every limit the product counts against. Null: allowed.
 */
export function checkTicket(lines: readonly TicketLine[], changedLineId: string, context: PricingContext, options: CheckOptions = {}): Refusal | null {
  const changed = lines.find((line) => line.lineId === changedLineId);
  if (!changed) return null;
  const product = changed.product;
  const allowed = context.profile.allowedCategories.value;
  if (allowed !== 'all' && !(allowed as string[]).includes(product.category)) {
    return {
      code: 'category_not_allowed',
      message: `${product.name} cannot be sold to this customer: ${context.profile.label} may buy only ${allowed.join(', ').replace(/_/g, '-')} products${context.profile.allowedCategories.note ? ` (${context.profile.allowedCategories.note})` : ''}.`,
      overridable: false,
    };
  }
  if (context.channel === 'medical' ? !product.soldMedical : !product.soldAdultUse) {
    return {
      code: 'not_sold_to_customer',
      message: `${product.name} is sold only to ${context.channel === 'medical' ? 'adult-use' : 'medical'} customers: choose another product.`,
      overridable: false,
    };
  }
  const wanted = lines.filter((line) => line.product.id === product.id).reduce((sum, line) => sum + line.quantity, 0);
  if (wanted > product.onHand) {
    return {
      code: 'out_of_stock',
      message: `Only ${Math.max(product.onHand, 0)} of ${product.name} on hand (the ticket wants ${wanted}): check the shelf and the inventory.`,
      overridable: false,
    };
  }
  const unconverted = context.profile.unconvertedCategories;
  if (unconverted && (unconverted.categories as string[]).includes(product.category) && !options.conversionApproved) {
    return { code: 'needs_approval', message: `${product.name}: ${unconverted.staffReason}`, overridable: true, reasonRequired: true };
  }
  const priced = priceTicket(lines, context);
  for (const { limit } of limitsForCategory(context.profile, product.category)) {
    const row = priced.meter.find((entry) => entry.limitId === limit.id)!;
    if (row.remaining >= 0) continue;
    const approved =
      options.overrideScope === 'ticket'
        ? lines.some((line) => line.limitOverride?.limitIds.includes(limit.id))
        : changed.limitOverride?.limitIds.includes(limit.id);
    if (approved && limit.raisedBy !== null) continue;
    const windowText =
      limit.window.kind === 'per_transaction'
        ? 'per transaction'
        : limit.window.kind === 'calendar_day_per_retailer'
          ? 'per day at this store'
          : `per ${limit.window.days} days`;
    const sourceText = row.source === 'state_system' ? ' (remaining allotment from the state system)' : '';
    return {
      code: 'over_limit',
      limitId: limit.id,
      message: `Refused: ${product.name} × ${changed.quantity} would bring ${limit.label} to ${formatAmount(row.onTicket, limit.unit)}, over the ${formatAmount(row.available, limit.unit)} available${sourceText} (limit ${formatAmount(limit.amount, limit.unit)} ${windowText}).${limit.raisedBy ? ` A manager may override only with the customer's ${limit.raisedBy.document.replace(/_/g, ' ')}.` : ' No override is allowed.'}`,
      overridable: limit.raisedBy !== null,
    };
  }
  return null;
}

/** Whole years of age on `date`, counting a 29 February birthday per the rules (march_1 or feb_28). */
export function ageOn(dateOfBirth: string, date: string, leapDayBirthday: 'march_1' | 'feb_28'): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  let birthdayMonth = bm;
  let birthdayDay = bd;
  const leap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (bm === 2 && bd === 29 && !leap(y)) {
    if (leapDayBirthday === 'march_1') {
      birthdayMonth = 3;
      birthdayDay = 1;
    } else birthdayDay = 28;
  }
  let age = y - by;
  if (m < birthdayMonth || (m === birthdayMonth && d < birthdayDay)) age -= 1;
  return age;
}

/** Tender arithmetic: non-cash tenders may not exceed what is due; cash may, and the rest is change. */
export interface TenderInput {
  kind: 'cash' | 'debit' | 'credit' | 'gift_card' | 'other';
  amountCents: number;
  reference?: string | null;
}

export interface AppliedTender {
  kind: TenderInput['kind'];
  tenderedCents: number;
  appliedCents: number;
  changeCents: number;
  reference: string | null;
}

export function applyTenders(totalCents: number, tenders: readonly TenderInput[]): { tenders: AppliedTender[]; changeCents: number } | { error: string } {
  if (tenders.length === 0) return { error: 'Take a payment first: enter the cash tendered or a card amount.' };
  let due = totalCents;
  const nonCash = tenders.filter((tender) => tender.kind !== 'cash');
  const cash = tenders.filter((tender) => tender.kind === 'cash');
  const applied: AppliedTender[] = [];
  for (const tender of nonCash) {
    if (!Number.isSafeInteger(tender.amountCents) || tender.amountCents <= 0) return { error: `A ${tender.kind} payment must be more than $0.00.` };
    if (tender.amountCents > due) {
      return { error: `The ${tender.kind.replace('_', ' ')} payment of ${money(tender.amountCents)} is more than the ${money(due)} still due: only cash can give change.` };
    }
    due -= tender.amountCents;
    applied.push({ kind: tender.kind, tenderedCents: tender.amountCents, appliedCents: tender.amountCents, changeCents: 0, reference: tender.reference ?? null });
  }
  let changeCents = 0;
  for (const tender of cash) {
    if (!Number.isSafeInteger(tender.amountCents) || tender.amountCents <= 0) return { error: 'Cash tendered must be more than $0.00.' };
    const appliedCents = Math.min(tender.amountCents, due);
    const change = tender.amountCents - appliedCents;
    due -= appliedCents;
    changeCents += change;
    applied.push({ kind: 'cash', tenderedCents: tender.amountCents, appliedCents, changeCents: change, reference: tender.reference ?? null });
  }
  if (due > 0) return { error: `${money(due)} is still due: add a payment.` };
  return { tenders: applied, changeCents };
}

export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}
