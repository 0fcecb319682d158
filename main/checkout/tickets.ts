/**
 * Checkout: open tickets (one register): lines, patient, discounts, rewards, the view. Each ticket
 * is held in memory and saved to disk as it changes (./ticket-store.ts), so it comes back after a
 * crash or power cut; a change that cannot be saved is not made.
 */
import type { Employee } from '../../preload/api.js';
import type { TicketView, RefusalView } from '../../preload/contract/checkout.js';
import { appliedCommandResult } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { appendAudit } from '../audit/log.js';
import { cannotSaveMessage } from '../store/errors.js';
import { newId } from '../store/ids.js';
import { rewardsQuote } from '../rewards/index.js';
import { deleteSavedTicket, fromSaved, readSavedTickets, saveTicket, savedTicketRow, toSaved, type UnreadableTicket } from './ticket-store.js';
import { checkTicket, priceTicket, type CatalogProduct, type LineDiscount, type PricingContext, type Refusal, type TicketLine } from './engine.js';
import { CONVERSION_APPROVAL_ACTION, DISCOUNT_ACTION, LIMIT_OVERRIDE_ACTION, windowText, type OpenTicket, type PatientChoice } from './types.js';
import { CheckoutAllotment } from './allotment.js';
import { roundingLine } from './receipt-words.js';
import { sellsWhileTraceDown } from '../compliance/trace-down.js';

export abstract class CheckoutTickets extends CheckoutAllotment {
  /** Saved tickets that could not be brought back at the last open (shown to staff until dismissed). */
  protected unrestored: UnreadableTicket[] = [];

  // -------------------------------------------------------------------------------------------
  // Tickets on disk
  // -------------------------------------------------------------------------------------------

  /**
   * Bring back the tickets saved on disk (when the database opens: start-up, a restored backup).
   * Replaces the tickets in memory. A saved ticket that does not parse, or no longer fits the
   * rules or the customer records, is logged and kept aside for staff; it never stops start-up.
   * A ticket last changed on an earlier business day is not brought back either (its customer has
   * long left): it is listed for staff as left open. A ticket whose sale was already written is
   * dropped (cannot happen through this code: the row goes in the sale's transaction).
   */
  restoreTickets(): { restored: number; unrestored: number } {
    this.tickets.clear();
    this.unrestored = [];
    const db = this.db();
    const now = this.deps.clock();
    const today = this.businessDate(now);
    const { tickets, unreadable } = readSavedTickets(db);
    const leftOpen: UnreadableTicket[] = [];
    for (const { saved, savedAt } of tickets) {
      if (appliedCommandResult(db, saved.saleCommandId)) {
        try {
          deleteSavedTicket(db, saved.id);
        } catch {
          // A read-only disk: the row is skipped again at the next start.
        }
        this.log('warn', 'a saved ticket whose sale was already written was dropped', { ticketId: saved.id, saleCommandId: saved.saleCommandId });
        continue;
      }
      const lastDay = this.businessDate(savedAt);
      if (lastDay < today) {
        leftOpen.push({ ticketId: saved.id, reason: 'left_open', savedAt, openedAt: saved.openedAt, customerId: saved.customer.id, problem: `left open since ${lastDay}` });
        continue;
      }
      const ticket = fromSaved(saved);
      try {
        this.rebuildContext(ticket);
      } catch (error) {
        unreadable.push({ ticketId: saved.id, reason: 'unreadable', savedAt, openedAt: saved.openedAt, customerId: saved.customer.id, problem: `does not fit the rules or records now: ${error instanceof Error ? error.message : String(error)}` });
        continue;
      }
      ticket.restoredAt = now;
      this.tickets.set(ticket.id, ticket);
    }
    for (const entry of unreadable) {
      this.log('error', 'a saved ticket could not be brought back: it is kept on disk and shown on the register', { ticketId: entry.ticketId, customerId: entry.customerId, problem: entry.problem });
    }
    for (const entry of leftOpen) {
      this.log('info', 'a ticket left open since an earlier day was not brought back: it is shown on the register', { ticketId: entry.ticketId, customerId: entry.customerId, problem: entry.problem });
    }
    this.unrestored = [...unreadable, ...leftOpen];
    if (this.tickets.size > 0) this.log('info', 'open tickets brought back from disk', { tickets: this.tickets.size });
    return { restored: this.tickets.size, unrestored: this.unrestored.length };
  }

