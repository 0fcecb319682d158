/** Customers: documents attached to a profile. */
import type { CustomerDocument, DocumentKind } from '../../preload/contract/customers.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { newId } from '../store/ids.js';
import { existsSync } from 'node:fs';
import { captureCustomer, captureCustomerDocument, customerSnapshot } from '../hub-sync/capture.js';
import { documentFileAbsence } from '../hub-sync/files.js';
import { type Actor, DOCUMENT_TITLES, formatStamp } from './shared.js';
import { CustomerDrafts, type PendingDocument } from './drafts.js';

/** What staff read when a document's file is not on this register. */
function fileAbsenceWords(absence: { from: string | null; missing: boolean }): string {
  if (absence.missing) {
    return absence.from
      ? `This document's file is missing at ${absence.from}: scan it again there.`
      : 'This document\'s file is missing on this register and on the store hub: scan it again here.';
  }
  return absence.from
    ? `This document has not been copied from ${absence.from} yet: it opens here once the store hub has passed it on. Open it at ${absence.from} meanwhile.`
    : 'This document has not been copied to this register yet: it opens here once the store hub passes it on.';
}

export abstract class CustomerAttachments extends CustomerDrafts {
  // -------------------------------------------------------------------------------------------
  // Documents
  // -------------------------------------------------------------------------------------------

  /** The profile's documents; one whose file is still on its way from another station says from which. */
  documentsOf(customerId: string): CustomerDocument[] {
    const documents = this.prepare(
      `SELECT d.id, d.kind, d.title, d.sha256, d.mime, d.size_bytes AS sizeBytes, d.added_at AS addedAt, e.name AS addedByName
         FROM customer_documents d LEFT JOIN employees e ON e.id = d.added_by WHERE d.customer_id = ? ORDER BY d.added_at DESC, d.id DESC`,
    ).all(customerId) as CustomerDocument[];
    for (const document of documents) {
      if (existsSync(this.documents.path(document.sha256))) continue;
      const absence = documentFileAbsence(this.sqlite, document.id, document.sha256);
      if (!absence) continue;
      document.notCopied = absence.missing ? 'missing' : 'waiting';
      if (absence.from) document.notCopiedFrom = absence.from;
    }
    return documents;
  }

  addDocument(
    actor: Actor,
    commandId: string,
    input: {
      customerId?: string | undefined;
      /** A signup's draft, before its first save: the document waits on the draft (./drafts.ts). */
      draftId?: string | undefined;
      kind: DocumentKind;
      mime: string;
      source: { from: 'upload'; uploadId: string } | { from: 'device'; file: string; sha256: string };
      useAsPhoto: boolean;
    },
  ): CustomerDocument {
    if (input.kind === 'membership_agreement') {
      throw new CoreError('forbidden', 'The membership agreement is signed on the reception tablet: use Collect Signature on the profile.');
    }
    if (input.kind === 'full_licence' && !this.mayKeepLicenceData()) {
      const rules = this.rules();
      throw new CoreError('forbidden', `${rules.name} law does not allow keeping an image of the licence: nothing was saved.`);
    }
    const previous = this.prepare('SELECT result FROM applied_commands WHERE id = ?').get(commandId) as { result: string } | undefined;
    if (previous) return JSON.parse(previous.result) as CustomerDocument;
    const customerId = input.customerId;
    if (customerId === undefined) {
      if (!input.draftId) throw new CoreError('invalid_message', 'Give either the profile or the draft the document is for.');
      if (!this.draftForm(input.draftId)) throw new CoreError('not_found', 'This signup draft was saved or discarded on another screen: open the profile and add the document there.');
    } else this.row(customerId);
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
        if (customerId === undefined) {
          const pending: PendingDocument = { id, kind: input.kind, title, sha256: stored.sha256, mime: input.mime, sizeBytes: stored.sizeBytes, addedAt: now, addedBy: actor.id, useAsPhoto: input.useAsPhoto || input.kind === 'profile_photo' };
          this.addPendingDocument(input.draftId!, pending, now);
          const document: CustomerDocument = { ...this.pendingView(pending) };
          return { result: document, audit: { details: { draftId: input.draftId, documentId: id, kind: input.kind, title, sha256: stored.sha256 } } };
        }
        this.prepare(
          'INSERT INTO customer_documents (id, customer_id, kind, title, sha256, mime, size_bytes, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(id, customerId, input.kind, title, stored.sha256, input.mime, stored.sizeBytes, now, actor.id);
        // The document goes to the store hub before the photo that names it, so no station shows a photo it lacks.
        captureCustomerDocument(this.sqlite, id, now);
        if (input.useAsPhoto || input.kind === 'profile_photo') {
          const before = customerSnapshot(this.sqlite, customerId);
          this.usePhoto(customerId, id, now);
          // The chosen photo is a customer field: it travels, merged per field like the others.
          captureCustomer(this.sqlite, customerId, before, now);
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
        return { result: document, audit: { customerId, details: { documentId: id, kind: input.kind, title, sha256: stored.sha256 } } };
      },
      now,
    );
    return result;
  }

