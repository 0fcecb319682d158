/** Checkout: open tickets (in memory, one register): lines, patient, discounts, rewards, the view. */
import type { Employee } from '../../preload/api.js';
import type { TicketView, RefusalView } from '../../preload/contract/checkout.js';
import { appliedCommandResult } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { newId } from '../store/ids.js';
import { rewardsQuote } from '../rewards/index.js';
import { checkTicket, priceTicket, type CatalogProduct, type LineDiscount, type PricingContext, type Refusal, type TicketLine } from './engine.js';
import { DISCOUNT_ACTION, LIMIT_OVERRIDE_ACTION, windowText, statedToMilligrams, type OpenTicket } from './types.js';
import { CheckoutFacts } from './facts.js';

export abstract class CheckoutTickets extends CheckoutFacts {
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

  protected applyChange(
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
}
