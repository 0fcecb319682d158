/**
 * Checkout: the holder's purchase allotment at the register, as check-in settles it.
 *
 * When the state system keeps the holder's allotment (a medical patient), the register looks it up
 * each time a ticket opens. Found: the state's figure caps the meter. Not found or refused: the
 * allotment is 0 and nothing can be sold until the medical ID is fixed. The state system down:
 * what happens is the store's policy (main/compliance/trace-down.ts, the one check-in reads): it
 * refuses, or the budtender confirms the medical ID, accepts the two cautions and types the
 * allotment (never above the legal limit), which is audited. A queued patient whose allotment was
 * typed at check-in keeps that figure. The sale itself is refused while the allotment is unsettled.
 */
import type { Employee } from '../../preload/api.js';
import type { AllotmentEntryView } from '../../preload/contract/checkout.js';
import { appendAudit } from '../audit/log.js';
import { CoreError } from '../core/errors.js';
import { sellsWhileTraceDown } from '../compliance/trace-down.js';
import { lastKnownAllotment, normaliseCard } from '../queue/last-known.js';
import { CheckoutFacts } from './facts.js';
import { statedToMilligrams, type AllotmentAnswer, type OpenTicket } from './types.js';

const grams = (mg: number) => `${(mg / 1000).toFixed(4)} g`;

export abstract class CheckoutAllotment extends CheckoutFacts {
  /** Make a change to an open ticket and save it (./tickets.ts). */
  protected abstract changeTicket<T>(ticket: OpenTicket, change: () => T): T;

  /** Does the state system keep this ticket's holder's allotment? */
  protected stateKeepsAllotment(ticket: OpenTicket): boolean {
    return ticket.context?.profile.stateSystemIsTruth.value === true;
  }

  /** Look the holder's allotment up in the state system again and rebuild the meter. */
  async refreshAllotment(ticketId: string): Promise<OpenTicket> {
    const ticket = this.ticket(ticketId);
    if (!this.stateKeepsAllotment(ticket)) return ticket;
    const holder = this.holderOf(ticket);
    if (!holder.cardId) {
      this.changeTicket(ticket, () => (ticket.allotment = { state: 'not_found', message: 'No medical card number on the profile: add it in Customers.', fetchedAt: null }));
      return ticket;
    }
    if (!this.deps.allotments) {
      this.changeTicket(ticket, () => this.takeAllotmentAnswer(ticket, { kind: 'offline', message: 'this register has no connection to the state system set up' }, this.deps.clock()));
      return ticket;
    }
    const caregiverCardId = this.buysForPatient(ticket) ? ticket.customer.caregiverId : null;
    const answer = await this.deps.allotments.lookup({ cardId: holder.cardId, caregiverCardId });
    const now = this.deps.clock();
    if (!this.tickets.has(ticket.id)) return ticket;
    this.changeTicket(ticket, () => this.takeAllotmentAnswer(ticket, answer, now));
    return ticket;
  }

