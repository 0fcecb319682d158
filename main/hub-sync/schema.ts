/**
 * The register's side of the store hub (research/hub.md §6.2): its hub outbox, the paired hub,
 * and the allotment grants it holds.
 *
 * hub_outbox: every local change the hub must learn (a check-in, a customer edit, a PIN change, a
 * stock movement, a rewards entry, a sale) is a command written in the SAME transaction as the
 * change, with its own ULID and a per-device sequence number without gaps. A row stays until the
 * hub acknowledged it AND a hub backup holds it (research §6.4: "prune by acked and backed-up"),
 * so a hub restored from an older backup gets it again.
 *
 * hub_sync: one row (id 1) while this station is paired: the hub's address and pinned certificate
 * fingerprint, the device token (sealed like other secrets), the hub epoch it last synced with and
 * the last change version it applied.
 */
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const HUB_OUTBOX_STATES = ['pending', 'applied', 'rejected'] as const;

export const hubOutbox = sqliteTable(
  'hub_outbox',
  {
    /** The command's ULID: the hub applies it once however often it is sent. */
    commandId: text('command_id').primaryKey(),
    /** 1, 2, 3… per device, no gaps: the hub applies this device's commands in this order. */
    deviceSeq: integer('device_seq').notNull(),
    kind: text('kind').notNull(),
    /** The command's payload (JSON), frozen when the change was made. */
    payload: text('payload').notNull(),
    state: text('state', { enum: HUB_OUTBOX_STATES }).notNull(),
    /** What the hub answered (JSON), or its reason for a rejection. */
    result: text('result'),
    /** The hub epoch that acknowledged it: a new epoch (a restored hub) may need it again. */
    ackedEpoch: text('acked_epoch'),
    ackedAt: integer('acked_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('hub_outbox_seq').on(t.deviceSeq), index('hub_outbox_state').on(t.state, t.deviceSeq)],
);

export const hubSync = sqliteTable('hub_sync', {
  /** Always 1: one hub per station. */
  id: integer('id').primaryKey(),
  /** host:port the station reaches the hub at (the last good one). */
  address: text('address').notNull(),
  hubId: text('hub_id').notNull(),
  /** sha256 of the hub's certificate, pinned at pairing ("AB:CD:…"). */
  fingerprint: text('fingerprint').notNull(),
  deviceId: text('device_id').notNull(),
  deviceName: text('device_name').notNull(),
  role: text('role', { enum: ['register', 'intake'] }).notNull(),
  /** The device token, sealed by the register's SecretBox (never stored in the clear). */
  tokenSealed: text('token_sealed').notNull(),
  /** The hub epoch this station last synced with; another one means a restored hub. */
  hubEpoch: text('hub_epoch').notNull(),
  /** The last change version applied from the hub. */
  lastVersion: integer('last_version').notNull().default(0),
  /** The last device_seq handed to a command (the next command gets lastSeq + 1). */
  lastSeq: integer('last_seq').notNull().default(0),
  /** Hub clock minus this station's clock, smoothed (ms). */
  clockOffsetMs: integer('clock_offset_ms').notNull().default(0),
  pairedAt: integer('paired_at').notNull(),
  /** Last time the hub answered. */
  lastContactAt: integer('last_contact_at'),
  /** Set when the hub stopped answering; cleared when it answers again (the banner's time). */
  offlineSince: integer('offline_since'),
});

/** Allotment grants this register holds from the hub (escrow, research §4.2): only the holder sells medical. */
export const hubGrants = sqliteTable(
  'hub_grants',
  {
    grantId: text('grant_id').primaryKey(),
    customerId: text('customer_id').notNull(),
    entryId: text('entry_id'),
    status: text('status', { enum: ['open', 'returned', 'revoked'] }).notNull(),
    /** JSON [{limitId, unit, amount}] granted by the hub. */
    granted: text('granted').notNull(),
    /** JSON [{limitId, unit, amount}] sold under it so far. */
    used: text('used').notNull(),
    leaseEpoch: integer('lease_epoch'),
    grantedAt: integer('granted_at').notNull(),
    closedAt: integer('closed_at'),
  },
  (t) => [index('hub_grants_customer').on(t.customerId, t.status)],
);

/** Who serves a queue entry, as the hub says (its lease, on the hub's clock). */
export const hubQueueClaims = sqliteTable('hub_queue_claims', {
  entryId: text('entry_id').primaryKey(),
  deviceId: text('device_id').notNull(),
  deviceName: text('device_name').notNull(),
  leaseUntil: integer('lease_until').notNull(),
  leaseEpoch: integer('lease_epoch').notNull(),
});

/**
 * Rows the hub sends that have no table of their own on a register: customer conflicts and merges
 * for a manager to see, other devices' grants, the devices list (JSON as the hub sent it).
 */
export const hubRecords = sqliteTable(
  'hub_records',
  {
    entity: text('entity').notNull(),
    id: text('id').notNull(),
    data: text('data').notNull(),
    version: integer('version').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [uniqueIndex('hub_records_entity_id').on(t.entity, t.id)],
);