  /** Forget the tickets in memory (the database is closing: they stay saved on disk). */
  forgetTickets(): void {
    this.tickets.clear();
    this.unrestored = [];
  }

  /** Saved tickets that could not be brought back, with the customer's name when it is known. */
  unrestoredTickets(): Array<{ ticketId: string; reason: UnreadableTicket['reason']; openedAt: number; savedAt: number; customerName: string | null }> {
    const db = this.db();
    return this.unrestored.map((entry) => {
      const row = db.prepare('SELECT first_name AS firstName, last_name AS lastName FROM customers WHERE id = ?').get(entry.customerId) as
        | { firstName: string; lastName: string }
        | undefined;
      return { ticketId: entry.ticketId, reason: entry.reason, openedAt: entry.openedAt, savedAt: entry.savedAt, customerName: row ? `${row.firstName} ${row.lastName}` : null };
    });
  }

  /** Staff have seen that a saved ticket could not be brought back: delete it, in the audit log. */
  dismissUnrestored(actor: Employee, ticketId: string): void {
    const entry = this.unrestored.find((item) => item.ticketId === ticketId);
    if (!entry) throw new CoreError('not_found', 'That notice was already dismissed.');
    const db = this.db();
    const now = this.deps.clock();
    db.transaction(() => {
      const row = savedTicketRow(db, ticketId);
      deleteSavedTicket(db, ticketId);
      appendAudit(db, { employeeId: actor.id, action: 'checkout.ticket.unrestored_dismissed', customerId: row ? entry.customerId : null, details: { ticketId, reason: entry.reason, problem: entry.problem, savedAt: row?.savedAt ?? null } }, now);
    }).immediate();
    this.unrestored = this.unrestored.filter((item) => item.ticketId !== ticketId);
  }

  /**
   * Make a change to an open ticket and save it. If the save fails (a full or read-only disk), the
   * ticket goes back to how it was and the change is refused: what is on screen is what is on disk.
   */
  protected changeTicket<T>(ticket: OpenTicket, change: () => T): T {
    const before = structuredClone(toSaved(ticket));
    const beforeContext = ticket.context;
    const undo = () => Object.assign(ticket, fromSaved(before), { context: beforeContext });
    let result: T;
    try {
      result = change();
    } catch (error) {
      undo();
      throw error;
    }
    if (!this.tickets.has(ticket.id)) return result;
    try {
      saveTicket(this.db(), ticket, this.deps.clock());
    } catch (error) {
      undo();
      throw this.notSaved(error, 'this change to the ticket', 'The ticket is as it was before the change.');
    }
    return result;
  }

  /** The error for a ticket the disk (or anything else) would not save: logged, and what to do. */
  private notSaved(error: unknown, what: string, after: string): CoreError {
    this.log('error', `${what} could not be saved`, { code: (error as { code?: unknown } | null)?.code, error: error instanceof Error ? error.message : String(error) });
    const message = cannotSaveMessage(what, error);
    if (message) return new CoreError('cannot_save', `${message} ${after}`);
    return new CoreError('internal', `The register could not save ${what}, so it was not made. ${after} It was logged; try again, and call support if it repeats.`);
  }

