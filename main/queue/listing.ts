/**
 * Reading the queue: the view every screen shows (tiles in order, nested patients under their
 * caregiver, each with its agreed allotment and photo), the customer search at check-in, and the
 * view's version number.
 */
import type { QueueAllotment, QueueCustomerHit, QueueEntry, QueueView, CheckInType } from '../../preload/contract/queue.js';
import type { QueueContext } from './context.js';
import { nameKey, prefixEnd } from '../customers/normalise.js';

/**
 * The queue view's version, shared by every QueueService in the process (checkout keeps its own
 * instance to mark customers served): a screen never mistakes a newer view for an older one.
 */
let latestVersion = 0;

export const SHOW_CLEAR_SETTING = 'queue.showClearButton';

export class QueueListing {
  constructor(private readonly ctx: QueueContext) {
    latestVersion = Math.max(latestVersion, ctx.deps.clock());
  }

  view(): QueueView {
    const db = this.ctx.deps.sqlite();
    const rows = db
      .prepare(
        `SELECT q.id, q.customer_id AS customerId, q.checked_in_as AS checkedInAs, q.parent_entry_id AS parentEntryId,
                q.position, q.checked_in_at AS checkedInAt, e.name AS checkedInByName, q.allotment_source AS allotmentSource,
                c.first_name AS firstName, c.last_name AS lastName, c.customer_type AS customerType,
                -- The chosen photo, else the latest ID image kept on the profile (a captured or uploaded Full License).
                coalesce(d.id, (SELECT x.id FROM customer_documents x WHERE x.customer_id = q.customer_id AND x.kind = 'full_licence'
                                   AND x.mime IN ('image/jpeg', 'image/png', 'image/webp') ORDER BY x.added_at DESC, x.id DESC LIMIT 1)) AS photoDocumentId,
                coalesce(cp.first_name || ' ' || cp.last_name, pc.first_name || ' ' || pc.last_name) AS forPatient,
                -- The store hub's claim (issue 15): the station serving this customer. The hub sends who holds
                -- it (a new holder, a release), not each renewal, so the lease's end here is not watched.
                hc.device_name AS servedBy
           FROM queue_entries q
           JOIN customers c ON c.id = q.customer_id
           LEFT JOIN caregiver_patients cp ON cp.id = q.caregiver_patient_id
           LEFT JOIN customers pc ON pc.id = q.patient_customer_id
           LEFT JOIN employees e ON e.id = q.checked_in_by
           LEFT JOIN customer_profiles p ON p.customer_id = q.customer_id
           LEFT JOIN customer_documents d ON d.id = p.photo_document_id AND d.mime IN ('image/jpeg', 'image/png', 'image/webp')
           LEFT JOIN hub_queue_claims hc ON hc.entry_id = q.id
          WHERE q.removed_at IS NULL
          ORDER BY q.position, q.id`,
      )
      .all() as Array<{
      id: string;
      customerId: string;
      checkedInAs: CheckInType;
      parentEntryId: string | null;
      position: number;
      checkedInAt: number;
      checkedInByName: string | null;
      allotmentSource: QueueEntry['allotmentSource'];
      firstName: string;
      lastName: string;
      photoDocumentId: string | null;
      customerType: CheckInType;
      forPatient: string | null;
      servedBy: string | null;
    }>;
    const allotments = db
      .prepare(
        `SELECT a.entry_id AS entryId, a.limit_id AS limitId, a.label, a.amount, a.unit, a.ceiling
           FROM queue_allotments a JOIN queue_entries q ON q.id = a.entry_id
          WHERE q.removed_at IS NULL ORDER BY a.rowid`,
      )
      .all() as Array<QueueAllotment & { entryId: string }>;
    const byEntry = new Map<string, QueueAllotment[]>();
    for (const { entryId, ...allotment } of allotments) {
      const list = byEntry.get(entryId) ?? [];
      list.push(allotment);
      byEntry.set(entryId, list);
    }
    const toEntry = (row: (typeof rows)[number]): QueueEntry => ({
      id: row.id,
      customerId: row.customerId,
      displayName: `${row.firstName} ${row.lastName}`,
      initials: `${row.firstName.charAt(0)}${row.lastName.charAt(0)}`.toUpperCase(),
      photoDocumentId: row.photoDocumentId,
      checkedInAs: row.checkedInAs,
      parentEntryId: row.parentEntryId,
      checkedInAt: row.checkedInAt,
      checkedInByName: row.checkedInByName,
      allotmentSource: row.allotmentSource,
      allotments: byEntry.get(row.id) ?? [],
      warnings: this.ctx.customer(row.customerId)?.warnings ?? [],
      forPatient: row.forPatient,
      forSelf: row.customerType === 'caregiver' && row.checkedInAs !== 'caregiver',
      servedBy: row.servedBy,
    });
    const open = new Set(rows.map((row) => row.id));
    const top = rows.filter((row) => row.parentEntryId === null || !open.has(row.parentEntryId));
    const entries: QueueEntry[] = [];
    for (const row of top) {
      entries.push(toEntry(row));
      for (const child of rows.filter((candidate) => candidate.parentEntryId === row.id)) entries.push(toEntry(child));
    }
    return { entries, showClearButton: this.showClearButton(), version: latestVersion };
  }

  /** A new version number for the view that follows a change. */
  bump(): void {
    latestVersion = Math.max(latestVersion + 1, this.ctx.deps.clock());
  }

  showClearButton(): boolean {
    const row = this.ctx.deps.sqlite().prepare('SELECT value FROM settings WHERE key = ?').get(SHOW_CLEAR_SETTING) as { value: string } | undefined;
    return row ? row.value === 'true' : false;
  }

  findCustomers(query: string, limit: number): QueueCustomerHit[] {
    const db = this.ctx.deps.sqlite();
    // Each word is the start of the first or the last name (case and spaces ignored), read as a
    // range of the name indexes (customers_search_name, customers_search_first): never a walk of
    // every customer comparing names.
    const words = query.split(/\s+/).map(nameKey).filter(Boolean).slice(0, 3);
    if (words.length === 0) return [];
    const where = words.map(() => `((c.search_last >= ? AND c.search_last < ?) OR (c.search_first >= ? AND c.search_first < ?))`).join(' AND ');
    const params = words.flatMap((word) => [word, prefixEnd(word), word, prefixEnd(word)]);
    const rows = db
      .prepare(
        `SELECT c.id, c.first_name AS firstName, c.last_name AS lastName, c.customer_type AS customerType, c.date_of_birth AS dateOfBirth,
                EXISTS (SELECT 1 FROM queue_entries q WHERE q.customer_id = c.id AND q.removed_at IS NULL) AS inQueue
           FROM customers c WHERE ${where} ORDER BY c.search_last, c.search_first LIMIT ?`,
      )
      .all(...params, limit) as Array<{ id: string; firstName: string; lastName: string; customerType: CheckInType; dateOfBirth: string; inQueue: number }>;
    return rows.map((row) => ({
      id: row.id,
      displayName: `${row.firstName} ${row.lastName}`,
      customerType: row.customerType,
      dateOfBirth: row.dateOfBirth,
      inQueue: row.inQueue === 1,
    }));
  }
}