  protected usePhoto(customerId: string, documentId: string, now: number): void {
    const updated = this.prepare('UPDATE customer_profiles SET photo_document_id = ?, updated_at = ? WHERE customer_id = ?').run(documentId, now, customerId);
    if (updated.changes === 0) {
      this.prepare('INSERT INTO customer_profiles (customer_id, photo_document_id, updated_at) VALUES (?, ?, ?)').run(customerId, documentId, now);
    }
  }

  /** The draft's documents, as the profile will list them once it is saved. */
  draftDocuments(draftId: string): CustomerDocument[] {
    return this.pendingDocuments(draftId)
      .map((pending) => this.pendingView(pending))
      .sort((a, b) => b.addedAt - a.addedAt);
  }

  protected pendingView(pending: PendingDocument): CustomerDocument {
    return {
      id: pending.id,
      kind: pending.kind,
      title: pending.title,
      sha256: pending.sha256,
      mime: pending.mime,
      sizeBytes: pending.sizeBytes,
      addedAt: pending.addedAt,
      addedByName: pending.addedBy ? this.employeeName(pending.addedBy) : null,
    };
  }

  /** Inside the profile's create transaction: the draft's documents become the new profile's. */
  protected attachPendingDocuments(draftId: string, customerId: string, now: number): string[] {
    const pending = this.pendingDocuments(draftId);
    const insert = this.prepare(
      'INSERT INTO customer_documents (id, customer_id, kind, title, sha256, mime, size_bytes, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const document of pending) {
      insert.run(document.id, customerId, document.kind, document.title, document.sha256, document.mime, document.sizeBytes, document.addedAt, document.addedBy);
      if (document.useAsPhoto) this.usePhoto(customerId, document.id, now);
    }
    return pending.map((document) => document.id);
  }

  protected employeeName(id: string): string | null {
    return (this.prepare('SELECT name FROM employees WHERE id = ?').get(id) as { name: string } | undefined)?.name ?? null;
  }

  readDocument(id: string, draftId?: string): { mime: string; dataBase64: string; title: string } {
    const row =
      (this.prepare('SELECT sha256, mime, title FROM customer_documents WHERE id = ?').get(id) as { sha256: string; mime: string; title: string } | undefined) ??
      (draftId ? this.pendingDocuments(draftId).find((document) => document.id === id) : undefined);
    if (!row) throw new CoreError('not_found', 'This document does not exist.');
    if (!existsSync(this.documents.path(row.sha256))) {
      const absence = documentFileAbsence(this.sqlite, id, row.sha256);
      if (absence) throw new CoreError('not_found', fileAbsenceWords(absence));
    }
    return { mime: row.mime, title: row.title, dataBase64: this.documents.read(row.sha256).toString('base64') };
  }
}
