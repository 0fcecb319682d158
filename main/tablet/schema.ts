/**
 * The reception tablet: paired devices and the membership agreements sent to them to sign.
 * The emailed copy of a signed agreement waits in main/mail/schema.ts's outbox.
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { customerDocuments } from '../customers/schema.js';
import { customers, employees } from '../store/schema.js';

/** A tablet paired with this register. Its token is kept only as a SHA-256; revoking is for good. */
export const tabletDevices = sqliteTable(
  'tablet_devices',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** SHA-256 (hex) of the device's token: the token itself lives only on the tablet. */
    tokenHash: text('token_hash').notNull().unique(),
    pairedAt: integer('paired_at').notNull(),
    pairedBy: text('paired_by').references(() => employees.id),
    lastSeenAt: integer('last_seen_at'),
    revokedAt: integer('revoked_at'),
    revokedBy: text('revoked_by').references(() => employees.id),
  },
  (t) => [index('tablet_devices_revoked').on(t.revokedAt)],
);

/**
 * One membership agreement sent to a tablet. `waiting` until the customer signs (`signed`, with
 * the PDF saved as a customer document) or staff take it back (`cancelled`). The text sent is kept
 * as it was, so the signed PDF shows exactly what the customer read.
 */
export const signatureRequests = sqliteTable(
  'signature_requests',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    deviceId: text('device_id')
      .notNull()
      .references(() => tabletDevices.id),
    state: text('state', { enum: ['waiting', 'signed', 'cancelled'] }).notNull(),
    customerName: text('customer_name').notNull(),
    agreementText: text('agreement_text').notNull(),
    /** The date printed on the agreement (store time zone), yyyy-mm-dd. */
    agreementDate: text('agreement_date').notNull(),
    sentAt: integer('sent_at').notNull(),
    sentBy: text('sent_by').references(() => employees.id),
    signedAt: integer('signed_at'),
    documentId: text('document_id').references(() => customerDocuments.id),
    /** SHA-256 of the signed content (text, name, date, store, signature image), printed in the PDF. */
    contentSha256: text('content_sha256'),
    /** SHA-256 of the PDF file as saved in Document Uploads. */
    pdfSha256: text('pdf_sha256'),
    /** JSON [{ field, from, to }]: the contact fields the tablet filled. */
    contactChanges: text('contact_changes'),
    closedAt: integer('closed_at'),
  },
  (t) => [index('signature_requests_customer').on(t.customerId, t.sentAt), index('signature_requests_device_state').on(t.deviceId, t.state)],
);