  private log(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void {
    this.deps.logger?.log(level, message, fields);
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
  openTicket(actor: Employee, input: { saleCommandId: string; customerId: string; patient?: PatientChoice; queueEntryId?: string }): OpenTicket {
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
      manualAllotment: null,
      context: null,
      blocked: null,
      redeemPoints: 0,
      restoredAt: null,
      conversionApproval: null,
    };
    if (customer.customerType === 'caregiver') {
      const own = ticket.patients.some((p) => p.self === true);
      ticket.blocked = own ? 'Choose who this caregiver is buying for: themselves or one of their patients.' : 'Choose the patient this caregiver is buying for.';
      // Checked in for a patient (or for themselves): that choice opens with the ticket.
      const chosen = input.patient ?? this.patientFromCheckIn(customer.id, ticket.queueEntryId);
      const others = ticket.patients.filter((p) => p.problem === null && p.self !== true);
      if (input.patient) this.choosePatient(ticket, input.patient);
      else if (chosen) {
        try {
          this.choosePatient(ticket, chosen);
        } catch (error) {
          // The patient checked in for cannot be served now (card expired since): the ticket says why.
          ticket.blocked = error instanceof Error ? error.message : String(error);
        }
      }
      else if (others.length === 1 && !own) this.choosePatient(ticket, { kind: others[0]!.kind, id: others[0]!.id });
      // No patient on file yet: the register adds one (the + in the patient choice), then chooses them.
      if (ticket.patients.length === 0) ticket.blocked = `Add the patient ${customer.firstName} ${customer.lastName} is buying for (+ Add patient).`;
    } else {
      this.rebuildContext(ticket);
    }
    try {
      saveTicket(this.db(), ticket, now);
    } catch (error) {
      throw this.notSaved(error, 'the new ticket', 'Open the customer again once it is fixed.');
    }
    this.tickets.set(ticket.id, ticket);
    return ticket;
  }

  /** The patient a caregiver was checked in for (a record on their profile, or a customer), or themselves (medical or adult use). */
  private patientFromCheckIn(customerId: string, queueEntryId: string | null): PatientChoice | null {
    if (!queueEntryId) return null;
    try {
      const entry = this.db()
        .prepare(
          'SELECT checked_in_as AS checkedInAs, caregiver_patient_id AS patientId, patient_customer_id AS patientCustomerId FROM queue_entries WHERE id = ? AND customer_id = ?',
        )
        .get(queueEntryId, customerId) as { checkedInAs: string; patientId: string | null; patientCustomerId: string | null } | undefined;
      if (entry?.patientId) return { kind: 'caregiver_patient', id: entry.patientId };
      if (entry?.patientCustomerId) return { kind: 'customer', id: entry.patientCustomerId };
      if (entry?.checkedInAs === 'medical') return { kind: 'customer', id: customerId };
      if (entry?.checkedInAs === 'adult_use') return { kind: 'customer', id: customerId, as: 'adult_use' };
      return null;
    } catch {
      return null; // no queue on this register
    }
  }

  setPatient(ticketId: string, patient: PatientChoice): OpenTicket {
    const ticket = this.ticket(ticketId);
    if (ticket.customer.customerType !== 'caregiver') throw new CoreError('conflict', 'Only a caregiver buys for a patient.');
    if (ticket.lines.length > 0 && ticket.patient && (ticket.patient.id !== patient.id || ticket.patient.kind !== patient.kind || (ticket.patient.as ?? 'medical') !== (patient.as ?? 'medical'))) {
      throw new CoreError('conflict', 'Remove the lines first: they were checked against the other patient\'s allotment.');
    }
    // A patient added at the register since the ticket opened is on the list now (with what stops
    // them, if anything), even when choosing them is refused.
    if (!ticket.patients.some((option) => option.kind === patient.kind && option.id === patient.id)) {
      this.changeTicket(ticket, () => {
        ticket.patients = this.patientsOf(ticket.customer, this.businessDate(this.deps.clock()));
      });
    }
    this.changeTicket(ticket, () => this.choosePatient(ticket, patient));
    return ticket;
  }

  addProduct(
    actor: Employee,
    ticketId: string,
    product: CatalogProduct,
    quantity: number,
    limitOverrideGrantId?: string,
    approvalReason?: string,
  ): { ticket: OpenTicket; refusal: RefusalView | null } {
    const ticket = this.ticket(ticketId);
    const context = this.contextOf(ticket);
    if (!context) return { ticket, refusal: { code: 'needs_patient', message: ticket.blocked ?? 'Choose the patient first.', overridable: false } };
    const unsettled = this.allotmentBlock(ticket);
    if (unsettled) return { ticket, refusal: { code: 'needs_allotment', message: unsettled, overridable: false } };
    // The same product without its own discount or override joins its line.
    const same = ticket.lines.find((line) => line.product.id === product.id && line.discount === null && line.limitOverride === null);
    const candidate: TicketLine[] = same
      ? ticket.lines.map((line) => (line === same ? { ...line, product, quantity: line.quantity + quantity } : line))
      : [...ticket.lines, { lineId: newId(this.deps.clock()), product, quantity, discount: null, limitOverride: null }];
    const changedId = same ? same.lineId : candidate[candidate.length - 1]!.lineId;
    return this.applyChange(actor, ticket, candidate, changedId, context, limitOverrideGrantId, approvalReason);
  }

  setQuantity(
    actor: Employee,
    ticketId: string,
    lineId: string,
    quantity: number,
    limitOverrideGrantId?: string,
    approvalReason?: string,
  ): { ticket: OpenTicket; refusal: RefusalView | null } {
    const ticket = this.ticket(ticketId);
    const context = this.contextOf(ticket)!;
    const line = this.line(ticket, lineId);
    const product = this.productById(line.product.id) ?? line.product;
    const candidate = ticket.lines.map((entry) => (entry === line ? { ...entry, product, quantity } : entry));
    return this.applyChange(actor, ticket, candidate, lineId, context, limitOverrideGrantId, approvalReason);
  }

  removeLine(ticketId: string, lineId: string): OpenTicket {
    const ticket = this.ticket(ticketId);
    this.line(ticket, lineId);
    this.changeTicket(ticket, () => (ticket.lines = ticket.lines.filter((line) => line.lineId !== lineId)));
    return ticket;
  }

  discountLine(actor: Employee, ticketId: string, lineId: string, discount: LineDiscount | { kind: 'none' }, reason: string, grantId?: string): OpenTicket {
    const ticket = this.ticket(ticketId);
    const line = this.line(ticket, lineId);
    if (discount.kind === 'none') {
      this.changeTicket(ticket, () => (ticket.lines = ticket.lines.map((entry) => (entry === line ? { ...entry, discount: null } : entry))));
      return ticket;
    }
    const approver = this.approver(actor, grantId, DISCOUNT_ACTION);
    this.changeTicket(ticket, () => (ticket.lines = ticket.lines.map((entry) => (entry === line ? { ...entry, discount: { ...discount, reason, approvedBy: approver.id } } : entry))));
    return ticket;
  }

  discard(ticketId: string): void {
    this.ticket(ticketId);
    deleteSavedTicket(this.db(), ticketId);
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
    this.changeTicket(ticket, () => (ticket.redeemPoints = points));
    return ticket;
  }

  /**
   * The ticket priced with the rewards points chosen: the discount is shared across the lines
   * before tax. Points the ticket no longer allows (a line removed) shrink to what it allows.
   */
  protected priceWithRewards(ticket: OpenTicket, lines: TicketLine[], context: PricingContext) {
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
        taxes: (price?.taxes ?? []).map((tax) => ({ taxId: tax.taxId, label: tax.label, ratePpm: tax.ratePpm, cents: tax.cents })),
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
      queueEntryId: ticket.queueEntryId,
      allotmentEntry: context ? this.allotmentEntry(ticket) : null,
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
      rounding: roundingLine(rules.taxes.rounding),
      sellWhileTraceDown: sellsWhileTraceDown(this.db(), rules),
      restoredAt: ticket.restoredAt,
    };
  }

