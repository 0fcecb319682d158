/** Customers: documents attached to a profile. */
import type { CustomerDocument, DocumentKind } from '../../preload/contract/customers.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { newId } from '../store/ids.js';
import { type Actor, DOCUMENT_TITLES, formatStamp } from './shared.js';
import { CustomerDrafts } from './drafts.js';

export abstract class CustomerAttachments extends CustomerDrafts {
  // -------------------------------------------------------------------------------------------
  // Documents
  // -------------------------------------------------------------------------------------------

  documentsOf(customerId: string): CustomerDocument[] {
    return this.prepare(
      `SELECT d.id, d.kind, d.title, d.sha256, d.mime, d.size_bytes AS sizeBytes, d.added_at AS addedAt, e.name AS addedByName
         FROM customer_documents d LEFT JOIN employees e ON e.id = d.added_by WHERE d.customer_id = ? ORDER BY d.added_at DESC, d.id DESC`,
    ).all(customerId) as CustomerDocument[];
  }

  addDocument(
    actor: Actor,
    commandId: string,
    input: {
      customerId: string;
      kind: DocumentKind;
      mime: string;
      source: { from: 'upload'; uploadId: string } | { from: 'device'; file: string; sha256: string };
      useAsPhoto: boolean;
    },
  ): CustomerDocument {
    if (input.kind === 'full_licence' && !this.mayKeepLicenceData()) {
      const rules = this.rules();
      throw new CoreError('forbidden', `${rules.name} law does not allow keeping an image of the licence: nothing was saved.`);
    }
    const previous = this.prepare('SELECT result FROM applied_commands WHERE id = ?').get(commandId) as { result: string } | undefined;
    if (previous) return JSON.parse(previous.result) as CustomerDocument;
    this.row(input.customerId);
    // The file first, named by its content: a crash after this leaves at worst an unused file.
    const stored = input.source.from === 'upload'
      ? this.documents.commitUpload(input.source.uploadId, input.mime)
      : this.documents.importDeviceFile(input.source.file, input.source.sha256, input.mime);
    const now = this.deps.clock();
    const title = `${DOCUMENT_TITLES[input.kind]} ${formatStamp(now, this.timeZone())}`;
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'customers.addDocument', actorId: actor.id },
      () => {
        const id = newId(now);
        this.prepare(
          'INSERT INTO customer_documents (id, customer_id, kind, title, sha256, mime, size_bytes, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(id, input.customerId, input.kind, title, stored.sha256, input.mime, stored.sizeBytes, now, actor.id);
        if (input.useAsPhoto || input.kind === 'profile_photo') {
          const updated = this.prepare('UPDATE customer_profiles SET photo_document_id = ?, updated_at = ? WHERE customer_id = ?').run(id, now, input.customerId);
          if (updated.changes === 0) {
            this.prepare('INSERT INTO customer_profiles (customer_id, photo_document_id, updated_at) VALUES (?, ?, ?)').run(input.customerId, id, now);
          }
        }
        const document: CustomerDocument = {
          id,
          kind: input.kind,
          title,
          sha256: stored.sha256,
          mime: input.mime,
          sizeBytes: stored.sizeBytes,
          addedAt: now,
          addedByName: this.employeeName(actor.id),
        };
        return { result: document, audit: { customerId: input.customerId, details: { documentId: id, kind: input.kind, title, sha256: stored.sha256 } } };
      },
      now,
    );
    return result;
  }

  protected employeeName(id: string): string | null {
    return (this.prepare('SELECT name FROM employees WHERE id = ?').get(id) as { name: string } | undefined)?.name ?? null;
  }

  readDocument(id: string): { mime: string; dataBase64: string; title: string } {
    const row = this.prepare('SELECT sha256, mime, title FROM customer_documents WHERE id = ?').get(id) as
      | { sha256: string; mime: string; title: string }
      | undefined;
    if (!row) throw new CoreError('not_found', 'This document does not exist.');
    return { mime: row.mime, title: row.title, dataBase64: this.documents.read(row.sha256).toString('base64') };
  }
}
