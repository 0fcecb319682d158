/**
 * Check-in and the queue, as the core and checkout reach them. The work is split by use case:
 * context.ts (rules, today, a customer's facts), listing.ts (the view and the customer search),
 * check-in.ts (refusals and the purchase allotment), changes.ts (reorder, remove, clear, served).
 */
import type { CheckInPreparation, CheckInType, PatientKind, QueueAllotment, QueueCustomerHit, QueueEntry, QueueView } from '../../preload/contract/queue.js';
import type { Employee } from '../../preload/api.js';
import { QueueChanges } from './changes.js';
import { QueueCheckIn } from './check-in.js';
import { QueueContext, type QueueServiceDeps } from './context.js';
import { QueueListing } from './listing.js';

export type { QueueServiceDeps } from './context.js';
export { SHOW_CLEAR_SETTING } from './listing.js';
export { LOOKUP_FRESH_MS, formatAmount } from './check-in.js';

export class QueueService {
  private readonly listing: QueueListing;
  private readonly checkIns: QueueCheckIn;
  private readonly changes: QueueChanges;

  constructor(deps: QueueServiceDeps) {
    const ctx = new QueueContext(deps);
    this.listing = new QueueListing(ctx);
    this.checkIns = new QueueCheckIn(ctx, this.listing);
    this.changes = new QueueChanges(ctx, this.listing);
  }

  view(): QueueView {
    return this.listing.view();
  }

  /** A new version number for the view that follows a change. */
  bump(): void {
    this.listing.bump();
  }

  showClearButton(): boolean {
    return this.listing.showClearButton();
  }

  findCustomers(query: string, limit: number): QueueCustomerHit[] {
    return this.listing.findCustomers(query, limit);
  }

  prepare(customerId: string, as: CheckInType | undefined, patientId?: string, patientKind?: PatientKind): Promise<CheckInPreparation> {
    return this.checkIns.prepare(customerId, as, patientId, patientKind);
  }

  checkIn(actor: Employee, request: Parameters<QueueCheckIn['checkIn']>[1]): QueueEntry {
    return this.checkIns.checkIn(actor, request);
  }

  reorder(actor: Employee, commandId: string, order: string[]): QueueView {
    return this.changes.reorder(actor, commandId, order);
  }

  remove(actor: Employee, commandId: string, entryId: string): QueueView {
    return this.changes.remove(actor, commandId, entryId);
  }

  clear(actor: Employee, commandId: string): QueueView {
    return this.changes.clear(actor, commandId);
  }

  saveSettings(actor: Employee, commandId: string, showClearButton: boolean): QueueView {
    return this.changes.saveSettings(actor, commandId, showClearButton);
  }

  /** What was agreed at check-in for a queue entry (checkout caps the ticket at these). */
  agreedAllotments(entryId: string): QueueAllotment[] {
    return this.changes.agreedAllotments(entryId);
  }

  /** Checkout calls this when a queued customer's sale is finished. */
  markServed(actorId: string | null, entryId: string): void {
    this.changes.markServed(actorId, entryId);
  }
}
