/**
 * The till (issue 17): the print queue (receipts, drawer kicks, reports wait here until the printer
 * takes them), drawer sessions as a ledger of cash movements, their counts, and the Z reports.
 *
 * Conventions: money integer cents (signed on movements: + into the drawer, − out), times UTC epoch ms.
 */
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { employees } from '../store/schema.js';

/**
 * One row per thing to print. A sale's receipt and its drawer kick are written in the sale's
 * transaction (at most one of each per sale: the unique index); the worker sends them later.
 * States: pending → sending → printed; a job found `sending` after a restart becomes `uncertain`
 * (it may have printed: staff reprint or dismiss it, it is never sent again by itself); a drawer
 * kick the printer could not take soon after the sale becomes `expired`.
 */
export const printJobs = sqliteTable(
  'print_jobs',
  {
    id: integer('id').primaryKey(),
    kind: text('kind', { enum: ['receipt', 'reprint', 'kick', 'report', 'test'] }).notNull(),
    saleId: text('sale_id'),
    /** A printer id from till.config, or null for this register's receipt printer at send time. */
    printerId: text('printer_id'),
    /** reports and test pages: the document itself (JSON ReceiptDoc). */
    doc: text('doc'),
    state: text('state', { enum: ['pending', 'sending', 'printed', 'uncertain', 'expired', 'dismissed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('print_jobs_sale_once').on(t.saleId, t.kind).where(sql`kind IN ('receipt', 'kick')`),
    index('print_jobs_waiting').on(t.state).where(sql`state IN ('pending', 'sending', 'uncertain')`),
  ],
);

/** A drawer's shift: opened with a counted float, closed with a (blind) count. One open session per drawer. */
export const drawerSessions = sqliteTable(
  'drawer_sessions',
  {
    id: text('id').primaryKey(),
    drawerId: text('drawer_id').notNull(),
    status: text('status', { enum: ['open', 'closed'] }).notNull(),
    openedBy: text('opened_by')
      .notNull()
      .references(() => employees.id),
    openedAt: integer('opened_at').notNull(),
    floatCents: integer('float_cents').notNull(),
    closedBy: text('closed_by').references(() => employees.id),
    closedAt: integer('closed_at'),
    expectedCents: integer('expected_cents'),
    countedCents: integer('counted_cents'),
    overShortCents: integer('over_short_cents'),
    /** The manager who approved an over/short beyond the store's threshold. */
    approvedBy: text('approved_by').references(() => employees.id),
    note: text('note'),
  },
  (t) => [uniqueIndex('drawer_sessions_one_open').on(t.drawerId).where(sql`status = 'open'`), index('drawer_sessions_opened').on(t.openedAt)],
);

/**
 * Every movement of cash in or out of a drawer, append-only. Expected cash = the sum of a session's
 * movements. A sale's cash lands here in the sale's own transaction; session_id is null when no
 * drawer was open (the reports show such cash apart).
 */
export const cashMovements = sqliteTable(
  'cash_movements',
  {
    id: integer('id').primaryKey(),
    sessionId: text('session_id').references(() => drawerSessions.id),
    kind: text('kind', { enum: ['float', 'sale', 'refund', 'drop', 'pickup', 'paid_in', 'paid_out', 'no_sale'] }).notNull(),
    amountCents: integer('amount_cents').notNull(),
    /** The sale (sale) or the return/void (refund) it belongs to. */
    refId: text('ref_id'),
    reason: text('reason'),
    employeeId: text('employee_id').references(() => employees.id),
    approvedBy: text('approved_by').references(() => employees.id),
    at: integer('at').notNull(),
  },
  // One index: a session's movements. A sale writes its cash once (applyCommand keys the sale).
  (t) => [index('cash_movements_session').on(t.sessionId)],
);

/** A count of a drawer by denomination (JSON {"2000": 5, "25": 40} = cents → how many). */
export const drawerCounts = sqliteTable('drawer_counts', {
  id: integer('id').primaryKey(),
  sessionId: text('session_id')
    .notNull()
    .references(() => drawerSessions.id),
  kind: text('kind', { enum: ['open', 'close'] }).notNull(),
  denominations: text('denominations').notNull(),
  totalCents: integer('total_cents').notNull(),
  countedBy: text('counted_by')
    .notNull()
    .references(() => employees.id),
  at: integer('at').notNull(),
});

/** A Z report once made is final: reprinted from here, never recomputed. One per business date. */
export const zReports = sqliteTable('z_reports', {
  businessDate: text('business_date').primaryKey(),
  zNo: integer('z_no').notNull(),
  madeBy: text('made_by')
    .notNull()
    .references(() => employees.id),
  madeAt: integer('made_at').notNull(),
  body: text('body').notNull(),
});
