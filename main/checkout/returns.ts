/** Checkout: receipts, the recent sales list, voids and returns. */
import type { Employee } from '../../preload/api.js';
import type { Receipt } from '../../preload/contract/checkout.js';
import { applyCommand, appliedCommandResult } from '../core/commands.js';
import { captureSaleReturn } from '../hub-sync/capture.js';
import { CoreError } from '../core/errors.js';
import { readSetting } from '../core/settings.js';
import { newId } from '../store/ids.js';
import { returnSalePoints, reverseSalePoints } from '../rewards/index.js';
import { type TenderInput } from './engine.js';
import { VOID_ACTION, RETURN_ACTION, type SaleLineRow } from './types.js';
import { CheckoutCompletion } from './complete.js';
import { roundingLine } from './receipt-words.js';

export abstract class CheckoutReturns extends CheckoutCompletion {
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
        `SELECT CAST(l.id AS TEXT) AS saleLineId, v.name, v.trace_barcode AS traceBarcode, l.quantity, v.unit_price_cents AS unitPriceCents,
                l.gross_cents AS grossCents, l.group_discount_cents + l.line_discount_cents + l.rewards_discount_cents AS discountCents, l.net_cents AS netCents,
                l.tax_cents AS taxCents,
                COALESCE((SELECT SUM(r.quantity) FROM sale_return_lines r WHERE r.sale_line_id = l.id), 0) AS returnedQuantity,
                COALESCE((SELECT SUM(r.net_cents + r.tax_cents) FROM sale_return_lines r WHERE r.sale_line_id = l.id), 0) AS returnedCents
           FROM sale_lines l JOIN product_versions v ON v.id = l.product_version_id WHERE l.sale_no = ? ORDER BY l.line_no`,
      )
      .all(sale.receiptNumber) as Array<Omit<Receipt['lines'][number], 'taxes'>>;
    const taxes = db
      .prepare(
        `SELECT CAST(t.sale_line_id AS TEXT) AS saleLineId, r.label, r.rate_ppm AS ratePpm, t.tax_cents AS cents
           FROM sale_lines l JOIN sale_taxes t ON t.sale_line_id = l.id JOIN tax_rates r ON r.id = t.rate_id WHERE l.sale_no = ? ORDER BY l.line_no, t.position`,
      )
      .all(sale.receiptNumber) as Array<{ saleLineId: string; label: string; ratePpm: number; cents: number }>;
    const taxSummary: Receipt['taxSummary'] = [];
    for (const tax of taxes) {
      const row = taxSummary.find((entry) => entry.label === tax.label);
      if (row) row.cents += tax.cents;
      else taxSummary.push({ label: tax.label, cents: tax.cents });
    }
    const tenders = db
      .prepare('SELECT kind, tendered_cents AS tenderedCents, applied_cents AS appliedCents, change_cents AS changeCents, reference FROM sale_tenders WHERE sale_no = ? ORDER BY position')
      .all(sale.receiptNumber) as Receipt['tenders'];
    const returnRows = db
      .prepare(
        `SELECT id, kind, at, refund_cents AS refundCents, refund_tender AS refundTender, reason, trace_outbox_id AS traceOutboxId
           FROM sale_returns WHERE sale_id = ? ORDER BY at, id`,
      )
      .all(saleId) as Array<Omit<Receipt['returns'][number], 'lines' | 'trace'> & { id: string; traceOutboxId: string | null }>;
    const returnLines = db
      .prepare(
        `SELECT r.return_id AS returnId, CAST(r.sale_line_id AS TEXT) AS saleLineId, v.name, v.trace_barcode AS traceBarcode, r.quantity
           FROM sale_lines l JOIN sale_return_lines r ON r.sale_line_id = l.id JOIN product_versions v ON v.id = l.product_version_id
          WHERE l.sale_no = ? ORDER BY l.line_no`,
      )
      .all(sale.receiptNumber) as Array<Receipt['returns'][number]['lines'][number] & { returnId: string }>;
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
      rounding: roundingLine(this.rules().taxes.rounding),
      lines: lines.map((line) => ({
        ...line,
        taxes: taxes.filter((tax) => tax.saleLineId === line.saleLineId).map(({ label, ratePpm, cents }) => ({ label, ratePpm, cents })),
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
           FROM sales s JOIN customers c ON c.id = s.customer_id ORDER BY s.receipt_number DESC LIMIT ?`,
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
        const lines = this.saleLines(sale.receiptNumber).map((line) => ({ ...line, returnQuantity: line.quantity }));
        const returnId = this.writeReturn(actor, approver.id, { ...input, saleNo: sale.receiptNumber, kind: 'void', refundTender: this.mainTender(sale.receiptNumber) }, lines, now);
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
        const saleLines = this.saleLines(sale.receiptNumber);
        const chosen = input.lines.map((request) => {
          const line = saleLines.find((entry) => entry.id === request.saleLineId);
          if (!line) throw new CoreError('not_found', 'That line is not on this sale: reload the receipt.');
          if (request.quantity > line.quantity - line.returned) {
            throw new CoreError('conflict', `Only ${line.quantity - line.returned} of ${line.name} can still be returned.`);
          }
          return { ...line, returnQuantity: request.quantity };
        });
        const returnedBefore = saleLines.reduce((sum, line) => sum + line.returnedNet, 0);
        const returnId = this.writeReturn(actor, approver.id, { ...input, saleNo: sale.receiptNumber, kind: 'return' }, chosen, now);
        // Rewards: the returned share of the sale's points, in this transaction.
        const refunded = db.prepare('SELECT net_cents AS net FROM sale_returns WHERE id = ?').get(returnId) as { net: number };
        returnSalePoints(db, {
          saleId: input.saleId,
          saleNetCents: saleLines.reduce((sum, line) => sum + line.netCents, 0),
          returnedBeforeCents: returnedBefore,
          returnedNowCents: refunded.net,
          reason: `Items returned from receipt #${sale.receiptNumber}: ${input.reason}`,
          employeeId: actor.id,
          approvedBy: approver.id,
          at: now,
        });
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
  protected writeReturn(
    actor: Employee,
    approvedBy: string,
    input: { commandId: string; saleId: string; saleNo: number; reason: string; kind: 'void' | 'return'; refundTender: TenderInput['kind'] },
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
    // The till (issue 17): cash paid back leaves the open drawer session in this transaction.
    if (input.refundTender === 'cash') this.deps.till?.refundWritten(db, { returnId, cashCents: net + tax, actorId: actor.id, at: now });
    const insertLine = db.prepare('INSERT INTO sale_return_lines (return_id, sale_line_id, quantity, net_cents, tax_cents) VALUES (?, ?, ?, ?, ?)');
    const holderOf = db.prepare(
      `SELECT holder_kind AS holderKind, holder_id AS holderId, card_id AS cardId, unit
         FROM allotment_uses WHERE sale_no = ? AND limit_id = ? AND return_id IS NULL LIMIT 1`,
    );
    const s = this.stmts();
    // What the returned quantities give back, per limit: one negative row per limit for the return.
    const back = new Map<string, number>();
    for (const { line, lineNet, lineTax } of rows) {
      insertLine.run(returnId, Number(line.id), line.returnQuantity, lineNet, lineTax);
      // The return line is the stock's movement back (stock_on_hand moves by its trigger, drizzle/0017).
      const counts = line.allotmentCounts ? (JSON.parse(line.allotmentCounts) as Record<string, number>) : {};
      for (const [limitId, amount] of Object.entries(counts)) {
        back.set(limitId, (back.get(limitId) ?? 0) + Math.round((amount * line.returnQuantity) / line.quantity));
      }
    }
    for (const [limitId, amount] of back) {
      const holder = holderOf.get(input.saleNo, limitId) as { holderKind: string; holderId: string; cardId: string | null; unit: string } | undefined;
      if (!holder || amount === 0) continue;
      s.insertUse.run(input.saleNo, returnId, holder.holderKind, holder.holderId, holder.cardId, limitId, holder.unit, -amount, now, date);
    }
    captureSaleReturn(db, returnId);
    return returnId;
  }

  protected mainTender(saleNo: number): TenderInput['kind'] {
    const row = this.db().prepare('SELECT kind FROM sale_tenders WHERE sale_no = ? ORDER BY applied_cents DESC LIMIT 1').get(saleNo) as { kind: TenderInput['kind'] } | undefined;
    return row?.kind ?? 'cash';
  }

  protected saleRow(saleId: string) {
    const row = this.db()
      .prepare(
        'SELECT receipt_number AS receiptNumber, status, business_date AS businessDate, customer_id AS customerId, trace_outbox_id AS traceOutboxId FROM sales WHERE id = ?',
      )
      .get(saleId) as { receiptNumber: number; status: string; businessDate: string; customerId: string; traceOutboxId: string | null } | undefined;
    if (!row) throw new CoreError('not_found', 'No such sale on this register: check the receipt number.');
    return row;
  }

  protected saleLines(saleNo: number): SaleLineRow[] {
    return this.db()
      .prepare(
        `SELECT CAST(l.id AS TEXT) AS id, v.product_id AS productId, v.name, v.trace_barcode AS traceBarcode, l.quantity, l.net_cents AS netCents,
                l.tax_cents AS taxCents, l.allotment_counts AS allotmentCounts,
                COALESCE(SUM(r.quantity), 0) AS returned, COALESCE(SUM(r.net_cents), 0) AS returnedNet, COALESCE(SUM(r.tax_cents), 0) AS returnedTax
           FROM sale_lines l JOIN product_versions v ON v.id = l.product_version_id LEFT JOIN sale_return_lines r ON r.sale_line_id = l.id
          WHERE l.sale_no = ? GROUP BY l.id ORDER BY l.line_no`,
      )
      .all(saleNo) as SaleLineRow[];
  }
}
