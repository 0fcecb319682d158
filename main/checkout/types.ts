/** Checkout's shared types and small helpers (the service is split by use case; see ./service.ts). */
import type Database from 'better-sqlite3';
import type { PatientOption, TicketView } from '../../preload/contract/checkout.js';
import type { PurchaseLimit, CustomerType } from '../compliance/rules.js';
import type { Logger } from '../log/logger.js';
import type { CatalogProduct, PricingContext, TicketLine } from './engine.js';

/** The state system's remaining allotment for a card (the queue's AllotmentSource has this shape). */
export type AllotmentAnswer =
  /** `asOf`: the figure may be this old (Metrc's cache): sales not acknowledged by then count against it. */
  | { kind: 'found'; cardId: string; statedAmount: string; statedUnit: string; expiresOn: string | null; asOf?: number }
  | { kind: 'not_found'; message: string }
  | { kind: 'refused'; message: string }
  | { kind: 'offline'; message: string }
  /** The state system answered in a form the register does not understand (never read as a figure). */
  | { kind: 'unreadable'; message: string };
export interface AllotmentSource {
  lookup(query: { cardId: string; caregiverCardId: string | null }): Promise<AllotmentAnswer>;
}

/** Track-and-trace outbox, called INSIDE the sale's transaction (main/trace/outbox.ts). */
export interface TraceOutbox {
  /** The location and terminal to report under, or null when track-and-trace is not set up. */
  target(sqlite: Database.Database): { location: string; terminalId: string; timeZone: string | null; reportsAdultUse: boolean } | null;
  enqueueDispense(
    sqlite: Database.Database,
    input: {
      saleId: string;
      customerId: string | null;
      location: string;
      terminalId: string;
      saleTime: number;
      /** The facility's time zone: the sale's wall-clock time is frozen into the row. */
      timeZone: string | null;
      /** null: an adult-use sale (only when the target reports adult use). */
      cardId: string | null;
      caregiverCardId: string | null;
      lines: Array<{ barcode: string; quantity: number; unitPriceCents: number }>;
    },
    now: number,
  ): { outboxId: string };
  enqueueVoid(sqlite: Database.Database, input: { saleId: string }, now: number): { outboxId: string };
  enqueueRefund(
    sqlite: Database.Database,
    input: { saleId: string; refundTime: number; lines: Array<{ barcode: string; quantity: number; unitPriceCents: number }> },
    now: number,
  ): { outboxId: string };
  /** After commit: tell the sync worker. */
  wake(): void;
  /** The state of the outbox row (for the receipt), or null. */
  stateOf(sqlite: Database.Database, outboxId: string): { state: string; remoteTxnId: string | null } | null;
}

/** The queue: the customer leaves it when their sale is written (inside the transaction). */
export interface QueueLink {
  markServed(actorId: string | null, entryId: string): void;
  /** After commit: tell the screens. */
  changed(): void;
}

export interface CheckoutDeps {
  sqlite: () => Database.Database;
  clock: () => number;
  resourcesDir: string;
  allotments: AllotmentSource | null;
  trace: TraceOutbox | null;
  queue: QueueLink | null;
  consumeGrant: (grantId: string, action: string) => { approverId: string; approverName: string };
  /** Where problems with saved tickets are written (the register's log); silent when absent. */
  logger?: Logger;
  /** The till (issue 17): cash into the open drawer session and the receipt queued, in the sale's transaction. */
  till?: TillHook | null;
  /**
   * The store hub (issue 15): in the sale's transaction, whether this register may sell medical to
   * the patient (it holds their allotment grant, or the hub is down and the store's outage policy
   * allows it: the sale is then flagged). Throws a CoreError saying what to do otherwise.
   */
  hub?: { decide(sqlite: Database.Database, customerId: string, customerName: string, outageAllowed: boolean): 'none' | 'allow-and-flag' } | null;
}

/** What checkout tells the till: inside the sale's (or return's) transaction, then after the commit. */
export interface TillHook {
  saleWritten(sqlite: Database.Database, sale: { saleId: string; cashCents: number; actorId: string; at: number }): void;
  refundWritten(sqlite: Database.Database, refund: { returnId: string; cashCents: number; actorId: string; at: number }): void;
  wake(): void;
}

