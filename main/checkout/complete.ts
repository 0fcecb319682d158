/** Checkout: completing a sale, in one immediate transaction keyed by the ticket's commandId. */
import type { Employee } from '../../preload/api.js';
import { applyCommand, appliedCommandResult } from '../core/commands.js';
import { captureSale } from '../hub-sync/capture.js';
import { sellsWhileTraceDown } from '../compliance/trace-down.js';
import { CoreError } from '../core/errors.js';
import { cannotSaveMessage } from '../store/errors.js';
import { newId } from '../store/ids.js';
import { earnPoints, redeemPoints } from '../rewards/index.js';
import { applyTenders, checkTicket, type TenderInput } from './engine.js';
import { type OpenTicket } from './types.js';
import { deleteSavedTicket } from './ticket-store.js';
import { CheckoutTickets } from './tickets.js';

export abstract class CheckoutCompletion extends CheckoutTickets {
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
    let outcome: { result: { saleId: string }; replayed: boolean };
    try {
      outcome = db
        .transaction(() =>
          applyCommand(
            db,
            { commandId: input.commandId, name: 'checkout.sale.complete', actorId: actor.id },
            () => {
              const written = this.writeSale(actor, ticket, input.tenders, now);
              // The saved ticket goes with the sale, in its transaction: a crash never brings a sold ticket back.
              deleteSavedTicket(db, ticket.id);
              return written;
            },
            now,
          ),
        )
        .immediate();
    } catch (error) {
      // The disk refused the sale (full, read-only, failing): the transaction rolled back whole and the ticket stays open.
      const message = cannotSaveMessage('this sale', error);
      if (message) throw new CoreError('cannot_save', `${message} The ticket is still open: take the payment again once it is fixed.`);
      throw error;
    }
    this.tickets.delete(ticket.id);
    if (!outcome.replayed) {
      this.deps.till?.wake();
      this.deps.trace?.wake();
      if (ticket.queueEntryId) this.deps.queue?.changed();
    }
    return { saleId: outcome.result.saleId, replayed: outcome.replayed };
  }

  /** The patient whose allotment grant a medical sale on this ticket needs from the store hub (null: none needed). */
  hubClaimTarget(ticketId: string): { customerId: string; queueEntryId: string | null } | null {
    // A ticket already completed (a payment sent again) or closed: complete() gives the answer.
    if (!this.tickets.has(ticketId)) return null;
    const ticket = this.ticket(ticketId);
    if (!this.stateKeepsAllotment(ticket)) return null;
    const holder = this.holderOf(ticket);
    // A caregiver's patient (a customer, or one kept on the caregiver's profile) holds the allotment: the claim names them.
    return { customerId: holder.id, queueEntryId: ticket.queueEntryId };
  }

  protected writeSale(actor: Employee, ticket: OpenTicket, tenders: TenderInput[], now: number) {
    const db = this.db();
    const s = this.stmts();
    // Facts read again inside the transaction: stock and allotment used may have moved since the ticket opened.
    const lines = ticket.lines.map((line) => ({ ...line, product: this.productById(line.product.id) ?? line.product }));
    try {
      this.recheckBuyer(ticket, now);
    } catch (error) {
      if (error instanceof CoreError) throw new CoreError(error.code, `${error.message} The ticket is still open.`, error.detail);
      throw error;
    }
    this.rebuildContext(ticket);
    const context = this.contextOf(ticket);
    if (!context) throw new CoreError('conflict', ticket.blocked ?? 'Choose the patient first.');
    // At payment a limit is approved when any line holds its override: the line that pushed it
    // over was approved then, and the lines added before it did not need approval.
    const checks = { overrideScope: 'ticket', conversionApproved: ticket.conversionApproval !== null } as const;
    // Check-in reads the same: no medical sale on an allotment not found, refused, or unknown while the state system is down.
    const unsettled = this.allotmentBlock(ticket);
    if (unsettled) throw new CoreError('conflict', `${unsettled} The ticket is still open.`);
    for (const line of lines) {
      const refusal = checkTicket(lines, line.lineId, context, checks);
      if (refusal) throw new CoreError('conflict', `${refusal.message} Change the ticket, then take the payment again.`);
    }
    const { priced, redemption, eligibleCents } = this.priceWithRewards(ticket, lines, context);
    const paid = applyTenders(priced.totalCents, tenders);
    if ('error' in paid) throw new CoreError('conflict', paid.error);

    const saleId = newId(now);
    const date = context.date;
    const receiptNumber = (s.nextReceipt.get() as { next: number }).next;
    const holder = this.holderOf(ticket);
    // The store hub (issue 15): only the register holding the patient's allotment grant sells medical to them.
    const hubPolicy =
      context.channel === 'medical' && this.deps.hub
        ? this.deps.hub.decide(db, holder.id, `${ticket.customer.firstName} ${ticket.customer.lastName}`, sellsWhileTraceDown(db, this.rules()))
        : 'none';
    // A caregiver buying for themselves is a patient sale on their own card: no caregiver licence on it.
    const caregiver = this.buysForPatient(ticket);
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
    // One allotment row per limit for the whole sale; each line keeps its share for returns.
    const uses = new Map<string, { unit: string; amount: number }>();
    lines.forEach((line, index) => {
      const price = priced.lines[index]!;
      const counts: Record<string, number> = {};
      for (const count of price.counts) {
        const limit = context.profile.limits.find((entry) => entry.id === count.limitId)!;
        counts[count.limitId] = (counts[count.limitId] ?? 0) + count.amount;
        const use = uses.get(count.limitId) ?? { unit: limit.unit, amount: 0 };
        use.amount += count.amount;
        uses.set(count.limitId, use);
      }
      const saleLineId = s.insertLine.run({
        saleNo: receiptNumber,
        lineNo: index + 1,
        productVersionId: this.productVersion(line.product),
        quantity: line.quantity,
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
        allotmentCounts: price.counts.length > 0 ? JSON.stringify(counts) : null,
      }).lastInsertRowid;
      price.taxes.forEach((tax, position) => {
        s.insertTax.run(saleLineId, position + 1, this.taxRate(tax), price.netCents, tax.cents);
      });
    });
    for (const [limitId, use] of uses) {
      s.insertUse.run(receiptNumber, null, holder.kind, holder.id, holder.cardId, limitId, use.unit, use.amount, now, date);
    }
    paid.tenders.forEach((tender, position) => {
      s.insertTender.run(receiptNumber, position + 1, tender.kind, tender.tenderedCents, tender.appliedCents, tender.changeCents, tender.reference);
    });
    // The till (issue 17): the cash lands in the open drawer session and the receipt is queued, in this transaction.
    if (this.deps.till) {
      let cashCents = 0;
      for (const tender of paid.tenders) if (tender.kind === 'cash') cashCents += tender.appliedCents;
      this.deps.till.saleWritten(db, { saleId, cashCents, actorId: actor.id, at: now });
    }
    let traceOutboxId: string | null = null;
    const found = this.deps.trace?.target(db) ?? null;
    // A medical sale is reported with the patient's card; an adult-use sale where the state system records every sale (Metrc).
    const consumer = context.channel === 'adult_use' && found?.reportsAdultUse === true;
    const target = (context.channel === 'medical' && holder.cardId) || consumer ? found : null;
    if (target && this.deps.trace && (holder.cardId || consumer)) {
      traceOutboxId = this.deps.trace.enqueueDispense(
        db,
        {
          saleId,
          customerId: ticket.customer.id,
          location: target.location,
          terminalId: target.terminalId,
          saleTime: now,
          timeZone: target.timeZone,
          cardId: consumer ? null : holder.cardId,
          caregiverCardId: consumer ? null : caregiverLicence,
          lines: lines.map((line, index) => ({
            barcode: line.product.traceBarcode,
            quantity: line.quantity,
            unitPriceCents: Math.round(priced.lines[index]!.netCents / line.quantity),
          })),
        },
        now,
      ).outboxId;
      s.setOutbox.run(traceOutboxId, receiptNumber);
    }
    // The store hub (issue 15): the sale's mirror, in this transaction.
    captureSale(db, saleId, hubPolicy);
    if (ticket.queueEntryId) this.deps.queue?.markServed(actor.id, ticket.queueEntryId);
    // Rewards (issue 9): points on the sale's net (after discounts, before tax), in this transaction.
    const rewards = earnPoints(db, { customerId: ticket.customer.id, saleId, eligibleCents: priced.netCents, employeeId: actor.id, at: now });
    return {
      result: { saleId },
      audit: {
        action: 'sale.complete',
        customerId: ticket.customer.id,
        saleId,
        // What the customer's history and an audit need; the rest is on the sale's rows. Empty facts are left out.
        details: {
          receiptNumber,
          channel: context.channel,
          profile: context.profile.id,
          totalCents: priced.totalCents,
          taxCents: priced.taxCents,
          lines: lines.length,
          tenders: paid.tenders.map((tender) => ({ kind: tender.kind, cents: tender.appliedCents })),
          ...(ticket.patient ? { patient: { kind: ticket.patient.kind, id: ticket.patient.id, licence: patientLicence } } : {}),
          ...(caregiverLicence ? { caregiverLicence } : {}),
          ...(traceOutboxId ? { traceOutboxId } : {}),
          ...(ticket.queueEntryId ? { queueEntryId: ticket.queueEntryId } : {}),
          ...(rewards.points ? { rewardsPointsEarned: rewards.points } : {}),
          ...(redemption?.points ? { rewardsPointsRedeemed: redemption.points } : {}),
          ...(lines.some((line) => line.limitOverride)
            ? { limitOverrides: lines.filter((line) => line.limitOverride).map((line) => ({ lineId: line.lineId, ...line.limitOverride })) }
            : {}),
          ...(ticket.conversionApproval ? { conversionApproval: ticket.conversionApproval } : {}),
        },
      },
    };
  }

}
