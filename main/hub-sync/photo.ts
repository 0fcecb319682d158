/**
 * The customer's chosen photo (customer_profiles.photo_document_id) from another station. It names
 * a document, which travels as its own change row (customer_document) and may reach this station
 * after the customer's fields do (a profile signed up with its photo sends the customer first). A
 * photo naming a document this station does not have yet is held in hub_records
 * (`customer_photo_wanted`, by customer) and set when that document's record arrives.
 */
import type Database from 'better-sqlite3';
import { cachedStatement } from '../store/statements.js';

const WANTED = 'customer_photo_wanted';

function documentHere(sqlite: Database.Database, documentId: string): boolean {
  return cachedStatement(sqlite, 'SELECT 1 FROM customer_documents WHERE id = ?').get(documentId) !== undefined;
}

/**
 * Called with the profile columns a customer change sets: takes `photo_document_id` out of them
 * when its document is not here yet (held until it is). A newer photo, or none, replaces a held one.
 */
export function holdPhotoUntilDocument(sqlite: Database.Database, customerId: string, profileValues: Record<string, unknown>, version: number, at: number): void {
  if (!('photo_document_id' in profileValues)) return;
  const documentId = profileValues.photo_document_id;
  if (typeof documentId === 'string' && !documentHere(sqlite, documentId)) {
    delete profileValues.photo_document_id;
    cachedStatement(
      sqlite,
      'INSERT INTO hub_records (entity, id, data, version, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (entity, id) DO UPDATE SET data = excluded.data, version = excluded.version, at = excluded.at',
    ).run(WANTED, customerId, JSON.stringify({ documentId }), version, at);
    return;
  }
  cachedStatement(sqlite, 'DELETE FROM hub_records WHERE entity = ? AND id = ?').run(WANTED, customerId);
}

/** A document's record has arrived: if it is the photo held for its customer, it becomes their photo now. */
export function photoDocumentArrived(sqlite: Database.Database, customerId: string, documentId: string, at: number): void {
  const held = cachedStatement(sqlite, 'SELECT data FROM hub_records WHERE entity = ? AND id = ?').get(WANTED, customerId) as { data: string } | undefined;
  if (!held) return;
  const wanted = (JSON.parse(held.data) as { documentId?: unknown }).documentId;
  if (wanted !== documentId) return;
  cachedStatement(
    sqlite,
    `INSERT INTO customer_profiles (customer_id, photo_document_id, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (customer_id) DO UPDATE SET photo_document_id = excluded.photo_document_id, updated_at = excluded.updated_at`,
  ).run(customerId, documentId, at);
  cachedStatement(sqlite, 'DELETE FROM hub_records WHERE entity = ? AND id = ?').run(WANTED, customerId);
}
