/**
 * Checkout in the core: open tickets (in memory, one register), the catalog, and the sale
 * transaction. Pricing, taxes and limits come from the pure engine (./engine.ts) over the
 * jurisdiction rules; this file gathers the facts (customer, patient, products on hand, allotment
 * used, the state's figure) and writes the sale.
 *
 * Completing a sale writes the sale, its lines, taxes, tenders, inventory movements, allotment
 * uses, the track-and-trace outbox row (medical) and the queue entry's exit in ONE immediate
 * transaction through applyCommand, keyed by the commandId the screen made when it opened the
 * ticket: a retried completion returns the sale already written.
 */
import type Database from 'better-sqlite3';
import type { Employee } from '../../preload/api.js';
import type { PatientOption, Receipt, TicketView, RefusalView } from '../../preload/contract/checkout.js';
import { applyCommand, appliedCommandResult } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { readSetting } from '../core/settings.js';
import {
  findCustomerProfile,
  loadJurisdictionRules,
  type CustomerProfile,
  type CustomerType,
  type EffectiveRate,
  type JurisdictionRules,
  type PurchaseLimit,
} from '../compliance/rules.js';
import { newId } from '../store/ids.js';
import { earnPoints, redeemPoints, reverseSalePoints, rewardsQuote } from '../rewards/index.js';
import {
  ageOn,
  applyTenders,
  checkTicket,
  money,
  priceTicket,
  type CatalogProduct,
  type LimitUsage,
  type LineDiscount,
  type PricingContext,
  type Refusal,
  type TenderInput,
  type TicketLine,
} from './engine.js';

/** The state system's remaining allotment for a card (the queue's AllotmentSource has this shape). */
export type AllotmentAnswer =
  | { kind: 'found'; cardId: string; statedAmount: string; statedUnit: string; expiresOn: string | null }
  | { kind: 'not_found'; message: string }
  | { kind: 'refused'; message: string }
  | { kind: 'offline'; message: string };
export interface AllotmentSource {
  lookup(query: { cardId: string; caregiverCardId: string | null }): Promise<AllotmentAnswer>;
}

