/**
 * The register's schema (drizzle). Migrations in /drizzle are generated from this file with
 * `npm run db:generate`; never edit a generated migration by hand.
 *
 * Conventions: ids are ULIDs made on the register; money in integer cents; weights in
 * milligrams; times in UTC epoch milliseconds.
 */
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Key/value settings of this register (store name, jurisdiction, time zone...). JSON values. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const employees = sqliteTable(
  'employees',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role', { enum: ['budtender', 'manager', 'admin'] }).notNull(),
    /** scrypt$N$r$p$salt$hash: never the PIN itself. */
    pinHash: text('pin_hash').notNull(),
    failedPinAttempts: integer('failed_pin_attempts').notNull().default(0),
    lockedUntil: integer('locked_until'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull(),
    /** JSON array of permissions when an admin changed them for this employee; null: the role's. */
    permissions: text('permissions'),
    /** The PIN was given by an admin (new employee, reset): the employee chooses their own at the next login. */
    pinMustChange: integer('pin_must_change', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('employees_active').on(t.active)],
);

export const customers = sqliteTable(
  'customers',
  {
    id: text('id').primaryKey(),
    customerType: text('customer_type', {
      enum: ['adult_use', 'medical', 'medical_recommendation', 'caregiver'],
    }).notNull(),
    firstName: text('first_name').notNull(),
    middleName: text('middle_name'),
    lastName: text('last_name').notNull(),
    dateOfBirth: text('date_of_birth').notNull(), // yyyy-mm-dd: a calendar date, not an instant
    identificationExpires: text('identification_expires'),
    medicalId: text('medical_id'),
    medicalIdExpires: text('medical_id_expires'),
    caregiverId: text('caregiver_id'),
    caregiverIdExpires: text('caregiver_id_expires'),
    phone: text('phone'),
    email: text('email'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  // No index on medical_id: duplicate checks, import and search read search_medical_id (drizzle/0026).
  (t) => [index('customers_last_first').on(t.lastName, t.firstName)],
);

export const products = sqliteTable(
  'products',
  {
    id: text('id').primaryKey(),
    /** BioTrack barcode id: 16 digits. */
    traceBarcode: text('trace_barcode').notNull(),
    upc: text('upc'),
    name: text('name').notNull(),
    category: text('category').notNull(),
    unitWeightMg: integer('unit_weight_mg').notNull(),
    usableWeightMg: integer('usable_weight_mg').notNull(),
    /** THC as milligrams per unit (edibles) or as hundredths of a percent (flower): see thcUnit. */
    thcValue: integer('thc_value').notNull(),
    thcUnit: text('thc_unit', { enum: ['mg', 'pct_x100'] }).notNull(),
    priceCents: integer('price_cents').notNull(),
    soldMedical: integer('sold_medical', { mode: 'boolean' }).notNull(),
    soldAdultUse: integer('sold_adult_use', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
    /** Set when the product leaves the catalogue (never deleted: sales name it). */
    archivedAt: integer('archived_at'),
    updatedAt: integer('updated_at'),
  },
  (t) => [uniqueIndex('products_trace_barcode').on(t.traceBarcode), index('products_upc').on(t.upc)],
);

/**
 * Inventory is a ledger of movements; quantity on hand is their sum. Receipts and adjustments are
 * rows here; a sale's line is its own movement out and a return's line its movement back
 * (sale_lines, sale_return_lines: the same quantities, not written twice, drizzle/0017).
 * stock_on_hand keeps the sum per product, updated by triggers in the same transaction as every
 * movement: `npm run verify:balances` rebuilds it from the three ledgers and compares.
 */
export const inventoryMovements = sqliteTable(
  'inventory_movements',
  {
  /** Integer key (drizzle/0017): a movement never crosses the register's boundary by its id. */
  id: integer('id').primaryKey(),
  productId: text('product_id')
    .notNull()
    .references(() => products.id),
  quantityDelta: integer('quantity_delta').notNull(),
  reason: text('reason', { enum: ['receive', 'sale', 'void', 'adjust'] }).notNull(),
  referenceId: text('reference_id'),
  employeeId: text('employee_id').references(() => employees.id),
  at: integer('at').notNull(),
  },
  // Stock on hand is read from stock_on_hand, never summed on a sale's path. The one index serves
  // Products › stock history (one product's movements, newest first: main/catalogue/stock.ts).
  (t) => [index('inventory_movements_product_at').on(t.productId, t.at)],
);

/**
 * Append-only, hash-chained event history. Triggers forbid UPDATE, and DELETE except of an event
 * whose identical copy is already in audit_events_archive (old events move there: main/audit/archive.ts).
 */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull(),
    at: integer('at').notNull(),
    employeeId: text('employee_id'),
    action: text('action').notNull(),
    customerId: text('customer_id'),
    saleId: text('sale_id'),
    details: text('details').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  // Only the customer's history reads events by anything but seq: every other index would be
  // written on every audited write for nothing.
  (t) => [index('audit_events_customer').on(t.customerId)],
);

/**
 * Audit events moved out of the hot table (main/audit/archive.ts): the oldest part of the same
 * chain, with the same columns. audit:verify walks this table, then audit_events, as one chain.
 * Triggers refuse UPDATE and DELETE here; audit_events refuses a DELETE unless this table holds
 * the identical row.
 */
export const auditEventsArchive = sqliteTable(
  'audit_events_archive',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull(),
    at: integer('at').notNull(),
    employeeId: text('employee_id'),
    action: text('action').notNull(),
    customerId: text('customer_id'),
    saleId: text('sale_id'),
    details: text('details').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  // A customer's history reads their archived events too.
  (t) => [index('audit_events_archive_customer').on(t.customerId)],
);

/** Ids of commands already applied: a command sent twice is applied once. */
export const appliedCommands = sqliteTable('applied_commands', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  result: text('result').notNull(),
  appliedAt: integer('applied_at').notNull(),
});

/** Running stock per product: SUM(quantity_delta) of its movements, kept by a trigger (WITHOUT ROWID, drizzle/0013). */
export const stockOnHand = sqliteTable('stock_on_hand', {
  productId: text('product_id')
    .primaryKey()
    .references(() => products.id),
  quantity: integer('quantity').notNull(),
});
