/**
 * Checkout's tables (issue 8): completed sales with their lines, taxes and tenders, the allotment
 * ledger, and returns/voids. Nothing is updated in place except a sale's status when it is voided;
 * a return or void is its own row with its lines, negative allotment uses and inventory movements
 * (the foundation's ledger), so the history adds up.
 *
 * Conventions: ids are ULIDs, money integer cents, weights milligrams, times UTC epoch ms,
 * business dates yyyy-mm-dd in the store's time zone.
 */
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';
import { customers, employees, products } from '../store/schema.js';

export const sales = sqliteTable(
  'sales',
  {
    id: text('id').primaryKey(),
    /** The commandId made when the ticket was opened: a retried completion is applied once. */
    commandId: text('command_id').notNull(),
    /** Short number printed on the receipt (per register, increasing). */
    receiptNumber: integer('receipt_number').notNull(),
    status: text('status', { enum: ['completed', 'voided'] }).notNull(),
    /** The customer at the counter (the caregiver on a caregiver sale). */
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    /** A caregiver sale: the patient, a customer (linked patient) or a caregiver_patients row. */
    patientCustomerId: text('patient_customer_id').references(() => customers.id),
    caregiverPatientId: text('caregiver_patient_id'),
    patientName: text('patient_name'),
    /** Both licence numbers are recorded on a caregiver sale. */
    patientLicence: text('patient_licence'),
    caregiverLicence: text('caregiver_licence'),
    jurisdiction: text('jurisdiction').notNull(),
    /** The rules profile whose limits and taxes applied (the patient's on a caregiver sale). */
    profileId: text('profile_id').notNull(),
    channel: text('channel', { enum: ['medical', 'adult_use'] }).notNull(),
    employeeId: text('employee_id')
      .notNull()
      .references(() => employees.id),
    grossCents: integer('gross_cents').notNull(),
    discountCents: integer('discount_cents').notNull(),
    netCents: integer('net_cents').notNull(),
    taxCents: integer('tax_cents').notNull(),
    totalCents: integer('total_cents').notNull(),
    changeCents: integer('change_cents').notNull(),
    groupDiscountLabel: text('group_discount_label'),
    businessDate: text('business_date').notNull(),
    completedAt: integer('completed_at').notNull(),
    /** The track-and-trace outbox row (medical sales), or null when none is reported. */
    traceOutboxId: text('trace_outbox_id'),
    /** The customer's queue entry this sale closed, when there was one. */
    queueEntryId: text('queue_entry_id'),
  },
  (t) => [
    uniqueIndex('sales_command').on(t.commandId),
    uniqueIndex('sales_receipt_number').on(t.receiptNumber),
    index('sales_customer').on(t.customerId, t.completedAt),
    index('sales_business_date').on(t.businessDate),
  ],
);

