/**
 * Open tickets kept on disk (issue 13): one row per ticket open on this register, holding the
 * ticket's state as JSON (validated with zod when it is read back, see ./ticket-store.ts). The row
 * is written each time the ticket changes and deleted in the sale's transaction, or when the
 * ticket is discarded, so a crash or power cut never loses a ticket and never brings back a sold one.
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

export const openTickets = sqliteTable(
  'open_tickets',
  {
    /** The ticket's id (a ULID made on this register). */
    id: text('id').primaryKey(),
    /** The commandId its sale will be written under (a completed sale never comes back as a ticket). */
    saleCommandId: text('sale_command_id').notNull(),
    customerId: text('customer_id').notNull(),
    openedAt: integer('opened_at').notNull(),
    savedAt: integer('saved_at').notNull(),
    /** The ticket as JSON: { version, ticket } (./ticket-store.ts). */
    state: text('state').notNull(),
  },
  (t) => [index('open_tickets_opened').on(t.openedAt)],
);
