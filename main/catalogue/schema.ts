/**
 * The catalogue's own tables (issue 18): extra barcodes of a product, the track-and-trace packages
 * received into stock, and stock adjustments and counts. The products table and the inventory
 * ledger belong to main/store/schema.ts; a receipt or an adjustment is one ledger movement
 * (reason 'receive' / 'adjust') whose reference_id names the package or the adjustment here.
 *
 * Conventions: ids are ULIDs, times UTC epoch ms, weights mg.
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { employees, products } from '../store/schema.js';

/** Barcodes a product answers to besides its package id and UPC (a vendor's label, a shelf tag). */
export const productBarcodes = sqliteTable('product_barcodes', {
  barcode: text('barcode').primaryKey(),
  productId: text('product_id')
    .notNull()
    .references(() => products.id),
});

/**
 * A package from the state system (BioTrack inventory item, Metrc package) received into a
 * product's stock. A product sells from one package at a time: its trace_barcode is the package
 * it sells from, and a new package is received onto it only once the last one is used up.
 */
export const tracePackages = sqliteTable(
  'trace_packages',
  {
    /** The state's id: BioTrack barcode id (16 digits), Metrc package label. */
    label: text('label').primaryKey(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    provider: text('provider').notNull(),
    /** What the state called it when it was received. */
    stateName: text('state_name'),
    quantityReceived: integer('quantity_received').notNull(),
    receivedAt: integer('received_at').notNull(),
    receivedBy: text('received_by')
      .notNull()
      .references(() => employees.id),
  },
  // No index on product_id: packages are found by label, and products are archived, never deleted (drizzle/0026).
);

/** An adjustment or a count: why stock changed by hand, who did it and which manager approved. */
export const stockAdjustments = sqliteTable(
  'stock_adjustments',
  {
    id: text('id').primaryKey(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    kind: text('kind', { enum: ['adjust', 'count'] }).notNull(),
    /** Stock on hand before, the change, and (for a count) what was counted. */
    expected: integer('expected').notNull(),
    quantityDelta: integer('quantity_delta').notNull(),
    counted: integer('counted'),
    reason: text('reason').notNull(),
    note: text('note'),
    employeeId: text('employee_id')
      .notNull()
      .references(() => employees.id),
    approvedBy: text('approved_by')
      .notNull()
      .references(() => employees.id),
    at: integer('at').notNull(),
  },
  (t) => [index('stock_adjustments_product').on(t.productId, t.at)],
);
