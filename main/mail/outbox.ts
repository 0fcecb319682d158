/** The email outbox: rows written inside the caller's transaction, read by the sender and the Sync screen. */
import type Database from 'better-sqlite3';
import type { MailOutboxRow } from '../../preload/contract/tablet.js';
import { newId } from '../store/ids.js';

export interface NewMail {
  customerId: string | null;
  to: string;
  subject: string;
  body: string;
  documentId: string | null;
  attachmentName: string | null;
}

/** The Message-ID of an outbox row: derived from its id, so every attempt sends the same one. */
export function messageIdFor(outboxId: string): string {
  return `<${outboxId}.copy@dispensary-register.local>`;
}

/** Queues one email. Call inside the transaction that writes what the email tells about. */
export function enqueueMail(sqlite: Database.Database, mail: NewMail, now: number): string {
  if (!sqlite.inTransaction) throw new Error('enqueueMail belongs inside the transaction of what it sends.');
  const id = newId(now);
  sqlite
    .prepare(
      `INSERT INTO mail_outbox (id, customer_id, to_address, subject, body, document_id, attachment_name, message_id, state, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    )
    .run(id, mail.customerId, mail.to, mail.subject, mail.body, mail.documentId, mail.attachmentName, messageIdFor(id), now, now);
  return id;
}

export function listOutbox(sqlite: Database.Database, limit: number): MailOutboxRow[] {
  return sqlite
    .prepare(
      `SELECT m.id, m.to_address AS "to", m.subject, m.state, m.attempts, m.next_attempt_at AS nextAttemptAt, m.last_error AS lastError,
              m.created_at AS createdAt, m.sent_at AS sentAt,
              CASE WHEN c.id IS NULL THEN NULL ELSE trim(c.first_name || ' ' || c.last_name) END AS customerName
         FROM mail_outbox m LEFT JOIN customers c ON c.id = m.customer_id
        ORDER BY CASE m.state WHEN 'failed' THEN 0 WHEN 'sending' THEN 1 WHEN 'pending' THEN 2 ELSE 3 END, m.created_at DESC
        LIMIT ?`,
    )
    .all(limit) as MailOutboxRow[];
}

export function outboxRow(sqlite: Database.Database, id: string): MailOutboxRow | null {
  return listOutboxWhere(sqlite, id);
}

function listOutboxWhere(sqlite: Database.Database, id: string): MailOutboxRow | null {
  return (
    (sqlite
      .prepare(
        `SELECT m.id, m.to_address AS "to", m.subject, m.state, m.attempts, m.next_attempt_at AS nextAttemptAt, m.last_error AS lastError,
                m.created_at AS createdAt, m.sent_at AS sentAt,
                CASE WHEN c.id IS NULL THEN NULL ELSE trim(c.first_name || ' ' || c.last_name) END AS customerName
           FROM mail_outbox m LEFT JOIN customers c ON c.id = m.customer_id WHERE m.id = ?`,
      )
      .get(id) as MailOutboxRow | undefined) ?? null
  );
}

export function outboxCounts(sqlite: Database.Database): { pending: number; failed: number } {
  const row = sqlite
    .prepare(`SELECT sum(state IN ('pending', 'sending')) AS pending, sum(state = 'failed') AS failed FROM mail_outbox`)
    .get() as { pending: number | null; failed: number | null };
  return { pending: row.pending ?? 0, failed: row.failed ?? 0 };
}