export const DISCOUNT_ACTION = 'checkout.discount';
export const LIMIT_OVERRIDE_ACTION = 'checkout.limitOverride';
/** A manager lets a ticket hold products the rules give no way to count (CA medicinal). */
export const CONVERSION_APPROVAL_ACTION = 'checkout.conversionApproval';
export const VOID_ACTION = 'checkout.void';
export const RETURN_ACTION = 'checkout.return';
export const DEFAULT_GROUP_DISCOUNTS: Record<string, number> = { senior: 1000 };
export const DEFAULT_SENIOR_AGE = 65;
export const DAY_MS = 86_400_000;

export interface CustomerRow {
  id: string;
  customerType: CustomerType;
  firstName: string;
  lastName: string;
  nickname: string | null;
  dateOfBirth: string;
  identificationExpires: string | null;
  medicalId: string | null;
  medicalIdExpires: string | null;
  caregiverId: string | null;
  caregiverIdExpires: string | null;
  licenceState: string | null;
  banned: number;
}

/** Who a caregiver buys for: a patient (a customer, or one kept on their profile), or themselves (`as`: own patient card or adult use). */
export interface PatientChoice {
  kind: 'customer' | 'caregiver_patient';
  id: string;
  as?: 'medical' | 'adult_use' | undefined;
}

export interface Holder {
  kind: 'customer' | 'caregiver_patient';
  id: string;
  name: string;
  cardId: string | null;
}

export interface OpenTicket {
  id: string;
  saleCommandId: string;
  openedAt: number;
  openedBy: string;
  customer: CustomerRow;
  queueEntryId: string | null;
  patient: PatientOption | null;
  patients: PatientOption[];
  lines: TicketLine[];
  groups: string[];
  notices: string[];
  allotment: TicketView['allotment'];
  /** The state's figure for the holder's card (mg), and when it was fetched (or typed by hand: manualAllotment). */
  stateFigure: { amountMg: number; fetchedAt: number } | null;
  /** The state system was down: the allotment typed after the medical ID was confirmed (here or at check-in). */
  manualAllotment: ManualAllotment | null;
  context: PricingContext | null;
  /** Why no line can be added yet (a caregiver without a patient). */
  blocked: string | null;
  /** Rewards points the customer chose to redeem on this sale (0: none). */
  redeemPoints: number;
  /** When this ticket came back from disk after a restart (./ticket-store.ts), or null. */
  restoredAt: number | null;
  /** A manager approved selling the profile's unconverted categories on this ticket, and why. */
  conversionApproval: ConversionApproval | null;
}

export interface ConversionApproval {
  approvedBy: string;
  approverName: string;
  reason: string;
  at: number;
}

export interface ManualAllotment {
  amountMg: number;
  enteredAt: number;
  /** The employee who typed it. */
  enteredBy: string;
  confirmedCardId: string;
  via: 'register' | 'check_in';
}

export interface ProductRow extends Omit<CatalogProduct, 'soldMedical' | 'soldAdultUse'> {
  soldMedical: number;
  soldAdultUse: number;
}

export interface SaleLineRow {
  id: string;
  productId: string;
  name: string;
  traceBarcode: string;
  quantity: number;
  netCents: number;
  taxCents: number;
  returned: number;
  returnedNet: number;
  returnedTax: number;
  /** JSON {"limitId": amount}: what the line counted against each limit. */
  allotmentCounts: string | null;
}

export function toProduct(row: ProductRow): CatalogProduct {
  return { ...row, soldMedical: row.soldMedical === 1, soldAdultUse: row.soldAdultUse === 1 };
}

export function windowText(window: PurchaseLimit['window']): string {
  return window.kind === 'per_transaction' ? 'per transaction' : window.kind === 'calendar_day_per_retailer' ? 'per day at this store' : `per ${window.days} days`;
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();
export function localDate(at: number, timeZone: string): string {
  let formatter = dateFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(timeZone, formatter);
  }
  return formatter.format(at);
}

/** The state's figure in milligrams, rounded down; null when the unit is not a weight we know. */
export function statedToMilligrams(amount: string, unit: string, gramsPerOunce: number): number | null {
  const value = Number(amount);
  if (!Number.isFinite(value) || value < 0) return null;
  const factor: Record<string, number> = { mg: 1, g: 1000, gram: 1000, grams: 1000, oz: gramsPerOunce * 1000, ounce: gramsPerOunce * 1000, ounces: gramsPerOunce * 1000 };
  const perUnit = factor[unit.trim().toLowerCase()];
  if (perUnit === undefined) return null;
  return Math.floor(value * perUnit + 1e-6);
}

export { money } from './engine.js';