  protected takeAllotmentAnswer(ticket: OpenTicket, answer: AllotmentAnswer, now: number): void {
    const holder = this.holderOf(ticket);
    if (answer.kind === 'found') {
      const amountMg = statedToMilligrams(answer.statedAmount, answer.statedUnit, this.rules().gramsPerOunce.value);
      if (amountMg === null) {
        ticket.stateFigure = null;
        ticket.allotment = {
          state: 'refused',
          message: `The state system gave the allotment as ${answer.statedAmount} ${answer.statedUnit}, a unit the register does not know: ask a manager to check the card in the state system.`,
          fetchedAt: now,
        };
      } else {
        // The state answers again: its figure replaces one typed by hand.
        ticket.manualAllotment = null;
        ticket.stateFigure = { amountMg, fetchedAt: Math.min(now, answer.asOf ?? now) };
        ticket.allotment = { state: 'state_system', message: `State system: ${grams(amountMg)} remaining.`, fetchedAt: now };
      }
    } else if (answer.kind === 'not_found') {
      ticket.manualAllotment = null;
      ticket.stateFigure = { amountMg: 0, fetchedAt: now };
      ticket.allotment = {
        state: 'not_found',
        message: `The patient licence number ${holder.cardId ?? ''} was not found in the state system: the allotment is 0.0000 g. Fix the medical ID in the profile, then look it up again.`,
        fetchedAt: now,
      };
    } else if (answer.kind === 'refused' || answer.kind === 'unreadable') {
      ticket.manualAllotment = null;
      ticket.stateFigure = { amountMg: 0, fetchedAt: now };
      ticket.allotment = {
        state: 'refused',
        message:
          answer.kind === 'refused'
            ? `The state system refused the card: ${answer.message}`
            : `${answer.message} Ask a manager to check the card in the state system before selling.`,
        fetchedAt: now,
      };
    } else {
      const manual = ticket.manualAllotment ?? this.manualFromCheckIn(ticket);
      if (manual && holder.cardId && normaliseCard(manual.confirmedCardId) === normaliseCard(holder.cardId)) {
        ticket.manualAllotment = manual;
        ticket.stateFigure = { amountMg: manual.amountMg, fetchedAt: manual.enteredAt };
        ticket.allotment = { state: 'manual', message: manualMessage(manual.amountMg, manual.via), fetchedAt: null };
      } else {
        ticket.manualAllotment = null;
        ticket.stateFigure = null;
        ticket.allotment = { state: 'offline', message: `The state system did not answer (${answer.message}).`, fetchedAt: null };
      }
    }
    this.rebuildContext(ticket);
  }

  /** The allotment typed at check-in for this ticket's queue entry, while the state system was down. */
  private manualFromCheckIn(ticket: OpenTicket): OpenTicket['manualAllotment'] {
    if (!ticket.queueEntryId) return null;
    try {
      const row = this.db()
        .prepare(
          `SELECT q.card_id AS cardId, q.checked_in_at AS at, q.checked_in_by AS by, a.amount
             FROM queue_entries q JOIN queue_allotments a ON a.entry_id = q.id AND a.unit = 'mg'
            WHERE (q.id = ? OR q.parent_entry_id = ?) AND q.allotment_source = 'manual' AND coalesce(q.caregiver_patient_id, q.patient_customer_id, q.customer_id) = ?
            ORDER BY q.checked_in_at DESC LIMIT 1`,
        )
        .get(ticket.queueEntryId, ticket.queueEntryId, this.holderOf(ticket).id) as { cardId: string | null; at: number; by: string | null; amount: number } | undefined;
      if (!row?.cardId || !row.by) return null;
      return { amountMg: row.amount, enteredAt: row.at, enteredBy: row.by, confirmedCardId: row.cardId, via: 'check_in' };
    } catch {
      return null; // no queue on this register
    }
  }

