/**
 * Open tickets on disk (issue 13): the open_tickets table (./ticket-schema.ts) holds each open
 * ticket's state as JSON. A ticket is saved each time it changes, deleted in its sale's
 * transaction or when it is discarded, and read back when the database opens (start-up, a
 * restored backup). Everything read back is checked with zod: a saved ticket that does not parse
 * is kept aside (never loaded half-way, never a crash) and shown to staff.
 *
 * What is saved is what a person did or the state said: the customer as read when the ticket
 * opened, the patient, the lines (each product as it was added, its discount and limit override
 * with who approved them), the state system's allotment figure and when it was fetched, the
 * rewards points chosen. The pricing context is not saved: it is rebuilt from the rules and the
 * ledger when the ticket comes back, as it is before every change.
 *
 * Approvals: a manager's grant is single-use and lives only in memory (main/staff/service.ts); once
 * used, what it approved is written on the line (approvedBy), and that is what comes back. No
 * grant id is saved, so nothing read back can approve anything again.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { CUSTOMER_TYPES } from '../compliance/rules.js';
import { allotmentStatusSchema, catalogProductSchema, patientOptionSchema } from '../../preload/contract/checkout.js';
import type { OpenTicket } from './types.js';
import { cachedStatement } from '../store/statements.js';

export const SAVED_TICKET_VERSION = 1;

const customerRowSchema = z.object({
  id: z.string().min(1),
  customerType: z.enum(CUSTOMER_TYPES),
  firstName: z.string(),
  lastName: z.string(),
  nickname: z.string().nullable(),
  dateOfBirth: z.string(),
  identificationExpires: z.string().nullable(),
  medicalId: z.string().nullable(),
  medicalIdExpires: z.string().nullable(),
  caregiverId: z.string().nullable(),
  caregiverIdExpires: z.string().nullable(),
  licenceState: z.string().nullable(),
  banned: z.number().int(),
});

const lineDiscountSchema = z.union([
  z.object({ kind: z.literal('percent'), basisPoints: z.number().int().min(1).max(10_000), reason: z.string(), approvedBy: z.string().min(1) }).strict(),
  z.object({ kind: z.literal('amount'), cents: z.number().int().min(1), reason: z.string(), approvedBy: z.string().min(1) }).strict(),
]);

const ticketLineSchema = z
  .object({
    lineId: z.string().min(1),
    product: catalogProductSchema.strict(),
    quantity: z.number().int().min(1).max(999),
    discount: lineDiscountSchema.nullable(),
    limitOverride: z.object({ limitIds: z.array(z.string().min(1)).min(1), approvedBy: z.string().min(1) }).strict().nullable(),
  })
  .strict();

/** The saved form of an OpenTicket: everything but the pricing context, which is rebuilt. */
export const savedTicketSchema = z
  .object({
    id: z.string().min(1),
    saleCommandId: z.string().min(1),
    openedAt: z.number().int(),
    openedBy: z.string().min(1),
    customer: customerRowSchema.strict(),
    queueEntryId: z.string().nullable(),
    patient: patientOptionSchema.strict().nullable(),
    patients: z.array(patientOptionSchema.strict()),
    lines: z.array(ticketLineSchema),
    groups: z.array(z.string()),
    notices: z.array(z.string()),
    allotment: allotmentStatusSchema.strict(),
    stateFigure: z.object({ amountMg: z.number().int(), fetchedAt: z.number().int() }).strict().nullable(),
    manualAllotment: z
      .object({
        amountMg: z.number().int().min(0),
        enteredAt: z.number().int(),
        enteredBy: z.string().min(1),
        confirmedCardId: z.string().min(1),
        via: z.enum(['register', 'check_in']),
      })
      .strict()
      .nullable()
      .default(null),
    blocked: z.string().nullable(),
    redeemPoints: z.number().int().min(0),
    /** When this ticket last came back after a restart (shown on the register), or null. */
    restoredAt: z.number().int().nullable(),
    /** Added after version 1's first tickets were saved: absent reads as none. */
    conversionApproval: z
      .object({ approvedBy: z.string().min(1), approverName: z.string(), reason: z.string().min(1), at: z.number().int() })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();
export type SavedTicket = z.infer<typeof savedTicketSchema>;

const savedStateSchema = z.object({ version: z.literal(SAVED_TICKET_VERSION), ticket: savedTicketSchema }).strict();

/**
 * A saved ticket not brought back: one that could not be read back (or no longer fits the rules
 * and records), or one left open since an earlier business day (its customer is long gone). Kept
 * on disk, shown to staff until they dismiss it.
 */
export interface UnreadableTicket {
  ticketId: string;
  reason: 'unreadable' | 'left_open';
  savedAt: number;
  openedAt: number;
  customerId: string;
  /** Why, in a few words (for the log; the screen says what to do). */
  problem: string;
}

export function toSaved(ticket: OpenTicket): SavedTicket {
  return {
    id: ticket.id,
    saleCommandId: ticket.saleCommandId,
    openedAt: ticket.openedAt,
    openedBy: ticket.openedBy,
    customer: ticket.customer,
    queueEntryId: ticket.queueEntryId,
    patient: ticket.patient,
    patients: ticket.patients,
    lines: ticket.lines,
    groups: ticket.groups,
    notices: ticket.notices,
    allotment: ticket.allotment,
    stateFigure: ticket.stateFigure,
    manualAllotment: ticket.manualAllotment,
    blocked: ticket.blocked,
    redeemPoints: ticket.redeemPoints,
    restoredAt: ticket.restoredAt,
    conversionApproval: ticket.conversionApproval,
  };
}

/** A fresh OpenTicket from its saved form (deep copies: nothing is shared with the saved object). */
export function fromSaved(saved: SavedTicket): OpenTicket {
  const copy = structuredClone(saved);
  return { ...copy, conversionApproval: copy.conversionApproval ?? null, context: null };
}

/** Writes (or rewrites) the ticket's row. Call inside the transaction of the change when there is one. */
export function saveTicket(sqlite: Database.Database, ticket: OpenTicket, now: number): void {
  const state = JSON.stringify({ version: SAVED_TICKET_VERSION, ticket: toSaved(ticket) });
  cachedStatement(sqlite,
      `INSERT INTO open_tickets (id, sale_command_id, customer_id, opened_at, saved_at, state)
       VALUES (@id, @saleCommandId, @customerId, @openedAt, @savedAt, @state)
       ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, saved_at = excluded.saved_at, state = excluded.state`,
    )
    .run({ id: ticket.id, saleCommandId: ticket.saleCommandId, customerId: ticket.customer.id, openedAt: ticket.openedAt, savedAt: now, state });
}

/** Deletes the ticket's row (its sale was written, or it was discarded). */
export function deleteSavedTicket(sqlite: Database.Database, ticketId: string): void {
  cachedStatement(sqlite, 'DELETE FROM open_tickets WHERE id = ?').run(ticketId);
}

/** Every saved ticket, oldest first: those that parse, and those that do not (with why). */
export function readSavedTickets(sqlite: Database.Database): { tickets: Array<{ saved: SavedTicket; savedAt: number }>; unreadable: UnreadableTicket[] } {
  const rows = cachedStatement(sqlite, 'SELECT id, sale_command_id AS saleCommandId, customer_id AS customerId, opened_at AS openedAt, saved_at AS savedAt, state FROM open_tickets ORDER BY opened_at, id')
    .all() as Array<{ id: string; saleCommandId: string; customerId: string; openedAt: number; savedAt: number; state: string }>;
  const tickets: Array<{ saved: SavedTicket; savedAt: number }> = [];
  const unreadable: UnreadableTicket[] = [];
  for (const row of rows) {
    const problem = (text: string) => unreadable.push({ ticketId: row.id, reason: 'unreadable', savedAt: row.savedAt, openedAt: row.openedAt, customerId: row.customerId, problem: text });
    let json: unknown;
    try {
      json = JSON.parse(row.state);
    } catch (error) {
      problem(`not JSON (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    const parsed = savedStateSchema.safeParse(json);
    if (!parsed.success) {
      problem(parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '));
      continue;
    }
    if (parsed.data.ticket.id !== row.id || parsed.data.ticket.saleCommandId !== row.saleCommandId) {
      problem('the saved state belongs to another ticket');
      continue;
    }
    tickets.push({ saved: parsed.data.ticket, savedAt: row.savedAt });
  }
  return { tickets, unreadable };
}

/** The raw row of a saved ticket (for the audit when staff dismiss an unreadable one). */
export function savedTicketRow(sqlite: Database.Database, ticketId: string): { customerId: string; savedAt: number; state: string } | null {
  const row = cachedStatement(sqlite, 'SELECT customer_id AS customerId, saved_at AS savedAt, state FROM open_tickets WHERE id = ?').get(ticketId) as
    | { customerId: string; savedAt: number; state: string }
    | undefined;
  return row ?? null;
}

/**
 * SQL that holds while a ticket open on this register (saved on disk, so one brought back after a
 * restart counts) serves the queue entry in `entryColumn`: the store hub's claim on the entry is
 * kept (renewed) only then (main/hub-sync/grants.ts). A saved ticket that is not readable JSON (kept
 * until staff dismiss it) serves no entry: json_extract would throw on it and stop the hub sync.
 */
export function openTicketServes(entryColumn: string): string {
  return `EXISTS (SELECT 1 FROM open_tickets t WHERE CASE WHEN json_valid(t.state) THEN json_extract(t.state, '$.ticket.queueEntryId') END = ${entryColumn})`;
}
