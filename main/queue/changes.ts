/**
 * Changing the queue: reorder, remove (a caregiver's nested patients leave with them), clear,
 * the manager's queue setting, and what checkout reads and marks when a queued customer is served.
 * An entry is never deleted: leaving the queue sets removed_at and why.
 */
import type { QueueAllotment, QueueView } from '../../preload/contract/queue.js';
import type { Employee } from '../../preload/api.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { captureQueueRemoval } from '../hub-sync/capture.js';
import type { QueueContext } from './context.js';
import { SHOW_CLEAR_SETTING, type QueueListing } from './listing.js';

export class QueueChanges {
  constructor(
    private readonly ctx: QueueContext,
    private readonly listing: QueueListing,
  ) {}

  reorder(actor: Employee, commandId: string, order: string[]): QueueView {
    const db = this.ctx.deps.sqlite();
    const now = this.ctx.deps.clock();
    applyCommand(
      db,
      { commandId, name: 'queue.reorder', actorId: actor.id },
      () => {
        const current = this.listing.view().entries.filter((entry) => entry.parentEntryId === null).map((entry) => entry.id);
        const same = order.length === current.length && new Set(order).size === order.length && order.every((id) => current.includes(id));
        if (!same) throw new CoreError('conflict', 'The queue changed while you were moving a customer: look again and move them again.');
        const update = db.prepare('UPDATE queue_entries SET position = ? WHERE id = ?');
        order.forEach((id, index) => update.run(index + 1, id));
        // Nested patients follow their caregiver in check-in order.
        return { result: null, audit: { details: { before: current, after: order } } };
      },
      now,
    );
    return this.listing.view();
  }

  remove(actor: Employee, commandId: string, entryId: string): QueueView {
    const db = this.ctx.deps.sqlite();
    const now = this.ctx.deps.clock();
    applyCommand(
      db,
      { commandId, name: 'queue.remove', actorId: actor.id },
      () => {
        const entry = db.prepare('SELECT id, customer_id AS customerId FROM queue_entries WHERE id = ? AND removed_at IS NULL').get(entryId) as
          | { id: string; customerId: string }
          | undefined;
        if (!entry) throw new CoreError('not_found', 'That customer has already left the queue.');
        // A caregiver's nested patients leave with them: they were checked in to be served together.
        const children = db.prepare('SELECT id FROM queue_entries WHERE parent_entry_id = ? AND removed_at IS NULL').all(entryId) as Array<{ id: string }>;
        const mark = db.prepare(`UPDATE queue_entries SET removed_at = ?, removed_by = ?, removed_reason = 'removed' WHERE id = ?`);
        for (const id of [entryId, ...children.map((child) => child.id)]) {
          mark.run(now, actor.id, id);
          captureQueueRemoval(db, id);
        }
        return { result: null, audit: { customerId: entry.customerId, details: { entryId, nestedRemoved: children.map((child) => child.id) } } };
      },
      now,
    );
    return this.listing.view();
  }

  clear(actor: Employee, commandId: string): QueueView {
    const db = this.ctx.deps.sqlite();
    const now = this.ctx.deps.clock();
    applyCommand(
      db,
      { commandId, name: 'queue.clear', actorId: actor.id },
      () => {
        if (!this.listing.showClearButton()) {
          throw new CoreError('forbidden', 'Clearing the queue is turned off: a manager can turn on "Show Clear Queue button at Intake" in Settings.');
        }
        const ids = (db.prepare('SELECT id FROM queue_entries WHERE removed_at IS NULL').all() as Array<{ id: string }>).map((row) => row.id);
        db.prepare(`UPDATE queue_entries SET removed_at = ?, removed_by = ?, removed_reason = 'cleared' WHERE removed_at IS NULL`).run(now, actor.id);
        for (const id of ids) captureQueueRemoval(db, id);
        return { result: null, audit: { details: { cleared: ids.length, entryIds: ids } } };
      },
      now,
    );
    return this.listing.view();
  }

  saveSettings(actor: Employee, commandId: string, showClearButton: boolean): QueueView {
    const db = this.ctx.deps.sqlite();
    const now = this.ctx.deps.clock();
    applyCommand(
      db,
      { commandId, name: 'queue.settings.save', actorId: actor.id },
      () => {
        db.prepare(
          `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
           ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        ).run(SHOW_CLEAR_SETTING, JSON.stringify(showClearButton), now);
        return { result: null, audit: { details: { [SHOW_CLEAR_SETTING]: showClearButton } } };
      },
      now,
    );
    return this.listing.view();
  }

  /** What was agreed at check-in for a queue entry (checkout caps the ticket at these). */
  agreedAllotments(entryId: string): QueueAllotment[] {
    return this.ctx.deps
      .sqlite()
      .prepare('SELECT limit_id AS limitId, label, amount, unit, ceiling FROM queue_allotments WHERE entry_id = ? ORDER BY rowid')
      .all(entryId) as QueueAllotment[];
  }

  /** Checkout calls this when a queued customer's sale is finished. */
  markServed(actorId: string | null, entryId: string): void {
    const db = this.ctx.deps.sqlite();
    const served = db
      .prepare(`UPDATE queue_entries SET removed_at = ?, removed_by = ?, removed_reason = 'served' WHERE (id = ? OR parent_entry_id = ?) AND removed_at IS NULL RETURNING id`)
      .all(this.ctx.deps.clock(), actorId, entryId, entryId) as Array<{ id: string }>;
    for (const row of served) captureQueueRemoval(db, row.id);
  }
}
