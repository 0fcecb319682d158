/**
 * Track-and-trace tables: the outbox of medical sales waiting to be reported, the log of every
 * attempt to report them, and the last allotment each patient card was seen with.
 *
 * An outbox row is never deleted: its state moves pending → in_flight → acknowledged | rejected |
 * unknown (and dismissed, when a manager decides a rejected sale will not be reported).
 */
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const traceOutbox = sqliteTable(
  'trace_outbox',
  {
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
    state: text('state', {
      enum: ['pending', 'in_flight', 'acknowledged', 'rejected', 'unknown', 'dismissed'],
    }).notNull(),
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
  },
  (t) => [
    uniqueIndex('trace_outbox_nonce').on(t.nonce),
    index('trace_outbox_state').on(t.location, t.state, t.id),
    index('trace_outbox_sale').on(t.saleId),
    index('trace_outbox_remote').on(t.remoteTxnId),
  ],
);

/** Every request the sync worker made for a row, and what came of it (never credentials). */
export const traceAttempts = sqliteTable(
  'trace_attempts',
  {
    id: text('id').primaryKey(),
    outboxId: text('outbox_id')
      .notNull()
      .references(() => traceOutbox.id),
    at: integer('at').notNull(),
    step: text('step', { enum: ['send', 'replay', 'find', 'resend', 'dismiss'] }).notNull(),
    outcome: text('outcome').notNull(),
    detail: text('detail'),
    durationMs: integer('duration_ms'),
  },
  (t) => [index('trace_attempts_outbox').on(t.outboxId, t.at)],
);

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
