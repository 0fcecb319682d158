/**
 * Checkout's tables (issue 8): completed sales with their lines, taxes and tenders, the allotment
 * ledger, and returns/voids. Nothing is updated in place except a sale's status when it is voided;
 * a return or void is its own row with its lines, negative allotment uses and inventory movements
 * (the foundation's ledger), so the history adds up.
 *
 * Keys (issue 12, drizzle/0017): a sale's ULID crosses the boundary (receipts, outbox, audit);
 * inside, its rows hang off the integer receipt number and integer line ids, and a product as sold
 * and a tax rate are stored once and referenced. Every index has a query that needs it.
 *
 * Conventions: ids are ULIDs (or integer keys inside), money integer cents, weights milligrams, times UTC epoch ms,
 * business dates yyyy-mm-dd in the store's time zone.
 */
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';
import { customers, employees, products } from '../store/schema.js';

export const sales = sqliteTable(
  'sales',
  {
    /** Short number printed on the receipt (per register, increasing): the table's integer key, which every child row uses. */
    receiptNumber: integer('receipt_number').primaryKey(),
    /** The sale's ULID: the id that crosses the register's boundary (receipts, outbox, audit, rewards). */
    id: text('id').notNull(),
    /** The commandId made when the ticket was opened (applied_commands keeps a retried completion to once). */
    commandId: text('command_id').notNull(),
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
  // Only the ULID is looked up (receipts, voids, returns); the recent list walks the integer key.
  (t) => [uniqueIndex('sales_id').on(t.id)],
);

/**
 * A product as it was sold (name, barcode, category, price), shared by every line that sold it
 * that way, so a receipt never changes when the catalog does and a line stores one integer.
 */
export const productVersions = sqliteTable(
  'product_versions',
  {
    id: integer('id').primaryKey(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    name: text('name').notNull(),
    traceBarcode: text('trace_barcode').notNull(),
    category: text('category').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
  },
  // The sale looks its product's version up before it writes a line.
  (t) => [uniqueIndex('product_versions_all').on(t.productId, t.name, t.traceBarcode, t.category, t.unitPriceCents)],
);

export const saleLines = sqliteTable(
  'sale_lines',
  {
    /** Integer key; the receipt shows it as the line's id (saleLineId) for returns. */
    id: integer('id').primaryKey(),
    saleNo: integer('sale_no')
      .notNull()
      .references(() => sales.receiptNumber),
    lineNo: integer('line_no').notNull(),
    productVersionId: integer('product_version_id')
      .notNull()
      .references(() => productVersions.id),
    quantity: integer('quantity').notNull(),
    grossCents: integer('gross_cents').notNull(),
    groupDiscountCents: integer('group_discount_cents').notNull(),
    lineDiscountCents: integer('line_discount_cents').notNull(),
    rewardsDiscountCents: integer('rewards_discount_cents').notNull().default(0),
    discountReason: text('discount_reason'),
    discountApprovedBy: text('discount_approved_by').references(() => employees.id),
    netCents: integer('net_cents').notNull(),
    taxCents: integer('tax_cents').notNull(),
    /** Limits a manager let this line exceed (JSON array of limit ids), and who. */
    limitOverride: text('limit_override'),
    limitOverrideApprovedBy: text('limit_override_approved_by').references(() => employees.id),
    /** What this line counted against each limit (JSON {"limitId": amount}): a return gives it back. */
    allotmentCounts: text('allotment_counts'),
  },
  (t) => [index('sale_lines_sale').on(t.saleNo, t.lineNo)],
);

/** A tax as charged (its id, label, kind and rate), shared by every line taxed at it. */
export const taxRates = sqliteTable(
  'tax_rates',
  {
    id: integer('id').primaryKey(),
    taxId: text('tax_id').notNull(),
    label: text('label').notNull(),
    kind: text('kind').notNull(),
    /** Parts per million of the line's net price: 86_250 = 8.625% (migration 0025 converted basis points). */
    ratePpm: integer('rate_ppm').notNull(),
  },
  // The sale looks each rate up before it writes a line's taxes.
  (t) => [uniqueIndex('tax_rates_all').on(t.taxId, t.label, t.kind, t.ratePpm)],
);

/** Each line's taxes, in order (WITHOUT ROWID in drizzle/0017: one b-tree keyed by line and position). */
export const saleTaxes = sqliteTable(
  'sale_taxes',
  {
    saleLineId: integer('sale_line_id')
      .notNull()
      .references(() => saleLines.id),
    position: integer('position').notNull(),
    rateId: integer('rate_id')
      .notNull()
      .references(() => taxRates.id),
    baseCents: integer('base_cents').notNull(),
    taxCents: integer('tax_cents').notNull(),
  },
  (t) => [primaryKey({ columns: [t.saleLineId, t.position] })],
);

/** The sale's tenders, in order (WITHOUT ROWID in drizzle/0017: keyed by sale and position). */
export const saleTenders = sqliteTable(
  'sale_tenders',
  {
    saleNo: integer('sale_no')
      .notNull()
      .references(() => sales.receiptNumber),
    position: integer('position').notNull(),
    kind: text('kind', { enum: ['cash', 'debit', 'credit', 'gift_card', 'other'] }).notNull(),
    tenderedCents: integer('tendered_cents').notNull(),
    appliedCents: integer('applied_cents').notNull(),
    changeCents: integer('change_cents').notNull(),
    reference: text('reference'),
  },
  (t) => [primaryKey({ columns: [t.saleNo, t.position] })],
);

/**
 * The allotment ledger: what each sale (or return) counted against each limit, for whom: one row
 * per sale and limit (the lines' shares are on sale_lines.allotment_counts). A return or void adds
 * negative rows. The holder is the person whose allotment it is: a customer, or a caregiver's
 * patient (caregiver_patients row).
 */
export const allotmentUses = sqliteTable(
  'allotment_uses',
  {
    id: integer('id').primaryKey(),
    saleNo: integer('sale_no')
      .notNull()
      .references(() => sales.receiptNumber),
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
  // holder: the meter's window and the state figure's unreported part; sale: a return's holder and unit.
  (t) => [index('allotment_uses_holder').on(t.holderKind, t.holderId, t.limitId, t.at), index('allotment_uses_sale').on(t.saleNo)],
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
    id: integer('id').primaryKey(),
    returnId: text('return_id')
      .notNull()
      .references(() => saleReturns.id),
    saleLineId: integer('sale_line_id')
      .notNull()
      .references(() => saleLines.id),
    quantity: integer('quantity').notNull(),
    netCents: integer('net_cents').notNull(),
    taxCents: integer('tax_cents').notNull(),
  },
  // A receipt reads what was returned of each of its lines.
  (t) => [index('sale_return_lines_line').on(t.saleLineId)],
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
