/**
 * Email the register sends (today: a signed membership agreement's copy), through an outbox:
 * the row is written in the same transaction as what it tells about, and a sender drains it.
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { customerDocuments } from '../customers/schema.js';
import { customers } from '../store/schema.js';

/**
 * pending → sending (committed before the SMTP conversation starts) → sent; a failed attempt goes
 * back to pending with a later `next_attempt_at`, and after the last attempt to `failed` (a person
 * retries it from the Sync screen). A row found in `sending` at start was cut off mid-send and is
 * sent again with the same Message-ID (see main/mail/sender.ts: at least once, never a new copy).
 */
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').references(() => customers.id),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    /** The attachment: a customer document (its file in customer-documents/). */
    documentId: text('document_id').references(() => customerDocuments.id),
    attachmentName: text('attachment_name'),
    /** `<outbox id>@<store identity>.register`: the same on every attempt, so a resend is recognisably the same message. */
    messageId: text('message_id').notNull(),
    state: text('state', { enum: ['pending', 'sending', 'sent', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [index('mail_outbox_state').on(t.state, t.nextAttemptAt)],
);
