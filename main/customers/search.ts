/** Customers: search, recent customers and check-ins, caregivers. */
import type { CustomerSummary, SearchField } from '../../preload/contract/customers.js';
import { emailKey, idKey, licenceFingerprint, nameKey, parseDateEntry, phoneQueryKey, prefixEnd } from './normalise.js';
import { SUMMARY_COLUMNS, type SummaryRow, RECENT_CHECK_IN_SCAN, mergeRows, parseDetails, describeAction, displayName, type RecentCheckIn } from './shared.js';
import { CustomerBase } from './base.js';

export abstract class CustomerSearch extends CustomerBase {
  // -------------------------------------------------------------------------------------------
  // Search
  // -------------------------------------------------------------------------------------------

  search(field: SearchField, query: string, limit: number, tagId: string | null = null): { results: CustomerSummary[]; note: string | null; tookMs: number } {
    const started = performance.now();
    const { rows, note } = tagId === null ? this.searchRows(field, query.trim(), limit) : this.searchTagged(field, query.trim(), limit, tagId);
    // Shown in name order whatever the field (mergeRows sorts and trims to the limit).
    return { results: mergeRows([rows], limit).map((r) => this.summary(r)), note, tookMs: performance.now() - started };
  }

  /**
   * Rewards tags (issue 9): only customers with the tag. No query lists them all by name; a query
   * is searched as usual over a wider window, then filtered to the tag.
   */
  protected searchTagged(field: SearchField, query: string, limit: number, tagId: string): { rows: SummaryRow[]; note: string | null } {
    if (query === '') {
      const rows = this.prepare(
        `SELECT ${SUMMARY_COLUMNS.split(',').map((c) => `c.${c.trim()}`).join(', ')} FROM customer_tag_links l JOIN customers c ON c.id = l.customer_id
          WHERE l.tag_id = ? ORDER BY c.search_last, c.search_first LIMIT ?`,
      ).all(tagId, limit) as SummaryRow[];
      return { rows, note: null };
    }
    const { rows, note } = this.searchRows(field, query, 500);
    const tagged = new Set((this.prepare('SELECT customer_id FROM customer_tag_links WHERE tag_id = ?').all(tagId) as Array<{ customer_id: string }>).map((r) => r.customer_id));
    return { rows: rows.filter((row) => tagged.has(row.id)).slice(0, limit), note };
  }