export const saleLines = sqliteTable(
  'sale_lines',
  {
    id: text('id').primaryKey(),
    saleId: text('sale_id')
      .notNull()
      .references(() => sales.id),
    lineNo: integer('line_no').notNull(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    /** The product as sold (name, barcode, category, price) so a receipt never changes. */
    name: text('name').notNull(),
    traceBarcode: text('trace_barcode').notNull(),
    category: text('category').notNull(),
    quantity: integer('quantity').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
    grossCents: integer('gross_cents').notNull(),
    groupDiscountCents: integer('group_discount_cents').notNull(),
    lineDiscountCents: integer('line_discount_cents').notNull(),
    discountReason: text('discount_reason'),
    discountApprovedBy: text('discount_approved_by').references(() => employees.id),
    netCents: integer('net_cents').notNull(),
    taxCents: integer('tax_cents').notNull(),
    /** Limits a manager let this line exceed (JSON array of limit ids), and who. */
    limitOverride: text('limit_override'),
    limitOverrideApprovedBy: text('limit_override_approved_by').references(() => employees.id),
  },
  (t) => [index('sale_lines_sale').on(t.saleId, t.lineNo)],
);

export const saleTaxes = sqliteTable(
  'sale_taxes',
  {
    id: text('id').primaryKey(),
    saleId: text('sale_id')
      .notNull()
      .references(() => sales.id),
    saleLineId: text('sale_line_id')
      .notNull()
      .references(() => saleLines.id),
    taxId: text('tax_id').notNull(),
    label: text('label').notNull(),
    kind: text('kind').notNull(),
    basisPoints: integer('basis_points').notNull(),
    baseCents: integer('base_cents').notNull(),
    taxCents: integer('tax_cents').notNull(),
  },
  (t) => [index('sale_taxes_sale').on(t.saleId), index('sale_taxes_line').on(t.saleLineId)],
);

export const saleTenders = sqliteTable(
  'sale_tenders',
  {
    id: text('id').primaryKey(),
    saleId: text('sale_id')
      .notNull()
      .references(() => sales.id),
    kind: text('kind', { enum: ['cash', 'debit', 'credit', 'gift_card', 'other'] }).notNull(),
    tenderedCents: integer('tendered_cents').notNull(),
    appliedCents: integer('applied_cents').notNull(),
    changeCents: integer('change_cents').notNull(),
    reference: text('reference'),
  },
  (t) => [index('sale_tenders_sale').on(t.saleId)],
);

/**
 * The allotment ledger: what each sale line counted against each limit, for whom. A return or
 * void adds negative rows. The holder is the person whose allotment it is: a customer, or a
 * caregiver's patient (caregiver_patients row).
 */
export const allotmentUses = sqliteTable(
  'allotment_uses',
  {
    id: text('id').primaryKey(),
    saleId: text('sale_id')
      .notNull()
      .references(() => sales.id),
    saleLineId: text('sale_line_id')
      .notNull()
      .references(() => saleLines.id),
    returnId: text('return_id'),
    holderKind: text('holder_kind', { enum: ['customer', 'caregiver_patient'] }).notNull(),
    holderId: text('holder_id').notNull(),
    cardId: text('card_id'),
    limitId: text('limit_id').notNull(),
    unit: text('unit', { enum: ['mg', 'mg_thc', 'plants'] }).notNull(),
    amount: integer('amount').notNull(),
    at: integer('at').notNull(),
    businessDate: text('business_date').notNull(),
  },
  (t) => [index('allotment_uses_holder').on(t.holderKind, t.holderId, t.limitId, t.at), index('allotment_uses_sale').on(t.saleId)],
);

/** A void (the whole sale, same day, manager) or a return (some lines back to inventory). */
export const saleReturns = sqliteTable(
  'sale_returns',
  {
    id: text('id').primaryKey(),
    commandId: text('command_id').notNull(),
    saleId: text('sale_id')
      .notNull()
      .references(() => sales.id),
    kind: text('kind', { enum: ['void', 'return'] }).notNull(),
    reason: text('reason').notNull(),
    employeeId: text('employee_id')
      .notNull()
      .references(() => employees.id),
    approvedBy: text('approved_by').references(() => employees.id),
    netCents: integer('net_cents').notNull(),
    taxCents: integer('tax_cents').notNull(),
    refundCents: integer('refund_cents').notNull(),
    refundTender: text('refund_tender', { enum: ['cash', 'debit', 'credit', 'gift_card', 'other'] }).notNull(),
    at: integer('at').notNull(),
    traceOutboxId: text('trace_outbox_id'),
  },
  (t) => [uniqueIndex('sale_returns_command').on(t.commandId), index('sale_returns_sale').on(t.saleId)],
);

export const saleReturnLines = sqliteTable(
  'sale_return_lines',
  {
    id: text('id').primaryKey(),
    returnId: text('return_id')
      .notNull()
      .references(() => saleReturns.id),
    saleLineId: text('sale_line_id')
      .notNull()
      .references(() => saleLines.id),
    quantity: integer('quantity').notNull(),
    netCents: integer('net_cents').notNull(),
    taxCents: integer('tax_cents').notNull(),
  },
  (t) => [index('sale_return_lines_return').on(t.returnId), index('sale_return_lines_line').on(t.saleLineId)],
);

/**
 * Allotment used per holder, per limit, per business day: SUM(amount) of allotment_uses, kept by a
 * trigger in the sale's (or return's) transaction (WITHOUT ROWID, drizzle/0013). A day's figure is
 * one row; a rolling window is its days' rows, less the part of its first day before the window.
 */
export const allotmentDaily = sqliteTable(
  'allotment_daily',
  {
    holderKind: text('holder_kind', { enum: ['customer', 'caregiver_patient'] }).notNull(),
    holderId: text('holder_id').notNull(),
    limitId: text('limit_id').notNull(),
    businessDate: text('business_date').notNull(),
    amount: integer('amount').notNull(),
  },
  (t) => [primaryKey({ columns: [t.holderKind, t.holderId, t.limitId, t.businessDate] })],
);

// Open tickets saved as they change (issue 13): their own table, in their own file.
export { openTickets } from './ticket-schema.js';
