/** Customers: profile drafts. */
import type { CustomerDraftSummary, DocumentKind } from '../../preload/contract/customers.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { newId } from '../store/ids.js';
import { licenceFingerprint } from './normalise.js';
import { type Actor } from './shared.js';
import { CustomerPatients } from './patients.js';

/**
 * A document added to a signup before its first save: kept in the draft's JSON (the file itself is
 * already in the data folder, named by its content) and made the profile's when it is created.
 */
export interface PendingDocument {
  id: string;
  kind: DocumentKind;
  title: string;
  sha256: string;
  mime: string;
  sizeBytes: number;
  addedAt: number;
  addedBy: string | null;
  useAsPhoto: boolean;
}

const PENDING_KEY = 'pendingDocuments';

export abstract class CustomerDrafts extends CustomerPatients {
  /** The draft's stored form (with what the screen never sees), or null when there is no such draft. */
  protected draftForm(draftId: string): Record<string, unknown> | null {
    const row = this.prepare('SELECT form FROM customer_drafts WHERE id = ?').get(draftId) as { form: string } | undefined;
    if (!row) return null;
    try {
      return JSON.parse(row.form) as Record<string, unknown>;
    } catch {
      return {};
    }
  }

  protected pendingDocuments(draftId: string): PendingDocument[] {
    const value = this.draftForm(draftId)?.[PENDING_KEY];
    return Array.isArray(value) ? (value as PendingDocument[]) : [];
  }

  protected addPendingDocument(draftId: string, document: PendingDocument, now: number): void {
    const form = this.draftForm(draftId);
    if (!form) throw new CoreError('not_found', 'This signup draft was saved or discarded on another screen.');
    form[PENDING_KEY] = [...this.pendingDocuments(draftId), document];
    this.prepare('UPDATE customer_drafts SET form = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(form), now, draftId);
  }

  // -------------------------------------------------------------------------------------------
  // Drafts
  // -------------------------------------------------------------------------------------------

  drafts(): CustomerDraftSummary[] {
    return this.prepare(
      `SELECT d.id, d.customer_id AS customerId, d.title, e.name AS employeeName, d.updated_at AS updatedAt
         FROM customer_drafts d LEFT JOIN employees e ON e.id = d.employee_id ORDER BY d.updated_at DESC LIMIT 100`,
    ).all() as CustomerDraftSummary[];
  }

  getDraft(id: string): CustomerDraftSummary & { form: Record<string, unknown> } {
    const row = this.prepare(
      `SELECT d.id, d.customer_id AS customerId, d.title, e.name AS employeeName, d.updated_at AS updatedAt, d.form
         FROM customer_drafts d LEFT JOIN employees e ON e.id = d.employee_id WHERE d.id = ?`,
    ).get(id) as (CustomerDraftSummary & { form: string }) | undefined;
    if (!row) throw new CoreError('not_found', 'This draft was saved or discarded on another screen.');
    let form: Record<string, unknown> = {};
    try {
      form = JSON.parse(row.form) as Record<string, unknown>;
    } catch {
      form = {};
    }
    delete form.licenceFingerprint;
    delete form[PENDING_KEY];
    return { ...row, form };
  }

  protected draftFingerprint(draftId: string): string | null {
    const row = this.prepare('SELECT form FROM customer_drafts WHERE id = ?').get(draftId) as { form: string } | undefined;
    if (!row) return null;
    try {
      const form = JSON.parse(row.form) as Record<string, unknown>;
      return typeof form.licenceFingerprint === 'string' ? form.licenceFingerprint : null;
    } catch {
      return null;
    }
  }

  saveDraft(
    actor: Actor,
    commandId: string,
    input: { draftId: string | null; customerId: string | null; title: string; form: Record<string, unknown> },
  ): CustomerDraftSummary {
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'customers.saveDraft', actorId: actor.id },
      () => {
        if (input.customerId) this.row(input.customerId);
        const form = { ...input.form };
        // Where scanned licence data may not be kept, a draft keeps only the number's fingerprint.
        if (!this.mayKeepLicenceData() && typeof form.licenceNumber === 'string' && form.licenceNumber.trim() !== '') {
          form.licenceFingerprint = licenceFingerprint(this.licenceSecret(true)!, form.licenceNumber);
          form.licenceNumber = null;
        } else if (input.draftId && form.licenceFingerprint === undefined) {
          const previous = this.draftFingerprint(input.draftId);
          if (previous) form.licenceFingerprint = previous;
        }
        // Documents added before the first save stay with the draft whatever the screen sends.
        delete form[PENDING_KEY];
        if (input.draftId) {
          const pending = this.pendingDocuments(input.draftId);
          if (pending.length > 0) form[PENDING_KEY] = pending;
        }
        const title = input.title || 'New customer';
        const id = input.draftId ?? newId(now);
        const existing = input.draftId ? this.prepare('SELECT id FROM customer_drafts WHERE id = ?').get(input.draftId) : undefined;
        // A draft that is gone was saved to its profile or discarded: a late write must not bring it back.
        if (input.draftId && !existing) {
          throw new CoreError('not_found', 'This draft was already saved or discarded: nothing more to keep.');
        }
        if (existing) {
          this.prepare('UPDATE customer_drafts SET title = ?, form = ?, employee_id = ?, updated_at = ? WHERE id = ?').run(
            title,
            JSON.stringify(form),
            actor.id,
            now,
            id,
          );
        } else {
          this.prepare(
            'INSERT INTO customer_drafts (id, customer_id, title, form, employee_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          ).run(id, input.customerId, title, JSON.stringify(form), actor.id, now, now);
        }
        // The draft's content stays out of the audit log (it may hold what the customer has not agreed to keep).
        return { result: { id }, audit: { details: { draftId: id, title, customerId: input.customerId } } };
      },
      now,
    );
    const summary = this.drafts().find((d) => d.id === result.id);
    if (!summary) throw new CoreError('not_found', 'The draft was discarded on another screen.');
    return summary;
  }

  discardDraft(actor: Actor, commandId: string, id: string): { discarded: true } {
    const now = this.deps.clock();
    applyCommand(
      this.sqlite,
      { commandId, name: 'customers.discardDraft', actorId: actor.id },
      () => {
        const row = this.prepare('SELECT title FROM customer_drafts WHERE id = ?').get(id) as { title: string } | undefined;
        this.prepare('DELETE FROM customer_drafts WHERE id = ?').run(id);
        return { result: { discarded: true as const }, audit: { details: { draftId: id, title: row?.title ?? null } } };
      },
      now,
    );
    return { discarded: true };
  }

}
