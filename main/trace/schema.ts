/**
 * Track-and-trace tables: the outbox of medical sales waiting to be reported, the log of every
 * attempt to report them, and the last allotment each patient card was seen with.
 *
 * An outbox row's state moves pending → in_flight → acknowledged | rejected | unknown |
 * needs_person (two BioTrack sales match it equally) | dismissed (a manager decided it will not
 * be reported). A row is never lost: once settled (acknowledged or dismissed) and old enough, it
 * moves with its attempts to the archive tables, which keep exactly the same columns, so the hot
 * tables the sync worker reads stay as small as the backlog.
 */
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';

export const OUTBOX_STATES = ['pending', 'in_flight', 'acknowledged', 'rejected', 'unknown', 'needs_person', 'dismissed'] as const;

const outboxColumns = () => ({
    /** ULID: rows are sent in this order, one location at a time. */
    id: text('id').primaryKey(),
    /** The state licence (BioTrack location) the sale belongs to. */
    location: text('location').notNull(),
    kind: text('kind', { enum: ['dispense', 'void', 'refund'] }).notNull(),
    /** The register's own sale id (the sales table belongs to checkout). */
    saleId: text('sale_id').notNull(),
    customerId: text('customer_id'),
    /** For a void or refund: the outbox row of the dispense whose transaction id it needs. */
    dependsOn: text('depends_on'),
    /** The provider-neutral request, frozen when the row was made and resent unchanged. */
    request: text('request').notNull(),
    /** Idempotency key sent with every attempt (BioTrack `nonce`); fixed at creation. */
    nonce: text('nonce').notNull(),
    state: text('state', { enum: OUTBOX_STATES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    lastErrorCode: text('last_error_code'),
    remoteTxnId: text('remote_txn_id'),
    /** When the last request was started (in_flight committed). */
    sentAt: integer('sent_at'),
    acknowledgedAt: integer('acknowledged_at'),
    dismissedReason: text('dismissed_reason'),
    dismissedBy: text('dismissed_by'),
    /** For the Sync screen: the sale's total and item count when it was made. */
    totalCents: integer('total_cents').notNull(),
    itemCount: integer('item_count').notNull(),
    saleTime: integer('sale_time').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /**
     * The highest BioTrack transaction id this register knew when the row was first sent: only
     * later transactions can be this sale, so reconciliation reads BioTrack's list from here
     * (the whole outage, however long), never the whole history.
     */
    watermark: text('watermark'),
    /** needs_person: the BioTrack sales that match this one equally (JSON), for a manager to choose. */
    candidates: text('candidates'),
});

export const traceOutbox = sqliteTable(
  'trace_outbox',
  outboxColumns(),
  (t) => [
    uniqueIndex('trace_outbox_nonce').on(t.nonce),
    index('trace_outbox_state').on(t.location, t.state, t.id),
    index('trace_outbox_sale').on(t.saleId),
    index('trace_outbox_remote').on(t.remoteTxnId),
  ],
);

/** Settled outbox rows, moved out of the hot table (same columns; the Sync screen reads both). */
export const traceOutboxArchive = sqliteTable('trace_outbox_archive', outboxColumns(), (t) => [
  index('trace_outbox_archive_sale').on(t.saleId),
  index('trace_outbox_archive_remote').on(t.remoteTxnId),
]);

const attemptColumns = () => ({
  id: text('id').primaryKey(),
  outboxId: text('outbox_id').notNull(),
  at: integer('at').notNull(),
  step: text('step', { enum: ['send', 'replay', 'find', 'resend', 'dismiss', 'resolve'] }).notNull(),
  outcome: text('outcome').notNull(),
  detail: text('detail'),
  durationMs: integer('duration_ms'),
  /** The nonce this attempt carried (a fresh one per attempt unless the store keeps nonces). */
  nonce: text('nonce'),
});

/** Every request the sync worker made for a row, and what came of it (never credentials). */
export const traceAttempts = sqliteTable(
  'trace_attempts',
  { ...attemptColumns(), outboxId: text('outbox_id').notNull().references(() => traceOutbox.id) },
  (t) => [index('trace_attempts_outbox').on(t.outboxId, t.at)],
);

/** The attempts of archived rows. */
export const traceAttemptsArchive = sqliteTable('trace_attempts_archive', attemptColumns(), (t) => [
  index('trace_attempts_archive_outbox').on(t.outboxId, t.at),
]);

/**
 * Rows per location and state, hot and archived together, kept by triggers on trace_outbox in
 * the same transaction as every insert and state change (the status bar never counts the outbox).
 */
export const traceOutboxCounts = sqliteTable(
  'trace_outbox_counts',
  {
    location: text('location').notNull(),
    state: text('state', { enum: OUTBOX_STATES }).notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.location, t.state] })],
);

/** Per location: the highest BioTrack transaction id acknowledged so far (new rows' watermark). */
export const traceSyncMarks = sqliteTable('trace_sync_marks', {
  location: text('location').primaryKey(),
  remoteHigh: integer('remote_high').notNull(),
});

/** The last patient lookup per card: the allotment is kept with the unit the state gave it in. */
export const tracePatientLookups = sqliteTable('trace_patient_lookups', {
  cardId: text('card_id').primaryKey(),
  status: text('status').notNull(),
  expiresOn: text('expires_on'),
  /** The amount exactly as the state sent it (a decimal string), and its unit. */
  allotmentAmount: text('allotment_amount'),
  allotmentUnit: text('allotment_unit'),
  fetchedAt: integer('fetched_at').notNull(),
});