  protected searchRows(field: SearchField, query: string, limit: number): { rows: SummaryRow[]; note: string | null } {
    const byPrefix = (column: string, key: string, order: string): SummaryRow[] =>
      this.prepare(`SELECT ${SUMMARY_COLUMNS} FROM customers WHERE ${column} >= ? AND ${column} < ? ORDER BY ${order} LIMIT ?`).all(
        key,
        prefixEnd(key),
        limit,
      ) as SummaryRow[];
    switch (field) {
      case 'name': {
        if (query === '') return { rows: [], note: 'Type a name.' };
        const comma = query.split(',').map((part) => part.trim()).filter(Boolean);
        const words = query.split(/\s+/).filter(Boolean);
        if (comma.length === 2) return { rows: this.byTwoNames(comma[1]!, comma[0]!, limit), note: null };
        if (words.length >= 2) {
          const first = words[0]!;
          const last = words.slice(1).join(' ');
          const rows = mergeRows([this.byTwoNames(first, last, limit), this.byTwoNames(last, first, limit)], limit);
          return { rows, note: null };
        }
        const key = nameKey(query);
        const rows = mergeRows(
          [
            byPrefix('search_last', key, 'search_last, search_first'),
            byPrefix('search_first', key, 'search_first, search_last'),
            byPrefix('search_nickname', key, 'search_nickname'),
          ],
          limit,
        );
        return { rows, note: null };
      }
      case 'phone': {
        const key = phoneQueryKey(query);
        if (key.length < 3) return { rows: [], note: 'Type at least 3 digits of the phone number.' };
        return { rows: byPrefix('search_phone', key, 'search_phone'), note: null };
      }
      case 'email': {
        if (query.length < 2) return { rows: [], note: 'Type at least 2 characters of the email.' };
        return { rows: byPrefix('search_email', emailKey(query), 'search_email'), note: null };
      }
      case 'licence': {
        if (query.length < 3) return { rows: [], note: 'Type at least 3 characters of the licence number.' };
        const secret = this.licenceSecret(false);
        const exact = secret
          ? (this.prepare(`SELECT ${SUMMARY_COLUMNS} FROM customers WHERE licence_key = ? LIMIT ?`).all(licenceFingerprint(secret, query), limit) as SummaryRow[])
          : [];
        if (!this.mayKeepLicenceData()) {
          return {
            rows: exact,
            note: exact.length === 0 ? 'Licence numbers are kept only as a fingerprint here: type the whole number, or scan the licence.' : null,
          };
        }
        return { rows: mergeRows([exact, byPrefix('search_licence', idKey(query), 'search_licence')], limit), note: null };
      }
      case 'medical_id': {
        if (query.length < 2) return { rows: [], note: 'Type at least 2 characters of the medical ID.' };
        const key = idKey(query);
        return { rows: mergeRows([byPrefix('search_medical_id', key, 'search_medical_id'), byPrefix('search_caregiver_id', key, 'search_caregiver_id')], limit), note: null };
      }
      case 'rewards_card': {
        const hasTable = this.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'rewards_cards'").get();
        if (!hasTable) return { rows: [], note: 'Rewards cards arrive with the rewards issue: no card numbers to search yet.' };
        const rows = this.prepare(
          `SELECT ${SUMMARY_COLUMNS.split(',').map((c) => `c.${c.trim()}`).join(', ')} FROM rewards_cards r JOIN customers c ON c.id = r.customer_id
            WHERE r.card_number >= ? AND r.card_number < ? AND r.replaced_at IS NULL LIMIT ?`,
        ).all(query, prefixEnd(query), limit) as SummaryRow[];
        return { rows, note: null };
      }
      case 'birth_date': {
        const date = parseDateEntry(query);
        if (!date) return { rows: [], note: 'Type the birth date as 11/30/2017 or 11302017.' };
        const rows = this.prepare(`SELECT ${SUMMARY_COLUMNS} FROM customers WHERE date_of_birth = ? ORDER BY search_last LIMIT ?`).all(
          date,
          limit,
        ) as SummaryRow[];
        return { rows, note: null };
      }
    }
  }

