/**
 * The store hub's PostgreSQL schema (drizzle pg dialect; migrations in drizzle/hub/, generated with
 * drizzle.hub.config.ts). Queries go through `pg` with plain SQL; this file is the tables' truth.
 *
 * Conventions as on the register: ids are the registers' ULIDs (text), money integer cents,
 * weights mg, times UTC epoch ms (bigint, read as numbers). Rows the registers replicate keep the
 * register's own fields in `data` (jsonb) beside the columns the hub queries.
 */
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

const ms = (name: string) => bigint(name, { mode: 'number' });

/** One row: who this hub is. A restore makes a new epoch (registers resync and push again). */
export const hubMeta = pgTable('hub_meta', {
  id: integer('id').primaryKey().default(1),
  hubId: text('hub_id').notNull(),
  hubEpoch: text('hub_epoch').notNull(),
  storeName: text('store_name').notNull(),
  createdAt: ms('created_at').notNull(),
  /** The backup file this hub was restored from, and when. */
  restoredFrom: text('restored_from'),
  restoredAt: ms('restored_at'),
  /** The last version handed to the change log: updated in each writing transaction, its row lock serialises change-log commits. */
  lastVersion: ms('last_version').notNull().default(0),
});

export const devices = pgTable('devices', {
  deviceId: text('device_id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: ['register', 'intake'] }).notNull(),
  /** sha256 (hex) of the device's secret: the token itself is never stored. */
  secretHash: text('secret_hash').notNull(),
  pairedAt: ms('paired_at').notNull(),
  revokedAt: ms('revoked_at'),
  revokedReason: text('revoked_reason'),
  lastSeenAt: ms('last_seen_at'),
  /** The register's clock minus the hub's at its last hello. */
  clockOffsetMs: ms('clock_offset_ms'),
  /** Highest deviceSeq applied (commands are applied in sequence, no gaps). */
  lastSeq: integer('last_seq').notNull().default(0),
  /** Highest deviceSeq held by the latest backup. */
  backedUpSeq: integer('backed_up_seq').notNull().default(0),
  /** The register's last reported sync state (outbox, track-and-trace). */
  status: jsonb('status'),
});

export const pairingCodes = pgTable('pairing_codes', {
  id: text('id').primaryKey(),
  code: text('code').notNull(),
  createdAt: ms('created_at').notNull(),
  expiresAt: ms('expires_at').notNull(),
  usedAt: ms('used_at'),
  usedBy: text('used_by'),
});

/** The command log: each register's commands, applied once, keyed by (device, commandId), in deviceSeq order. */
export const commands = pgTable(
  'commands',
  {
    deviceId: text('device_id').notNull(),
    commandId: text('command_id').notNull(),
    deviceSeq: integer('device_seq').notNull(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    at: ms('at').notNull(),
    status: text('status', { enum: ['applied', 'rejected'] }).notNull(),
    result: jsonb('result'),
    reason: text('reason'),
    receivedAt: ms('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.commandId] }), uniqueIndex('commands_device_seq').on(t.deviceId, t.deviceSeq)],
);

/** What the registers pull, in version order (= commit order: see hub_meta.last_version). */
export const changeLog = pgTable(
  'change_log',
  {
    version: ms('version').primaryKey(),
    entity: text('entity').notNull(),
    entityId: text('entity_id').notNull(),
    op: text('op', { enum: ['upsert', 'delete'] }).notNull(),
    data: jsonb('data'),
    commandId: text('command_id'),
    deviceId: text('device_id'),
    at: ms('at').notNull(),
  },
  (t) => [index('change_log_entity').on(t.entity, t.entityId)],
);

export const customers = pgTable(
  'customers',
  {
    id: text('id').primaryKey(),
    /** Keyed hash of the ID number: two sign-ups of one person merge on it. */
    identityKey: text('identity_key'),
    data: jsonb('data').notNull(),
    /** When each field was last set ({field: epoch ms}): a later edit wins per field. */
    fieldAt: jsonb('field_at').notNull(),
    mergedInto: text('merged_into'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [index('customers_identity').on(t.identityKey)],
);

export const customerMerges = pgTable('customer_merges', {
  id: text('id').primaryKey(),
  survivorId: text('survivor_id').notNull(),
  mergedId: text('merged_id').notNull(),
  identityKey: text('identity_key').notNull(),
  commandId: text('command_id'),
  at: ms('at').notNull(),
});

/** A field edit that lost to a later one with a different value: listed for a manager. */
export const customerConflicts = pgTable('customer_conflicts', {
  id: text('id').primaryKey(),
  customerId: text('customer_id').notNull(),
  field: text('field').notNull(),
  keptValue: jsonb('kept_value'),
  keptAt: ms('kept_at').notNull(),
  lostValue: jsonb('lost_value'),
  lostAt: ms('lost_at').notNull(),
  lostDeviceId: text('lost_device_id').notNull(),
  commandId: text('command_id').notNull(),
  resolvedAt: ms('resolved_at'),
});

export const caregiverPatients = pgTable('caregiver_patients', {
  id: text('id').primaryKey(),
  caregiverId: text('caregiver_id').notNull(),
  data: jsonb('data').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

/**
 * A patient customer linked to a caregiver customer (a caregiver may buy for them). A removal keeps
 * the row (`removed_at`): a removal wins over an older add and loses to a newer re-add, by
 * `changed_at`, the time of the latest add or removal that counted.
 */
export const customerCaregivers = pgTable(
  'customer_caregivers',
  {
    patientId: text('patient_id').notNull(),
    caregiverId: text('caregiver_id').notNull(),
    addedAt: ms('added_at').notNull(),
    removedAt: ms('removed_at'),
    changedAt: ms('changed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.patientId, t.caregiverId] }), index('customer_caregivers_caregiver').on(t.caregiverId)],
);

export const customerDocuments = pgTable('customer_documents', {
  id: text('id').primaryKey(),
  customerId: text('customer_id').notNull(),
  sha256: text('sha256').notNull(),
  data: jsonb('data').notNull(),
});

export const queueEntries = pgTable(
  'queue_entries',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    checkedInAs: text('checked_in_as').notNull(),
    parentEntryId: text('parent_entry_id'),
    position: integer('position').notNull(),
    checkedInAt: ms('checked_in_at').notNull(),
    data: jsonb('data').notNull(),
    claimedBy: text('claimed_by'),
    leaseUntil: ms('lease_until'),
    /** Fencing token: raised whenever another device takes the entry. */
    leaseEpoch: integer('lease_epoch').notNull().default(0),
    removedAt: ms('removed_at'),
    removedReason: text('removed_reason'),
  },
  (t) => [index('queue_entries_open').on(t.removedAt, t.position)],
);

export const employees = pgTable('employees', {
  id: text('id').primaryKey(),
  data: jsonb('data').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const products = pgTable('products', {
  id: text('id').primaryKey(),
  data: jsonb('data').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

/** The stock ledger, a union of every register's movements keyed by their ids. */
export const stockMovements = pgTable(
  'stock_movements',
  {
    id: text('id').primaryKey(),
    productId: text('product_id').notNull(),
    quantityDelta: integer('quantity_delta').notNull(),
    reason: text('reason').notNull(),
    referenceId: text('reference_id'),
    employeeId: text('employee_id'),
    deviceId: text('device_id').notNull(),
    at: ms('at').notNull(),
  },
  (t) => [index('stock_movements_product').on(t.productId)],
);

/** Stock on hand per product: the sum of its movements, kept in the same transaction. Below zero is flagged, not refused. */
export const stockLevels = pgTable('stock_levels', {
  productId: text('product_id').primaryKey(),
  quantity: integer('quantity').notNull(),
});

export const rewardsLedger = pgTable(
  'rewards_ledger',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    kind: text('kind').notNull(),
    points: integer('points').notNull(),
    saleId: text('sale_id'),
    deviceId: text('device_id').notNull(),
    at: ms('at').notNull(),
  },
  (t) => [index('rewards_ledger_customer').on(t.customerId)],
);

export const rewardsBalances = pgTable('rewards_balances', {
  customerId: text('customer_id').primaryKey(),
  points: integer('points').notNull(),
});

export const rewardsCards = pgTable('rewards_cards', {
  id: text('id').primaryKey(),
  cardNumber: text('card_number').notNull(),
  customerId: text('customer_id').notNull(),
  data: jsonb('data').notNull(),
});

/** Every register's sales, mirrored for store-wide history and reports. */
export const sales = pgTable(
  'sales',
  {
    id: text('id').primaryKey(),
    deviceId: text('device_id').notNull(),
    receiptNumber: integer('receipt_number').notNull(),
    customerId: text('customer_id'),
    channel: text('channel').notNull(),
    status: text('status', { enum: ['completed', 'voided'] }).notNull(),
    totalCents: integer('total_cents').notNull(),
    taxCents: integer('tax_cents').notNull(),
    completedAt: ms('completed_at').notNull(),
    businessDate: text('business_date').notNull(),
    grantId: text('grant_id'),
    /** Sold without a grant under the outage policy, or against a revoked grant: a manager reviews it. */
    flagged: boolean('flagged').notNull().default(false),
    traceState: text('trace_state'),
    data: jsonb('data').notNull(),
  },
  (t) => [index('sales_business_date').on(t.businessDate), index('sales_device').on(t.deviceId, t.receiptNumber)],
);

/** The hub's view of each patient's remaining allotment per limit (derived: the state system is the authority). */
export const allotmentBalances = pgTable(
  'allotment_balances',
  {
    customerId: text('customer_id').notNull(),
    limitId: text('limit_id').notNull(),
    unit: text('unit').notNull(),
    /** Free to grant: the last snapshot minus what grants hold and what sales used since. */
    remaining: integer('remaining').notNull(),
    source: text('source').notNull(),
    snapshotAt: ms('snapshot_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.limitId] })],
);

/** Escrow: a patient's remaining allotment held by one device until it returns it or a manager revokes it. */
export const allotmentGrants = pgTable(
  'allotment_grants',
  {
    grantId: text('grant_id').primaryKey(),
    customerId: text('customer_id').notNull(),
    entryId: text('entry_id'),
    deviceId: text('device_id').notNull(),
    status: text('status', { enum: ['open', 'returned', 'revoked'] }).notNull(),
    granted: jsonb('granted').notNull(),
    /** What the holder reported used at return, or the sales mirrored against it at revoke. */
    used: jsonb('used').notNull(),
    /** Sales mirrored against this grant so far ({limitId: amount}). */
    sold: jsonb('sold').notNull(),
    grantedAt: ms('granted_at').notNull(),
    closedAt: ms('closed_at'),
    closedBy: text('closed_by'),
    reason: text('reason'),
    flagged: boolean('flagged').notNull().default(false),
  },
  (t) => [index('allotment_grants_customer').on(t.customerId, t.status)],
);

/** The hub's own append-only, hash-chained history (pairings, revokes, merges, grant revokes, restores). */
export const hubAudit = pgTable('hub_audit', {
  seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: ms('at').notNull(),
  deviceId: text('device_id'),
  employeeId: text('employee_id'),
  action: text('action').notNull(),
  details: jsonb('details').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});