/** Track-and-trace outbox, called INSIDE the sale's transaction (main/trace/outbox.ts). */
export interface TraceOutbox {
  /** The location and terminal to report under, or null when track-and-trace is not set up. */
  target(sqlite: Database.Database): { location: string; terminalId: string } | null;
  enqueueDispense(
    sqlite: Database.Database,
    input: {
      saleId: string;
      customerId: string | null;
      location: string;
      terminalId: string;
      saleTime: number;
      cardId: string;
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
}

export const DISCOUNT_ACTION = 'checkout.discount';
export const LIMIT_OVERRIDE_ACTION = 'checkout.limitOverride';
export const VOID_ACTION = 'checkout.void';
export const RETURN_ACTION = 'checkout.return';
const DEFAULT_GROUP_DISCOUNTS: Record<string, number> = { senior: 1000 };
const DEFAULT_SENIOR_AGE = 65;
const DAY_MS = 86_400_000;

interface CustomerRow {
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

interface Holder {
  kind: 'customer' | 'caregiver_patient';
  id: string;
  name: string;
  cardId: string | null;
}

interface OpenTicket {
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
  /** The state's figure for the holder's card (mg), and when it was fetched. */
  stateFigure: { amountMg: number; fetchedAt: number } | null;
  context: PricingContext | null;
  /** Why no line can be added yet (a caregiver without a patient). */
  blocked: string | null;
  /** Rewards points the customer chose to redeem on this sale (0: none). */
  redeemPoints: number;
}

export class CheckoutService {
  private readonly tickets = new Map<string, OpenTicket>();
  private rulesCache: { code: string; rules: JurisdictionRules } | null = null;
  private statements: ReturnType<CheckoutService['prepareStatements']> | null = null;
  private statementsFor: Database.Database | null = null;

  constructor(private readonly deps: CheckoutDeps) {}

  // -------------------------------------------------------------------------------------------
  // Settings and rules
  // -------------------------------------------------------------------------------------------

  rules(): JurisdictionRules {
    const code = readSetting(this.db(), 'store.jurisdiction') ?? 'IL';
    if (this.rulesCache?.code !== code) {
      try {
        this.rulesCache = { code, rules: loadJurisdictionRules(this.deps.resourcesDir, code) };
      } catch (error) {
        throw new CoreError('unavailable', error instanceof Error ? error.message : String(error));
      }
    }
    return this.rulesCache.rules;
  }

  timeZone(): string {
    return readSetting(this.db(), 'store.timeZone') ?? 'America/Chicago';
  }

  /** The store's local calendar date of an instant. */
  businessDate(at: number): string {
    return localDate(at, this.timeZone());
  }

  private jsonSetting(key: string): unknown {
    const row = this.db().prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    if (!row) return undefined;
    try {
      return JSON.parse(row.value);
    } catch {
      return undefined;
    }
  }

  private storeRates(rules: JurisdictionRules): Map<string, EffectiveRate[]> {
    const rates = new Map<string, EffectiveRate[]>();
    for (const stack of Object.values(rules.taxes.stacks)) {
      for (const tax of stack.taxes) {
        if (!tax.storeConfigured) continue;
        const value = this.jsonSetting(tax.storeConfigured.settingKey);
        if (Array.isArray(value)) rates.set(tax.storeConfigured.settingKey, value as EffectiveRate[]);
      }
    }
    return rates;
  }

  // -------------------------------------------------------------------------------------------
  // Catalog
  // -------------------------------------------------------------------------------------------

  searchProducts(query: string, limit: number): CatalogProduct[] {
    const text = query.trim().toLowerCase();
    if (/^\d{8,16}$/.test(text)) {
      const exact = this.findByBarcode(text);
      if (exact) return [exact];
    }
    const rows = this.stmts().search.all({ like: `%${text.replace(/[%_\\]/g, (c) => `\\${c}`)}%`, limit }) as ProductRow[];
    return rows.map(toProduct);
  }

  /** A 16-digit BioTrack barcode id, or a UPC-A / EAN-13 (a leading 0 is the same UPC). */
  findByBarcode(code: string): CatalogProduct | null {
    const digits = code.trim();
    const s = this.stmts();
    if (/^\d{16}$/.test(digits)) {
      const row = s.byTrace.get(digits) as ProductRow | undefined;
      if (row) return toProduct(row);
    }
    const candidates = [digits];
    if (/^0\d{12}$/.test(digits)) candidates.push(digits.slice(1));
    if (/^\d{12}$/.test(digits)) candidates.push(`0${digits}`);
    for (const candidate of candidates) {
      const row = s.byUpc.get(candidate) as ProductRow | undefined;
      if (row) return toProduct(row);
    }
    return null;
  }

  productById(productId: string): CatalogProduct | null {
    const row = this.stmts().byId.get(productId) as ProductRow | undefined;
    return row ? toProduct(row) : null;
  }

  // -------------------------------------------------------------------------------------------
  // Tickets
  // -------------------------------------------------------------------------------------------

  listTickets(): TicketView[] {
    return [...this.tickets.values()].map((ticket) => this.view(ticket));
  }

  getTicket(ticketId: string): TicketView {
    return this.view(this.ticket(ticketId));
  }

  /** Opens (or, for the same saleCommandId, returns) the ticket. The allotment lookup follows (refreshAllotment). */
  openTicket(actor: Employee, input: { saleCommandId: string; customerId: string; patient?: { kind: 'customer' | 'caregiver_patient'; id: string }; queueEntryId?: string }): OpenTicket {
    const existing = [...this.tickets.values()].find((ticket) => ticket.saleCommandId === input.saleCommandId);
    if (existing) return existing;
    if (appliedCommandResult(this.db(), input.saleCommandId)) {
      throw new CoreError('conflict', 'This sale was already completed: start a new ticket.');
    }
    const now = this.deps.clock();
    const customer = this.customer(input.customerId);
    const rules = this.rules();
    const date = this.businessDate(now);
    this.checkCustomer(customer, rules, date);
    const ticket: OpenTicket = {
      id: newId(now),
      saleCommandId: input.saleCommandId,
      openedAt: now,
      openedBy: actor.id,
      customer,
      queueEntryId: input.queueEntryId ?? this.openQueueEntry(customer.id),
      patient: null,
      patients: customer.customerType === 'caregiver' ? this.patientsOf(customer, date) : [],
      lines: [],
      groups: this.groupsOf(customer, date),
      notices: [],
      allotment: { state: 'not_required', message: 'No state allotment for this customer: the limits below are per the rules.', fetchedAt: null },
      stateFigure: null,
      context: null,
      blocked: null,
      redeemPoints: 0,
    };
    if (customer.customerType === 'caregiver') {
      ticket.blocked = 'Choose the patient this caregiver is buying for.';
      if (input.patient) this.choosePatient(ticket, input.patient);
      else if (ticket.patients.filter((p) => p.problem === null).length === 1) {
        const only = ticket.patients.find((p) => p.problem === null)!;
        this.choosePatient(ticket, { kind: only.kind, id: only.id });
      }
      if (ticket.patients.length === 0) {
        throw new CoreError('conflict', `${customer.firstName} ${customer.lastName} has no patients on their profile: add the patient in Customers first.`);
      }
    } else {
      this.rebuildContext(ticket);
    }
    this.tickets.set(ticket.id, ticket);
    return ticket;
  }

  setPatient(ticketId: string, patient: { kind: 'customer' | 'caregiver_patient'; id: string }): OpenTicket {
    const ticket = this.ticket(ticketId);
    if (ticket.customer.customerType !== 'caregiver') throw new CoreError('conflict', 'Only a caregiver buys for a patient.');
    if (ticket.lines.length > 0 && ticket.patient && (ticket.patient.id !== patient.id || ticket.patient.kind !== patient.kind)) {
      throw new CoreError('conflict', 'Remove the lines first: they were checked against the other patient\'s allotment.');
    }
    this.choosePatient(ticket, patient);
    return ticket;
  }

  /** Look the holder's allotment up in the state system again and rebuild the meter. */
  async refreshAllotment(ticketId: string): Promise<OpenTicket> {
    const ticket = this.ticket(ticketId);
    const context = ticket.context;
    if (!context || !context.profile.stateSystemIsTruth.value) return ticket;
    const holder = this.holderOf(ticket);
    if (!holder.cardId) {
      ticket.allotment = { state: 'not_found', message: 'No medical card number on the profile: add it in Customers.', fetchedAt: null };
      return ticket;
    }
    if (!this.deps.allotments) {
      ticket.allotment = { state: 'offline', message: 'Track-and-trace lookups are not wired on this register: the meter counts this register\'s own sales.', fetchedAt: null };
      return ticket;
    }
    const caregiverCardId = ticket.customer.customerType === 'caregiver' ? ticket.customer.caregiverId : null;
    const answer = await this.deps.allotments.lookup({ cardId: holder.cardId, caregiverCardId });
    const now = this.deps.clock();
    if (!this.tickets.has(ticket.id)) return ticket;
    if (answer.kind === 'found') {
      const amountMg = statedToMilligrams(answer.statedAmount, answer.statedUnit, this.rules().gramsPerOunce.value);
      if (amountMg === null) {
        ticket.allotment = { state: 'offline', message: `The state system gave the allotment as ${answer.statedAmount} ${answer.statedUnit}, a unit the register does not know: the meter counts this register's own sales.`, fetchedAt: now };
      } else {
        ticket.stateFigure = { amountMg, fetchedAt: now };
        ticket.allotment = { state: 'state_system', message: `State system: ${answer.statedAmount} ${answer.statedUnit} remaining.`, fetchedAt: now };
      }
    } else if (answer.kind === 'offline') {
      ticket.allotment = { state: 'offline', message: `State system unavailable (${answer.message}). The meter counts this register's own sales against the legal limit; the sale will be reported when it is back.`, fetchedAt: null };
    } else {
      ticket.allotment = { state: answer.kind, message: answer.message, fetchedAt: now };
    }
    this.rebuildContext(ticket);
    return ticket;
  }

  addProduct(actor: Employee, ticketId: string, product: CatalogProduct, quantity: number, limitOverrideGrantId?: string): { ticket: OpenTicket; refusal: RefusalView | null } {
    const ticket = this.ticket(ticketId);
    const context = this.contextOf(ticket);
    if (!context) return { ticket, refusal: { code: 'needs_patient', message: ticket.blocked ?? 'Choose the patient first.', overridable: false } };
    // The same product without its own discount or override joins its line.
    const same = ticket.lines.find((line) => line.product.id === product.id && line.discount === null && line.limitOverride === null);
    const candidate: TicketLine[] = same
      ? ticket.lines.map((line) => (line === same ? { ...line, product, quantity: line.quantity + quantity } : line))
      : [...ticket.lines, { lineId: newId(this.deps.clock()), product, quantity, discount: null, limitOverride: null }];
    const changedId = same ? same.lineId : candidate[candidate.length - 1]!.lineId;
    return this.applyChange(actor, ticket, candidate, changedId, context, limitOverrideGrantId);
  }

  setQuantity(actor: Employee, ticketId: string, lineId: string, quantity: number, limitOverrideGrantId?: string): { ticket: OpenTicket; refusal: RefusalView | null } {
    const ticket = this.ticket(ticketId);
    const context = this.contextOf(ticket)!;
    const line = this.line(ticket, lineId);
    const product = this.productById(line.product.id) ?? line.product;
    const candidate = ticket.lines.map((entry) => (entry === line ? { ...entry, product, quantity } : entry));
    return this.applyChange(actor, ticket, candidate, lineId, context, limitOverrideGrantId);
  }

  removeLine(ticketId: string, lineId: string): OpenTicket {
    const ticket = this.ticket(ticketId);
    this.line(ticket, lineId);
    ticket.lines = ticket.lines.filter((line) => line.lineId !== lineId);
    return ticket;
  }

  discountLine(actor: Employee, ticketId: string, lineId: string, discount: LineDiscount | { kind: 'none' }, reason: string, grantId?: string): OpenTicket {
    const ticket = this.ticket(ticketId);
    const line = this.line(ticket, lineId);
    if (discount.kind === 'none') {
      ticket.lines = ticket.lines.map((entry) => (entry === line ? { ...entry, discount: null } : entry));
      return ticket;
    }
    const approver = this.approver(actor, grantId, DISCOUNT_ACTION);
    ticket.lines = ticket.lines.map((entry) => (entry === line ? { ...entry, discount: { ...discount, reason, approvedBy: approver.id } } : entry));
    return ticket;
  }

  discard(ticketId: string): void {
    this.ticket(ticketId);
    this.tickets.delete(ticketId);
  }

  /** Rewards (issue 9): points to redeem on this sale (0: none); checked against the rules when priced. */
  redeemRewards(ticketId: string, points: number): OpenTicket {
    const ticket = this.ticket(ticketId);
    if (points > 0) {
      const context = this.contextOf(ticket);
      const net = context ? priceTicket(ticket.lines, context).netCents : 0;
      const quote = rewardsQuote(this.db(), ticket.customer.id, net, points);
      if (quote.maxPoints === 0 || quote.note) throw new CoreError('conflict', `Points cannot be redeemed: ${quote.note ?? 'nothing can be redeemed on this sale.'}`);
    }
    ticket.redeemPoints = points;
    return ticket;
  }

  /**
   * The ticket priced with the rewards points chosen: the discount is shared across the lines
   * before tax. Points the ticket no longer allows (a line removed) shrink to what it allows.
   */
  private priceWithRewards(ticket: OpenTicket, lines: TicketLine[], context: PricingContext) {
    const base = priceTicket(lines, context);
    if (ticket.redeemPoints <= 0) return { priced: base, redemption: null, eligibleCents: base.netCents };
    const quote = rewardsQuote(this.db(), ticket.customer.id, base.netCents, ticket.redeemPoints);
    if (quote.points <= 0 || quote.maxPoints === 0) return { priced: base, redemption: { points: 0, discountCents: 0, note: quote.note }, eligibleCents: base.netCents };
    return {
      priced: priceTicket(lines, context, quote.discountCents),
      redemption: { points: quote.points, discountCents: quote.discountCents, note: quote.note },
      eligibleCents: base.netCents,
    };
  }

  view(ticket: OpenTicket): TicketView {
    const rules = this.rules();
    const context = this.contextOf(ticket);
    const withRewards = context ? this.priceWithRewards(ticket, ticket.lines, context) : null;
    const priced = withRewards?.priced ?? null;
    const lines = ticket.lines.map((line, index) => {
      const price = priced?.lines[index];
      return {
        lineId: line.lineId,
        productId: line.product.id,
        name: line.product.name,
        traceBarcode: line.product.traceBarcode,
        category: line.product.category,
        quantity: line.quantity,
        onHand: line.product.onHand,
        unitPriceCents: line.product.priceCents,
        grossCents: price?.grossCents ?? line.product.priceCents * line.quantity,
        groupDiscountCents: price?.groupDiscountCents ?? 0,
        lineDiscountCents: price?.lineDiscountCents ?? 0,
        rewardsDiscountCents: price?.rewardsDiscountCents ?? 0,
        discountReason: line.discount?.reason ?? null,
        netCents: price?.netCents ?? 0,
        taxes: (price?.taxes ?? []).map((tax) => ({ taxId: tax.taxId, label: tax.label, basisPoints: tax.basisPoints, cents: tax.cents })),
        taxCents: price?.taxCents ?? 0,
        totalCents: price?.totalCents ?? 0,
        overriddenLimits: line.limitOverride?.limitIds ?? [],
      };
    });
    const c = ticket.customer;
    return {
      ticketId: ticket.id,
      saleCommandId: ticket.saleCommandId,
      openedAt: ticket.openedAt,
      customer: {
        id: c.id,
        displayName: c.nickname ? `${c.firstName} "${c.nickname}" ${c.lastName}` : `${c.firstName} ${c.lastName}`,
        customerType: c.customerType,
        licence: c.customerType === 'caregiver' ? c.caregiverId : c.medicalId,
      },
      profileLabel: context?.profile.label ?? 'Choose the patient',
      channel: context?.channel ?? 'medical',
      jurisdiction: rules.code,
      needsPatient: c.customerType === 'caregiver' && ticket.patient === null,
      patient: ticket.patient,
      patients: ticket.patients,
      allotment: ticket.allotment,
      groups: ticket.groups,
      groupDiscount: context?.groupDiscount ?? null,
      notices: ticket.notices,
      rewards: withRewards?.redemption ?? null,
      lines,
      totals: {
        grossCents: priced?.grossCents ?? 0,
        discountCents: priced?.discountCents ?? 0,
        netCents: priced?.netCents ?? 0,
        taxCents: priced?.taxCents ?? 0,
        totalCents: priced?.totalCents ?? 0,
        taxSummary: priced?.taxSummary ?? [],
      },
      meter: (priced?.meter ?? []).map((row) => ({
        limitId: row.limitId,
        label: row.label,
        unit: row.unit,
        windowText: windowText(row.window),
        ceiling: row.ceiling,
        available: row.available,
        onTicket: row.onTicket,
        remaining: row.remaining,
        source: row.source,
        stateFetchedAt: row.stateFetchedAt,
        overridden: row.overridden,
        categories: row.categories,
      })),
      rounding: rules.taxes.rounding.note,
      sellWhileTraceDown: rules.sellWhileTraceDown.value,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Completing a sale
  // -------------------------------------------------------------------------------------------

  complete(actor: Employee, input: { commandId: string; ticketId: string; tenders: TenderInput[] }): { saleId: string; replayed: boolean } {
    const db = this.db();
    const done = appliedCommandResult<{ saleId: string }>(db, input.commandId);
    if (done) return { saleId: done.result.saleId, replayed: true };
    const ticket = this.ticket(input.ticketId);
    if (ticket.saleCommandId !== input.commandId) {
      throw new CoreError('conflict', 'This payment belongs to another ticket: reopen the ticket and take the payment again.');
    }
    if (ticket.lines.length === 0) throw new CoreError('conflict', 'The ticket is empty: scan a product first.');
    const now = this.deps.clock();
    const outcome = db
      .transaction(() =>
        applyCommand(
          db,
          { commandId: input.commandId, name: 'checkout.sale.complete', actorId: actor.id },
          () => this.writeSale(actor, ticket, input.tenders, now),
          now,
        ),
      )
      .immediate();
    this.tickets.delete(ticket.id);
    if (!outcome.replayed) {
      this.deps.trace?.wake();
      if (ticket.queueEntryId) this.deps.queue?.changed();
    }
    return { saleId: outcome.result.saleId, replayed: outcome.replayed };
  }

  private writeSale(actor: Employee, ticket: OpenTicket, tenders: TenderInput[], now: number) {
    const db = this.db();
    const s = this.stmts();
    // Facts read again inside the transaction: stock and allotment used may have moved since the ticket opened.
    const lines = ticket.lines.map((line) => ({ ...line, product: this.productById(line.product.id) ?? line.product }));
    this.rebuildContext(ticket);
    const context = this.contextOf(ticket);
    if (!context) throw new CoreError('conflict', ticket.blocked ?? 'Choose the patient first.');
    for (const line of lines) {
      const refusal = checkTicket(lines, line.lineId, context);
      if (refusal) throw new CoreError('conflict', `${refusal.message} Change the ticket, then take the payment again.`);
    }
    const { priced, redemption, eligibleCents } = this.priceWithRewards(ticket, lines, context);
    const paid = applyTenders(priced.totalCents, tenders);
    if ('error' in paid) throw new CoreError('conflict', paid.error);

    const saleId = newId(now);
    const date = context.date;
    const receiptNumber = (s.nextReceipt.get() as { next: number }).next;
    const holder = this.holderOf(ticket);
    const caregiver = ticket.customer.customerType === 'caregiver';
    const patientLicence = caregiver ? (ticket.patient?.licence ?? null) : ticket.customer.medicalId;
    const caregiverLicence = caregiver ? ticket.customer.caregiverId : null;
    const rules = this.rules();
    if (caregiver && rules.caregivers.recordPatientAndCaregiverIds.value && (!patientLicence || !caregiverLicence)) {
      throw new CoreError('conflict', 'A caregiver sale records both licence numbers: add the missing caregiver or patient licence number in Customers.');
    }

    s.insertSale.run({
      id: saleId,
      commandId: ticket.saleCommandId,
      receiptNumber,
      customerId: ticket.customer.id,
      patientCustomerId: ticket.patient?.kind === 'customer' ? ticket.patient.id : null,
      caregiverPatientId: ticket.patient?.kind === 'caregiver_patient' ? ticket.patient.id : null,
      patientName: ticket.patient?.name ?? null,
      patientLicence: context.channel === 'medical' ? patientLicence : null,
      caregiverLicence,
      jurisdiction: rules.code,
      profileId: context.profile.id,
      channel: context.channel,
      employeeId: actor.id,
      grossCents: priced.grossCents,
      discountCents: priced.discountCents,
      netCents: priced.netCents,
      taxCents: priced.taxCents,
      totalCents: priced.totalCents,
      changeCents: paid.changeCents,
      groupDiscountLabel: context.groupDiscount?.label ?? null,
      businessDate: date,
      completedAt: now,
      queueEntryId: ticket.queueEntryId,
    });
    // Rewards (issue 9): the points come off in this transaction (refused here if the balance moved).
    if (redemption && redemption.points > 0) {
      redeemPoints(db, { customerId: ticket.customer.id, saleId, points: redemption.points, eligibleCents, employeeId: actor.id, at: now });
    }
    lines.forEach((line, index) => {
      const price = priced.lines[index]!;
      const saleLineId = newId(now);
      s.insertLine.run({
        id: saleLineId,
        saleId,
        lineNo: index + 1,
        productId: line.product.id,
        name: line.product.name,
        traceBarcode: line.product.traceBarcode,
        category: line.product.category,
        quantity: line.quantity,
        unitPriceCents: line.product.priceCents,
        grossCents: price.grossCents,
        groupDiscountCents: price.groupDiscountCents,
        lineDiscountCents: price.lineDiscountCents,
        rewardsDiscountCents: price.rewardsDiscountCents,
        discountReason: line.discount?.reason ?? null,
        discountApprovedBy: line.discount?.approvedBy ?? null,
        netCents: price.netCents,
        taxCents: price.taxCents,
        limitOverride: line.limitOverride ? JSON.stringify(line.limitOverride.limitIds) : null,
        limitOverrideApprovedBy: line.limitOverride?.approvedBy ?? null,
      });
      for (const tax of price.taxes) {
        s.insertTax.run(newId(now), saleId, saleLineId, tax.taxId, tax.label, tax.kind, tax.basisPoints, price.netCents, tax.cents);
      }
      s.insertMovement.run(newId(now), line.product.id, -line.quantity, 'sale', saleId, actor.id, now);
      for (const count of price.counts) {
        const limit = context.profile.limits.find((entry) => entry.id === count.limitId)!;
        s.insertUse.run(newId(now), saleId, saleLineId, null, holder.kind, holder.id, holder.cardId, count.limitId, limit.unit, count.amount, now, date);
      }
    });
    for (const tender of paid.tenders) {
      s.insertTender.run(newId(now), saleId, tender.kind, tender.tenderedCents, tender.appliedCents, tender.changeCents, tender.reference);
    }
    let traceOutboxId: string | null = null;
    const target = context.channel === 'medical' && holder.cardId ? (this.deps.trace?.target(db) ?? null) : null;
    if (target && this.deps.trace && holder.cardId) {
      traceOutboxId = this.deps.trace.enqueueDispense(
        db,
        {
          saleId,
          customerId: ticket.customer.id,
          location: target.location,
          terminalId: target.terminalId,
          saleTime: now,
          cardId: holder.cardId,
          caregiverCardId: caregiverLicence,
          lines: lines.map((line, index) => ({
            barcode: line.product.traceBarcode,
            quantity: line.quantity,
            unitPriceCents: Math.round(priced.lines[index]!.netCents / line.quantity),
          })),
        },
        now,
      ).outboxId;
      s.setOutbox.run(traceOutboxId, saleId);
    }
    if (ticket.queueEntryId) this.deps.queue?.markServed(actor.id, ticket.queueEntryId);
    // Rewards (issue 9): points on the sale's net (after discounts, before tax), in this transaction.
    const rewards = earnPoints(db, { customerId: ticket.customer.id, saleId, eligibleCents: priced.netCents, employeeId: actor.id, at: now });
    return {
      result: { saleId },
      audit: {
        action: 'sale.complete',
        customerId: ticket.customer.id,
        saleId,
        details: {
          receiptNumber,
          ticketId: ticket.id,
          channel: context.channel,
          profile: context.profile.id,
          totalCents: priced.totalCents,
          taxCents: priced.taxCents,
          lines: lines.length,
          tenders: paid.tenders.map((tender) => ({ kind: tender.kind, cents: tender.appliedCents })),
          patient: ticket.patient ? { kind: ticket.patient.kind, id: ticket.patient.id, licence: patientLicence } : null,
          caregiverLicence,
          traceOutboxId,
          queueEntryId: ticket.queueEntryId,
          rewardsPointsEarned: rewards.points,
          rewardsPointsRedeemed: redemption?.points ?? 0,
          limitOverrides: lines.filter((line) => line.limitOverride).map((line) => ({ lineId: line.lineId, ...line.limitOverride })),
        },
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Receipts, voids, returns
  // -------------------------------------------------------------------------------------------

  receipt(saleId: string): Receipt {
    const db = this.db();
    const sale = db
      .prepare(
        `SELECT s.id, s.receipt_number AS receiptNumber, s.status, s.completed_at AS completedAt, s.business_date AS businessDate,
                s.customer_id AS customerId, c.first_name || ' ' || c.last_name AS customerName, s.channel, s.patient_name AS patientName,
                s.patient_licence AS patientLicence, s.caregiver_licence AS caregiverLicence, s.gross_cents AS grossCents,
                s.discount_cents AS discountCents, s.net_cents AS netCents, s.tax_cents AS taxCents, s.total_cents AS totalCents,
                s.change_cents AS changeCents, s.trace_outbox_id AS traceOutboxId, e.name AS employeeName
           FROM sales s JOIN customers c ON c.id = s.customer_id JOIN employees e ON e.id = s.employee_id WHERE s.id = ?`,
      )
      .get(saleId) as
      | (Omit<Receipt, 'lines' | 'tenders' | 'taxSummary' | 'returns' | 'trace' | 'voidable' | 'storeName' | 'timeZone' | 'rounding' | 'saleId'> & { id: string; traceOutboxId: string | null })
      | undefined;
    if (!sale) throw new CoreError('not_found', 'No such sale on this register: check the receipt number.');
    const lines = db
      .prepare(
        `SELECT l.id AS saleLineId, l.name, l.trace_barcode AS traceBarcode, l.quantity, l.unit_price_cents AS unitPriceCents,
                l.gross_cents AS grossCents, l.group_discount_cents + l.line_discount_cents + l.rewards_discount_cents AS discountCents, l.net_cents AS netCents,
                l.tax_cents AS taxCents,
                COALESCE((SELECT SUM(r.quantity) FROM sale_return_lines r WHERE r.sale_line_id = l.id), 0) AS returnedQuantity,
                COALESCE((SELECT SUM(r.net_cents + r.tax_cents) FROM sale_return_lines r WHERE r.sale_line_id = l.id), 0) AS returnedCents
           FROM sale_lines l WHERE l.sale_id = ? ORDER BY l.line_no`,
      )
      .all(saleId) as Array<Omit<Receipt['lines'][number], 'taxes'>>;
    const taxes = db
      .prepare('SELECT sale_line_id AS saleLineId, label, basis_points AS basisPoints, tax_cents AS cents FROM sale_taxes WHERE sale_id = ? ORDER BY rowid')
      .all(saleId) as Array<{ saleLineId: string; label: string; basisPoints: number; cents: number }>;
    const taxSummary: Receipt['taxSummary'] = [];
    for (const tax of taxes) {
      const row = taxSummary.find((entry) => entry.label === tax.label);
      if (row) row.cents += tax.cents;
      else taxSummary.push({ label: tax.label, cents: tax.cents });
    }
    const tenders = db
      .prepare('SELECT kind, tendered_cents AS tenderedCents, applied_cents AS appliedCents, change_cents AS changeCents, reference FROM sale_tenders WHERE sale_id = ? ORDER BY rowid')
      .all(saleId) as Receipt['tenders'];
    const returnRows = db
      .prepare(
        `SELECT id, kind, at, refund_cents AS refundCents, refund_tender AS refundTender, reason, trace_outbox_id AS traceOutboxId
           FROM sale_returns WHERE sale_id = ? ORDER BY at, id`,
      )
      .all(saleId) as Array<Omit<Receipt['returns'][number], 'lines' | 'trace'> & { id: string; traceOutboxId: string | null }>;
    const returnLines = db
      .prepare(
        `SELECT r.return_id AS returnId, r.sale_line_id AS saleLineId, l.name, l.trace_barcode AS traceBarcode, r.quantity
           FROM sale_return_lines r JOIN sale_lines l ON l.id = r.sale_line_id WHERE l.sale_id = ? ORDER BY l.line_no`,
      )
      .all(saleId) as Array<Receipt['returns'][number]['lines'][number] & { returnId: string }>;
    const returns: Receipt['returns'] = returnRows.map(({ id: returnId, traceOutboxId, ...entry }) => ({
      ...entry,
      lines: returnLines.filter((line) => line.returnId === returnId).map((line) => ({ saleLineId: line.saleLineId, name: line.name, traceBarcode: line.traceBarcode, quantity: line.quantity })),
      trace: traceOutboxId ? (this.deps.trace?.stateOf(db, traceOutboxId) ?? { state: 'pending', remoteTxnId: null }) : null,
    }));
    const trace = sale.traceOutboxId ? (this.deps.trace?.stateOf(db, sale.traceOutboxId) ?? { state: 'pending', remoteTxnId: null }) : null;
    const today = this.businessDate(this.deps.clock());
    const { id, traceOutboxId: _outbox, ...rest } = sale;
    void _outbox;
    return {
      ...rest,
      saleId: id,
      storeName: readSetting(db, 'store.name') ?? 'Dispensary',
      timeZone: this.timeZone(),
      rounding: this.rules().taxes.rounding.note,
      lines: lines.map((line) => ({
        ...line,
        taxes: taxes.filter((tax) => tax.saleLineId === line.saleLineId).map(({ label, basisPoints, cents }) => ({ label, basisPoints, cents })),
      })),
      taxSummary,
      tenders,
      returns,
      trace,
      voidable: sale.status === 'completed' && sale.businessDate === today && returns.length === 0,
    };
  }

  recentSales(limit: number) {
    return this.db()
      .prepare(
        `SELECT s.id AS saleId, s.receipt_number AS receiptNumber, s.status, c.first_name || ' ' || c.last_name AS customerName,
                s.total_cents AS totalCents, s.completed_at AS completedAt, s.channel
           FROM sales s JOIN customers c ON c.id = s.customer_id ORDER BY s.completed_at DESC, s.id DESC LIMIT ?`,
      )
      .all(limit) as Array<{ saleId: string; receiptNumber: number; status: 'completed' | 'voided'; customerName: string; totalCents: number; completedAt: number; channel: 'medical' | 'adult_use' }>;
  }

  voidSale(actor: Employee, input: { commandId: string; saleId: string; reason: string; grantId?: string }): string {
    const db = this.db();
    if (appliedCommandResult(db, input.commandId)) return input.saleId;
    const approver = this.approver(actor, input.grantId, VOID_ACTION);
    const now = this.deps.clock();
    db.transaction(() =>
      applyCommand(db, { commandId: input.commandId, name: 'checkout.sale.void', actorId: actor.id }, () => {
        const sale = this.saleRow(input.saleId);
        if (sale.status !== 'completed') throw new CoreError('conflict', 'This sale is already voided.');
        if (sale.businessDate !== this.businessDate(now)) {
          throw new CoreError('conflict', `A sale can be voided only on the day it was made (${sale.businessDate}): make a return instead.`);
        }
        const returned = db.prepare('SELECT COUNT(*) AS n FROM sale_returns WHERE sale_id = ?').get(input.saleId) as { n: number };
        if (returned.n > 0) throw new CoreError('conflict', 'Part of this sale was already returned: return the remaining lines instead of voiding.');
        const lines = this.saleLines(input.saleId).map((line) => ({ ...line, returnQuantity: line.quantity }));
        const returnId = this.writeReturn(actor, approver.id, { ...input, kind: 'void', refundTender: this.mainTender(input.saleId) }, lines, now);
        db.prepare(`UPDATE sales SET status = 'voided' WHERE id = ?`).run(input.saleId);
        // Rewards (issue 9): the points the sale earned (or redeemed) are taken (given) back.
        reverseSalePoints(db, { saleId: input.saleId, employeeId: actor.id, at: now, reason: `Sale voided: ${input.reason}` });
        let traceOutboxId: string | null = null;
        if (sale.traceOutboxId && this.deps.trace) {
          traceOutboxId = this.deps.trace.enqueueVoid(db, { saleId: input.saleId }, now).outboxId;
          db.prepare('UPDATE sale_returns SET trace_outbox_id = ? WHERE id = ?').run(traceOutboxId, returnId);
        }
        return {
          result: { saleId: input.saleId },
          audit: { action: 'sale.void', customerId: sale.customerId, saleId: input.saleId, details: { returnId, reason: input.reason, approvedBy: approver.id, traceOutboxId } },
        };
      }, now),
    ).immediate();
    this.deps.trace?.wake();
    return input.saleId;
  }

  returnLines(
    actor: Employee,
    input: { commandId: string; saleId: string; reason: string; refundTender: TenderInput['kind']; lines: Array<{ saleLineId: string; quantity: number }>; grantId?: string },
  ): string {
    const db = this.db();
    if (appliedCommandResult(db, input.commandId)) return input.saleId;
    const approver = this.approver(actor, input.grantId, RETURN_ACTION);
    const now = this.deps.clock();
    db.transaction(() =>
      applyCommand(db, { commandId: input.commandId, name: 'checkout.sale.return', actorId: actor.id }, () => {
        const sale = this.saleRow(input.saleId);
        if (sale.status !== 'completed') throw new CoreError('conflict', 'A voided sale cannot be returned.');
        const saleLines = this.saleLines(input.saleId);
        const chosen = input.lines.map((request) => {
          const line = saleLines.find((entry) => entry.id === request.saleLineId);
          if (!line) throw new CoreError('not_found', 'That line is not on this sale: reload the receipt.');
          if (request.quantity > line.quantity - line.returned) {
            throw new CoreError('conflict', `Only ${line.quantity - line.returned} of ${line.name} can still be returned.`);
          }
          return { ...line, returnQuantity: request.quantity };
        });
        const returnId = this.writeReturn(actor, approver.id, { ...input, kind: 'return' }, chosen, now);
        let traceOutboxId: string | null = null;
        if (sale.traceOutboxId && this.deps.trace) {
          traceOutboxId = this.deps.trace.enqueueRefund(
            db,
            {
              saleId: input.saleId,
              refundTime: now,
              lines: chosen.map((line) => ({ barcode: line.traceBarcode, quantity: line.returnQuantity, unitPriceCents: Math.round(line.netCents / line.quantity) })),
            },
            now,
          ).outboxId;
          db.prepare('UPDATE sale_returns SET trace_outbox_id = ? WHERE id = ?').run(traceOutboxId, returnId);
        }
        return {
          result: { saleId: input.saleId },
          audit: { action: 'sale.return', customerId: sale.customerId, saleId: input.saleId, details: { returnId, reason: input.reason, approvedBy: approver.id, lines: input.lines, traceOutboxId } },
        };
      }, now),
    ).immediate();
    this.deps.trace?.wake();
    return input.saleId;
  }

  /** The return's rows: lines, refund (net and tax, exact for whole lines), stock back, allotment given back. */
  private writeReturn(
    actor: Employee,
    approvedBy: string,
    input: { commandId: string; saleId: string; reason: string; kind: 'void' | 'return'; refundTender: TenderInput['kind'] },
    lines: Array<SaleLineRow & { returnQuantity: number }>,
    now: number,
  ): string {
    const db = this.db();
    const returnId = newId(now);
    const date = this.businessDate(now);
    let net = 0;
    let tax = 0;
    const rows = lines.map((line) => {
      const remaining = line.quantity - line.returned;
      const lineNet = line.returnQuantity === remaining ? line.netCents - line.returnedNet : Math.round((line.netCents * line.returnQuantity) / line.quantity);
      const lineTax = line.returnQuantity === remaining ? line.taxCents - line.returnedTax : Math.round((line.taxCents * line.returnQuantity) / line.quantity);
      net += lineNet;
      tax += lineTax;
      return { line, lineNet, lineTax };
    });
    db.prepare(
      `INSERT INTO sale_returns (id, command_id, sale_id, kind, reason, employee_id, approved_by, net_cents, tax_cents, refund_cents, refund_tender, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(returnId, input.commandId, input.saleId, input.kind, input.reason, actor.id, approvedBy, net, tax, net + tax, input.refundTender, now);
    const insertLine = db.prepare('INSERT INTO sale_return_lines (id, return_id, sale_line_id, quantity, net_cents, tax_cents) VALUES (?, ?, ?, ?, ?, ?)');
    const uses = db.prepare(
      `SELECT holder_kind AS holderKind, holder_id AS holderId, card_id AS cardId, limit_id AS limitId, unit, amount
         FROM allotment_uses WHERE sale_line_id = ? AND return_id IS NULL`,
    );
    const s = this.stmts();
    for (const { line, lineNet, lineTax } of rows) {
      insertLine.run(newId(now), returnId, line.id, line.returnQuantity, lineNet, lineTax);
      // Inventory comes back through the ledger (the foundation's reasons: 'void' reverses a sale).
      s.insertMovement.run(newId(now), line.productId, line.returnQuantity, 'void', returnId, actor.id, now);
      for (const use of uses.all(line.id) as Array<{ holderKind: string; holderId: string; cardId: string | null; limitId: string; unit: string; amount: number }>) {
        const back = Math.round((use.amount * line.returnQuantity) / line.quantity);
        s.insertUse.run(newId(now), input.saleId, line.id, returnId, use.holderKind, use.holderId, use.cardId, use.limitId, use.unit, -back, now, date);
      }
    }
    return returnId;
  }

  private mainTender(saleId: string): TenderInput['kind'] {
    const row = this.db().prepare('SELECT kind FROM sale_tenders WHERE sale_id = ? ORDER BY applied_cents DESC LIMIT 1').get(saleId) as { kind: TenderInput['kind'] } | undefined;
    return row?.kind ?? 'cash';
  }

  private saleRow(saleId: string) {
    const row = this.db()
      .prepare('SELECT status, business_date AS businessDate, customer_id AS customerId, trace_outbox_id AS traceOutboxId FROM sales WHERE id = ?')
      .get(saleId) as { status: string; businessDate: string; customerId: string; traceOutboxId: string | null } | undefined;
    if (!row) throw new CoreError('not_found', 'No such sale on this register: check the receipt number.');
    return row;
  }

  private saleLines(saleId: string): SaleLineRow[] {
    return this.db()
      .prepare(
        `SELECT l.id, l.product_id AS productId, l.name, l.trace_barcode AS traceBarcode, l.quantity, l.net_cents AS netCents, l.tax_cents AS taxCents,
                COALESCE(SUM(r.quantity), 0) AS returned, COALESCE(SUM(r.net_cents), 0) AS returnedNet, COALESCE(SUM(r.tax_cents), 0) AS returnedTax
           FROM sale_lines l LEFT JOIN sale_return_lines r ON r.sale_line_id = l.id WHERE l.sale_id = ? GROUP BY l.id ORDER BY l.line_no`,
      )
      .all(saleId) as SaleLineRow[];
  }

  // -------------------------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------------------------

  private applyChange(
    actor: Employee,
    ticket: OpenTicket,
    candidate: TicketLine[],
    changedId: string,
    context: PricingContext,
    limitOverrideGrantId: string | undefined,
  ): { ticket: OpenTicket; refusal: RefusalView | null } {
    let refusal: Refusal | null = checkTicket(candidate, changedId, context);
    if (refusal?.code === 'over_limit' && refusal.overridable && limitOverrideGrantId) {
      const approver = this.approver(actor, limitOverrideGrantId, LIMIT_OVERRIDE_ACTION);
      const limitId = refusal.limitId!;
      candidate = candidate.map((line) =>
        line.lineId === changedId ? { ...line, limitOverride: { limitIds: [...new Set([...(line.limitOverride?.limitIds ?? []), limitId])], approvedBy: approver.id } } : line,
      );
      refusal = checkTicket(candidate, changedId, context);
    }
    if (refusal) return { ticket, refusal };
    ticket.lines = candidate;
    return { ticket, refusal: null };
  }

  private approver(actor: Employee, grantId: string | undefined, action: string): { id: string; name: string } {
    if (!grantId && actor.permissions.includes('manager_override')) return { id: actor.id, name: actor.name };
    if (!grantId) throw new CoreError('forbidden', 'A manager must approve this: ask a manager to enter their PIN.');
    const grant = this.deps.consumeGrant(grantId, action);
    return { id: grant.approverId, name: grant.approverName };
  }

  private ticket(ticketId: string): OpenTicket {
    const ticket = this.tickets.get(ticketId);
    if (!ticket) throw new CoreError('not_found', 'This ticket is no longer open (completed, discarded, or the register restarted): open the customer again.');
    return ticket;
  }

  private line(ticket: OpenTicket, lineId: string): TicketLine {
    const line = ticket.lines.find((entry) => entry.lineId === lineId);
    if (!line) throw new CoreError('not_found', 'That line is no longer on the ticket.');
    return line;
  }

  private contextOf(ticket: OpenTicket): PricingContext | null {
    return ticket.context;
  }

  private customer(customerId: string): CustomerRow {
    const row = this.db()
      .prepare(
        `SELECT id, customer_type AS customerType, first_name AS firstName, last_name AS lastName, nickname, date_of_birth AS dateOfBirth,
                identification_expires AS identificationExpires, medical_id AS medicalId, medical_id_expires AS medicalIdExpires,
                caregiver_id AS caregiverId, caregiver_id_expires AS caregiverIdExpires, licence_state AS licenceState, banned
           FROM customers WHERE id = ?`,
      )
      .get(customerId) as CustomerRow | undefined;
    if (!row) throw new CoreError('not_found', 'No such customer: search again or scan their ID.');
    return row;
  }

  private checkCustomer(customer: CustomerRow, rules: JurisdictionRules, date: string): void {
    const name = `${customer.firstName} ${customer.lastName}`;
    if (customer.banned) throw new CoreError('conflict', `${name} is banned from this store: do not sell. Ask a manager.`);
    if (rules.identificationMustBeUnexpired.value && customer.identificationExpires && customer.identificationExpires < date) {
      throw new CoreError('conflict', `${name}'s ID expired on ${customer.identificationExpires}: ask for a valid ID and update the profile.`);
    }
    if (customer.customerType === 'caregiver') {
      if (customer.caregiverIdExpires && customer.caregiverIdExpires < date) {
        throw new CoreError('conflict', `${name}'s caregiver card expired on ${customer.caregiverIdExpires}: they cannot buy for a patient.`);
      }
    }
    const profile = this.profileFor(customer, rules, date);
    if (customer.customerType !== 'caregiver') {
      if (profile.credential.expiryChecked && customer.medicalIdExpires && customer.medicalIdExpires < date) {
        throw new CoreError('conflict', `${name}'s medical card expired on ${customer.medicalIdExpires}: they cannot buy as a patient.`);
      }
      if (profile.whoMayBuy.value === 'caregiver') {
        throw new CoreError('conflict', `${name} (${profile.label}) may buy only through a caregiver: open the caregiver's ticket and choose ${customer.firstName} as the patient.`);
      }
    }
    const age = ageOn(customer.dateOfBirth, date, rules.leapDayBirthday.value);
    if (age < profile.minimumAge.value) {
      throw new CoreError('conflict', `${name} is ${age}: ${profile.label} customers must be at least ${profile.minimumAge.value}.`);
    }
  }

  private profileFor(customer: { customerType: CustomerType; dateOfBirth: string | null; licenceState: string | null }, rules: JurisdictionRules, date: string): CustomerProfile {
    const age = customer.dateOfBirth ? ageOn(customer.dateOfBirth, date, rules.leapDayBirthday.value) : 18;
    // Unknown residency gets the stricter non-resident profile until the ID is scanned.
    const residency = customer.licenceState === null ? 'out_of_state' : customer.licenceState.toUpperCase() === rules.code ? 'in_state' : 'out_of_state';
    const profile =
      findCustomerProfile(rules, { customerType: customer.customerType, residency, ageYears: age }) ??
      findCustomerProfile(rules, { customerType: customer.customerType, residency: residency === 'in_state' ? 'out_of_state' : 'in_state', ageYears: age });
    if (!profile) {
      throw new CoreError('conflict', `${rules.name}'s rules have no profile for a ${customer.customerType.replace(/_/g, ' ')} customer aged ${age}: this customer cannot be served here.`);
    }
    return profile;
  }

  private patientsOf(caregiver: CustomerRow, date: string): PatientOption[] {
    const db = this.db();
    const nested = db
      .prepare(
        `SELECT id, first_name AS firstName, last_name AS lastName, medical_licence AS licence, licence_expires AS expires
           FROM caregiver_patients WHERE caregiver_id = ? ORDER BY last_name, first_name`,
      )
      .all(caregiver.id) as Array<{ id: string; firstName: string; lastName: string; licence: string; expires: string }>;
    const linked = db
      .prepare(
        `SELECT c.id, c.first_name AS firstName, c.last_name AS lastName, c.medical_id AS licence, c.medical_id_expires AS expires, c.banned
           FROM customer_profiles p JOIN customers c ON c.id = p.customer_id WHERE p.caregiver_customer_id = ? ORDER BY c.last_name, c.first_name`,
      )
      .all(caregiver.id) as Array<{ id: string; firstName: string; lastName: string; licence: string | null; expires: string | null; banned: number }>;
    const problem = (licence: string | null, expires: string | null): string | null =>
      !licence ? 'No medical licence number on file.' : expires && expires < date ? `Card expired ${expires}.` : null;
    return [
      ...linked.map((row) => ({
        kind: 'customer' as const,
        id: row.id,
        name: `${row.firstName} ${row.lastName}`,
        licence: row.licence,
        licenceExpires: row.expires,
        problem: row.banned ? 'Banned from this store.' : problem(row.licence, row.expires),
      })),
      ...nested.map((row) => ({
        kind: 'caregiver_patient' as const,
        id: row.id,
        name: `${row.firstName} ${row.lastName}`,
        licence: row.licence,
        licenceExpires: row.expires,
        problem: problem(row.licence, row.expires),
      })),
    ];
  }

  private choosePatient(ticket: OpenTicket, choice: { kind: 'customer' | 'caregiver_patient'; id: string }): void {
    const option = ticket.patients.find((patient) => patient.kind === choice.kind && patient.id === choice.id);
    if (!option) {
      throw new CoreError('conflict', `That patient is not one of ${ticket.customer.firstName} ${ticket.customer.lastName}'s patients: a caregiver buys only for their own patients.`);
    }
    if (option.problem) throw new CoreError('conflict', `${option.name} cannot be served: ${option.problem}`);
    ticket.patient = option;
    ticket.blocked = null;
    ticket.stateFigure = null;
    ticket.allotment = { state: 'not_required', message: 'No state allotment for this patient.', fetchedAt: null };
    this.rebuildContext(ticket);
  }

  /** Who the allotment belongs to: the patient on a caregiver sale, else the customer. */
  private holderOf(ticket: OpenTicket): Holder {
    if (ticket.customer.customerType === 'caregiver' && ticket.patient) {
      return { kind: ticket.patient.kind, id: ticket.patient.id, name: ticket.patient.name, cardId: ticket.patient.licence };
    }
    const c = ticket.customer;
    return { kind: 'customer', id: c.id, name: `${c.firstName} ${c.lastName}`, cardId: c.medicalId };
  }

  private rebuildContext(ticket: OpenTicket): void {
    if (ticket.customer.customerType === 'caregiver' && !ticket.patient) {
      ticket.context = null;
      return;
    }
    const rules = this.rules();
    const now = this.deps.clock();
    const date = this.businessDate(now);
    let profileSubject: { customerType: CustomerType; dateOfBirth: string | null; licenceState: string | null } = ticket.customer;
    const notices: string[] = [];
    if (ticket.customer.customerType === 'caregiver' && ticket.patient) {
      if (ticket.patient.kind === 'customer') {
        const patient = this.customer(ticket.patient.id);
        profileSubject = patient;
      } else {
        // A caregiver's nested patient has no birth date on file: served as an adult in-state patient.
        profileSubject = { customerType: 'medical', dateOfBirth: null, licenceState: rules.code };
        notices.push('This patient has no birth date on file: served on the adult patient rules.');
      }
    } else if (ticket.customer.customerType === 'adult_use' && ticket.customer.licenceState === null && rules.profiles.some((p) => p.match.residency)) {
      notices.push('Residency unknown (no scanned ID state): the non-resident limits apply. Scan the ID to use resident limits.');
    }
    const profile = this.profileFor(profileSubject, rules, date);
    const holder = this.holderOf(ticket);
    const usage = new Map<string, LimitUsage>();
    for (const limit of profile.limits) {
      const priorUsed = this.priorUse(holder, limit, now, date);
      let stateRemaining: number | null = null;
      if (profile.stateSystemIsTruth.value && ticket.stateFigure && limit.unit === 'mg') {
        // Sales the state had not yet acknowledged when its figure was read are not in it.
        const windowStart = limit.window.kind === 'rolling_days' ? now - limit.window.days * DAY_MS : 0;
        const unreported = this.stmts().unreportedUse.get(holder.kind, holder.id, limit.id, windowStart, ticket.stateFigure.fetchedAt) as { total: number | null };
        stateRemaining = ticket.stateFigure.amountMg - (unreported.total ?? 0);
      }
      usage.set(limit.id, { priorUsed, stateRemaining, stateFetchedAt: ticket.stateFigure?.fetchedAt ?? null });
    }
    if (profile.stateSystemIsTruth.value && ticket.allotment.state === 'not_required') {
      ticket.allotment = { state: 'checking', message: 'Looking up the allotment in the state system…', fetchedAt: null };
    }
    ticket.notices = notices;
    ticket.context = {
      rules,
      profile,
      channel: profile.taxStack === 'adult_use' || profileSubject.customerType === 'adult_use' ? 'adult_use' : 'medical',
      date,
      storeRates: this.storeRates(rules),
      groupDiscount: this.groupDiscount(ticket.groups),
      usage,
    };
  }

  private priorUse(holder: Holder, limit: PurchaseLimit, now: number, date: string): number {
    const s = this.stmts();
    switch (limit.window.kind) {
      case 'per_transaction':
        return 0;
      case 'calendar_day_per_retailer':
        return ((s.useOnDate.get(holder.kind, holder.id, limit.id, date) as { total: number | null }).total ?? 0);
      case 'rolling_days':
        return ((s.useSince.get(holder.kind, holder.id, limit.id, now - limit.window.days * DAY_MS) as { total: number | null }).total ?? 0);
    }
  }

  private groupsOf(customer: CustomerRow, date: string): string[] {
    const stored = (
      this.db()
        .prepare('SELECT g.name FROM customer_group_members m JOIN customer_groups g ON g.id = m.group_id WHERE m.customer_id = ? ORDER BY g.name')
        .all(customer.id) as Array<{ name: string }>
    ).map((row) => row.name);
    const seniorAgeSetting = this.jsonSetting('customers.seniorAge');
    const seniorAge = typeof seniorAgeSetting === 'number' ? seniorAgeSetting : DEFAULT_SENIOR_AGE;
    if (ageOn(customer.dateOfBirth, date, this.rules().leapDayBirthday.value) >= seniorAge && !stored.includes('senior')) stored.unshift('senior');
    return stored;
  }

  /** The best discount among the customer's groups (settings checkout.groupDiscounts: {"senior": 1000}). */
  private groupDiscount(groups: string[]): PricingContext['groupDiscount'] {
    const setting = this.jsonSetting('checkout.groupDiscounts');
    const table: Record<string, number> =
      setting && typeof setting === 'object' && !Array.isArray(setting) ? (setting as Record<string, number>) : DEFAULT_GROUP_DISCOUNTS;
    let best: PricingContext['groupDiscount'] = null;
    for (const group of groups) {
      const basisPoints = table[group];
      if (typeof basisPoints === 'number' && Number.isInteger(basisPoints) && basisPoints > 0 && basisPoints <= 10_000 && (!best || basisPoints > best.basisPoints)) {
        best = { basisPoints, label: `${group[0]!.toUpperCase()}${group.slice(1)} ${basisPoints / 100}%` };
      }
    }
    return best;
  }

  private openQueueEntry(customerId: string): string | null {
    try {
      const row = this.db()
        .prepare('SELECT id FROM queue_entries WHERE customer_id = ? AND removed_at IS NULL AND parent_entry_id IS NULL ORDER BY checked_in_at LIMIT 1')
        .get(customerId) as { id: string } | undefined;
      return row?.id ?? null;
    } catch {
      return null; // no queue on this register yet
    }
  }

  private db(): Database.Database {
    return this.deps.sqlite();
  }

  private stmts() {
    const db = this.db();
    if (!this.statements || this.statementsFor !== db) {
      this.statements = this.prepareStatements(db);
      this.statementsFor = db;
    }
    return this.statements;
  }

  private prepareStatements(db: Database.Database) {
    const productColumns = `p.id, p.trace_barcode AS traceBarcode, p.upc, p.name, p.category, p.unit_weight_mg AS unitWeightMg,
      p.usable_weight_mg AS usableWeightMg, p.thc_value AS thcValue, p.thc_unit AS thcUnit, p.price_cents AS priceCents,
      p.sold_medical AS soldMedical, p.sold_adult_use AS soldAdultUse,
      (SELECT COALESCE(SUM(m.quantity_delta), 0) FROM inventory_movements m WHERE m.product_id = p.id) AS onHand`;
    return {
      byId: db.prepare(`SELECT ${productColumns} FROM products p WHERE p.id = ?`),
      byTrace: db.prepare(`SELECT ${productColumns} FROM products p WHERE p.trace_barcode = ?`),
      byUpc: db.prepare(`SELECT ${productColumns} FROM products p WHERE p.upc = ?`),
      search: db.prepare(
        `SELECT ${productColumns} FROM products p WHERE lower(p.name) LIKE @like ESCAPE '\\' OR p.category LIKE @like ESCAPE '\\' OR p.trace_barcode LIKE @like ESCAPE '\\'
          ORDER BY p.name LIMIT @limit`,
      ),
      useSince: db.prepare(
        'SELECT SUM(amount) AS total FROM allotment_uses WHERE holder_kind = ? AND holder_id = ? AND limit_id = ? AND at >= ?',
      ),
      unreportedUse: db.prepare(
        `SELECT SUM(u.amount) AS total FROM allotment_uses u JOIN sales s ON s.id = u.sale_id
           LEFT JOIN trace_outbox o ON o.id = s.trace_outbox_id
          WHERE u.holder_kind = ? AND u.holder_id = ? AND u.limit_id = ? AND u.at >= ?
            AND (o.id IS NULL OR o.state != 'acknowledged' OR o.acknowledged_at > ?)`,
      ),
      useOnDate: db.prepare(
        'SELECT SUM(amount) AS total FROM allotment_uses WHERE holder_kind = ? AND holder_id = ? AND limit_id = ? AND business_date = ?',
      ),
      nextReceipt: db.prepare('SELECT COALESCE(MAX(receipt_number), 0) + 1 AS next FROM sales'),
      insertSale: db.prepare(
        `INSERT INTO sales (id, command_id, receipt_number, status, customer_id, patient_customer_id, caregiver_patient_id, patient_name, patient_licence,
           caregiver_licence, jurisdiction, profile_id, channel, employee_id, gross_cents, discount_cents, net_cents, tax_cents, total_cents, change_cents,
           group_discount_label, business_date, completed_at, queue_entry_id)
         VALUES (@id, @commandId, @receiptNumber, 'completed', @customerId, @patientCustomerId, @caregiverPatientId, @patientName, @patientLicence,
           @caregiverLicence, @jurisdiction, @profileId, @channel, @employeeId, @grossCents, @discountCents, @netCents, @taxCents, @totalCents, @changeCents,
           @groupDiscountLabel, @businessDate, @completedAt, @queueEntryId)`,
      ),
      insertLine: db.prepare(
        `INSERT INTO sale_lines (id, sale_id, line_no, product_id, name, trace_barcode, category, quantity, unit_price_cents, gross_cents,
           group_discount_cents, line_discount_cents, rewards_discount_cents, discount_reason, discount_approved_by, net_cents, tax_cents, limit_override, limit_override_approved_by)
         VALUES (@id, @saleId, @lineNo, @productId, @name, @traceBarcode, @category, @quantity, @unitPriceCents, @grossCents,
           @groupDiscountCents, @lineDiscountCents, @rewardsDiscountCents, @discountReason, @discountApprovedBy, @netCents, @taxCents, @limitOverride, @limitOverrideApprovedBy)`,
      ),
      insertTax: db.prepare(
        'INSERT INTO sale_taxes (id, sale_id, sale_line_id, tax_id, label, kind, basis_points, base_cents, tax_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertTender: db.prepare(
        'INSERT INTO sale_tenders (id, sale_id, kind, tendered_cents, applied_cents, change_cents, reference) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      insertMovement: db.prepare(
        'INSERT INTO inventory_movements (id, product_id, quantity_delta, reason, reference_id, employee_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      insertUse: db.prepare(
        `INSERT INTO allotment_uses (id, sale_id, sale_line_id, return_id, holder_kind, holder_id, card_id, limit_id, unit, amount, at, business_date)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      setOutbox: db.prepare('UPDATE sales SET trace_outbox_id = ? WHERE id = ?'),
    };
  }
}

interface ProductRow extends Omit<CatalogProduct, 'soldMedical' | 'soldAdultUse'> {
  soldMedical: number;
  soldAdultUse: number;
}

interface SaleLineRow {
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
}

function toProduct(row: ProductRow): CatalogProduct {
  return { ...row, soldMedical: row.soldMedical === 1, soldAdultUse: row.soldAdultUse === 1 };
}

function windowText(window: PurchaseLimit['window']): string {
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

export { money };