  protected applyChange(
    actor: Employee,
    ticket: OpenTicket,
    candidate: TicketLine[],
    changedId: string,
    context: PricingContext,
    limitOverrideGrantId: string | undefined,
    approvalReason?: string,
  ): { ticket: OpenTicket; refusal: RefusalView | null } {
    const options = { conversionApproved: ticket.conversionApproval !== null };
    let refusal: Refusal | null = checkTicket(candidate, changedId, context, options);
    let conversionApproval = ticket.conversionApproval;
    if (refusal?.code === 'needs_approval' && (limitOverrideGrantId || approvalReason)) {
      const reason = approvalReason?.trim() ?? '';
      if (reason.length < 3) return { ticket, refusal: { ...refusal, message: `Say why the manager approves: ${refusal.message}` } };
      const approver = this.approver(actor, limitOverrideGrantId, CONVERSION_APPROVAL_ACTION);
      conversionApproval = { approvedBy: approver.id, approverName: approver.name, reason, at: this.deps.clock() };
      refusal = checkTicket(candidate, changedId, context, { conversionApproved: true });
    }
    if (refusal?.code === 'over_limit' && refusal.overridable && limitOverrideGrantId) {
      const approver = this.approver(actor, limitOverrideGrantId, LIMIT_OVERRIDE_ACTION);
      const limitId = refusal.limitId!;
      candidate = candidate.map((line) =>
        line.lineId === changedId ? { ...line, limitOverride: { limitIds: [...new Set([...(line.limitOverride?.limitIds ?? []), limitId])], approvedBy: approver.id } } : line,
      );
      refusal = checkTicket(candidate, changedId, context, { conversionApproved: conversionApproval !== null });
    }
    if (refusal) return { ticket, refusal };
    this.changeTicket(ticket, () => {
      ticket.lines = candidate;
      if (conversionApproval && !ticket.conversionApproval) {
        ticket.notices = [...ticket.notices, `${conversionApproval.approverName} approved this sale: ${conversionApproval.reason}`];
      }
      ticket.conversionApproval = conversionApproval;
    });
    return { ticket, refusal: null };
  }
}