  /** First-name prefix and last-name prefix together: a range on the last name, filtered in the index. */
  protected byTwoNames(first: string, last: string, limit: number): SummaryRow[] {
    const firstKey = nameKey(first);
    const lastKey = nameKey(last);
    return this.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM customers
        WHERE search_last >= ? AND search_last < ? AND search_first >= ? AND search_first < ?
        ORDER BY search_last, search_first LIMIT ?`,
    ).all(lastKey, prefixEnd(lastKey), firstKey, prefixEnd(firstKey), limit) as SummaryRow[];
  }

  recent(limit: number): Array<CustomerSummary & { lastActivityAt: number; lastActivity: string }> {
    // Newest audit events that name a customer: check-ins, sales, profile and rewards changes.
    const events = this.prepare(
      `SELECT customerId, action, at, details FROM (
         SELECT * FROM (SELECT seq, customer_id AS customerId, action, at, details FROM audit_events WHERE customer_id IS NOT NULL ORDER BY seq DESC LIMIT 1000)
         UNION ALL
         SELECT * FROM (SELECT seq, customer_id AS customerId, action, at, details FROM audit_events_archive WHERE customer_id IS NOT NULL ORDER BY seq DESC LIMIT 1000))
       ORDER BY seq DESC LIMIT 1000`,
    ).all() as Array<{ customerId: string; action: string; at: number; details?: string }>;
    const seen = new Map<string, { action: string; at: number; details?: string }>();
    for (const event of events) if (!seen.has(event.customerId)) seen.set(event.customerId, event);
    if (seen.size < limit) {
      const rows = this.prepare('SELECT id, updated_at FROM customers ORDER BY updated_at DESC LIMIT ?').all(limit) as Array<{ id: string; updated_at: number }>;
      for (const row of rows) if (!seen.has(row.id)) seen.set(row.id, { action: 'customers.updated', at: row.updated_at });
    }
    const out: Array<CustomerSummary & { lastActivityAt: number; lastActivity: string }> = [];
    for (const [id, activity] of [...seen.entries()].slice(0, limit)) {
      const row = this.prepare(`SELECT ${SUMMARY_COLUMNS} FROM customers WHERE id = ?`).get(id) as SummaryRow | undefined;
      if (row) out.push({ ...this.summary(row), lastActivityAt: activity.at, lastActivity: describeAction(activity.action, parseDetails(activity.details)) });
    }
    return out;
  }

  /**
   * The Directory: customers by their latest check-in, newest first, one line each. Queue entries
   * are never deleted (leaving the queue only marks them), so this is the check-in record. Entry ids
   * are ULIDs made at check-in, so walking the primary key backwards is newest first without a sort;
   * the walk stops at `limit` customers and never reads more than RECENT_CHECK_IN_SCAN entries.
   */
  recentCheckIns(limit: number): RecentCheckIn[] {
    const rows = this.prepare(
      `SELECT ${SUMMARY_COLUMNS.split(',').map((column) => `c.${column.trim()}`).join(', ')},
              q.checked_in_at AS checkedInAt, q.checked_in_as AS checkedInAs, q.removed_at AS removedAt, e.name AS checkedInByName
         FROM queue_entries q
         JOIN customers c ON c.id = q.customer_id
         LEFT JOIN employees e ON e.id = q.checked_in_by
        ORDER BY q.id DESC LIMIT ${RECENT_CHECK_IN_SCAN}`,
    );
    type Row = SummaryRow & { checkedInAt: number; checkedInAs: CustomerSummary['customerType']; removedAt: number | null; checkedInByName: string | null };
    // Collected first, summarised after: no other statement runs while the iterator is open.
    const latest = new Map<string, Row>();
    for (const row of rows.iterate() as Iterable<Row>) {
      if (latest.has(row.id)) continue;
      latest.set(row.id, row);
      if (latest.size >= limit) break;
    }
    return [...latest.values()].map((row) => ({
      ...this.summary(row),
      checkedInAt: row.checkedInAt,
      checkedInAs: row.checkedInAs,
      checkedInByName: row.checkedInByName,
      inQueue: row.removedAt === null,
    }));
  }

  caregivers(query: string): CustomerSummary[] {
    const key = nameKey(query.trim());
    const rows = this.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM customers WHERE customer_type = 'caregiver' AND search_last >= ? AND search_last < ?
        ORDER BY search_last, search_first LIMIT 50`,
    ).all(key, prefixEnd(key)) as SummaryRow[];
    return rows.map((r) => this.summary(r));
  }

  protected summary(row: SummaryRow): CustomerSummary {
    const labels = this.warningLabels();
    const warnings: string[] = [];
    if (row.warning_1) warnings.push(labels[0]);
    if (row.warning_2) warnings.push(labels[1]);
    return {
      id: row.id,
      customerType: row.customer_type,
      displayName: displayName(row.first_name, row.last_name, row.nickname),
      firstName: row.first_name,
      lastName: row.last_name,
      nickname: row.nickname,
      dateOfBirth: row.date_of_birth,
      phone: row.phone,
      email: row.email,
      medicalId: row.medical_id,
      caregiverId: row.caregiver_id,
      banned: row.banned === 1,
      warnings,
      updatedAt: row.updated_at,
    };
  }

}