  /**
   * The state system is down and the store sells while it is: take the allotment the budtender
   * typed after confirming the medical ID. Audited with the employee, the card and the figure.
   */
  enterManualAllotment(actor: Employee, ticketId: string, input: { confirmedCardId: string; amountMg: number }): OpenTicket {
    const ticket = this.ticket(ticketId);
    if (!this.stateKeepsAllotment(ticket)) throw new CoreError('conflict', 'This customer has no state allotment: there is nothing to type by hand.');
    if (ticket.allotment.state !== 'offline' && ticket.allotment.state !== 'manual') {
      throw new CoreError('conflict', 'The state system answered: its allotment is used, not one typed by hand. Look it up again if it went down since.');
    }
    const rules = this.rules();
    if (!sellsWhileTraceDown(this.db(), rules)) {
      throw new CoreError('conflict', 'This store does not sell to medical patients while the state system is down (Settings › Track & Trace).');
    }
    const holder = this.holderOf(ticket);
    if (!holder.cardId) throw new CoreError('conflict', `${holder.name} has no medical ID on file: add it in Customers.`);
    if (normaliseCard(input.confirmedCardId) !== normaliseCard(holder.cardId)) {
      throw new CoreError('conflict', `The medical ID typed (${input.confirmedCardId}) does not match the profile's ${holder.cardId}: check the card and the profile.`);
    }
    const ceilingMg = this.ceilingMg(ticket);
    if (input.amountMg > ceilingMg) {
      throw new CoreError('conflict', `${grams(input.amountMg)} is above the legal limit of ${grams(ceilingMg)}: type what the patient has left, at most the limit.`);
    }
    const now = this.deps.clock();
    const db = this.db();
    const lastKnown = lastKnownAllotment(db, holder.cardId, rules);
    db.transaction(() => {
      appendAudit(
        db,
        {
          employeeId: actor.id,
          action: 'checkout.manual_allotment',
          customerId: ticket.customer.id,
          details: {
            ticketId: ticket.id,
            holder: { kind: holder.kind, id: holder.id, name: holder.name },
            confirmedCardId: input.confirmedCardId,
            amountMg: input.amountMg,
            ceilingMg,
            lastKnown,
            replaced: ticket.manualAllotment ? { amountMg: ticket.manualAllotment.amountMg, via: ticket.manualAllotment.via } : null,
            offlineReason: ticket.allotment.message,
            warningsAcknowledged: true,
          },
        },
        now,
      );
      this.changeTicket(ticket, () => {
        ticket.manualAllotment = { amountMg: input.amountMg, enteredAt: now, enteredBy: actor.id, confirmedCardId: input.confirmedCardId, via: 'register' };
        ticket.stateFigure = { amountMg: input.amountMg, fetchedAt: now };
        ticket.allotment = { state: 'manual', message: manualMessage(input.amountMg, 'register'), fetchedAt: null };
        this.rebuildContext(ticket);
      });
    }).immediate();
    return ticket;
  }

  /** The legal limit on the weight the state keeps (what a figure typed by hand may not exceed). */
  protected ceilingMg(ticket: OpenTicket): number {
    return ticket.context?.profile.limits.find((limit) => limit.unit === 'mg')?.amount ?? 0;
  }

  /** Why nothing can be sold on this ticket's allotment yet, or null. */
  protected allotmentBlock(ticket: OpenTicket): string | null {
    if (!this.stateKeepsAllotment(ticket)) return null;
    const holder = this.holderOf(ticket);
    switch (ticket.allotment.state) {
      case 'checking':
        return `Still looking up ${holder.name}'s allotment in the state system: wait a moment, or press Look up again.`;
      case 'not_found':
      case 'refused':
        return ticket.allotment.message;
      case 'offline':
        return sellsWhileTraceDown(this.db(), this.rules())
          ? `The state system is down: confirm ${holder.name}'s medical ID and type the allotment by hand before selling.`
          : 'This store does not sell to medical patients while the state system is down (Settings › Track & Trace): wait until it answers, then look the allotment up again.';
      default:
        return null;
    }
  }

  protected allotmentEntry(ticket: OpenTicket): AllotmentEntryView | null {
    if (!this.stateKeepsAllotment(ticket)) return null;
    const holder = this.holderOf(ticket);
    const down = ticket.allotment.state === 'offline' || ticket.allotment.state === 'manual';
    const manual = ticket.manualAllotment;
    const enteredBy = manual
      ? ((this.db().prepare('SELECT name FROM employees WHERE id = ?').get(manual.enteredBy) as { name: string } | undefined)?.name ?? null)
      : null;
    return {
      holderName: holder.name,
      cardId: holder.cardId,
      ceilingMg: this.ceilingMg(ticket),
      stateAmountMg: ticket.allotment.state === 'state_system' ? (ticket.stateFigure?.amountMg ?? null) : null,
      lastKnown: down && holder.cardId ? lastKnownAllotment(this.db(), holder.cardId, this.rules()) : null,
      manual: manual ? { amountMg: manual.amountMg, enteredAt: manual.enteredAt, enteredByName: enteredBy, via: manual.via } : null,
      blocked: this.allotmentBlock(ticket),
    };
  }
}

function manualMessage(amountMg: number, via: 'register' | 'check_in'): string {
  return `Typed by hand while the state system is down${via === 'check_in' ? ' (at check-in)' : ''}: ${grams(amountMg)} remaining. The sale is reported when it is back.`;
}
