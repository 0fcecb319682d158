/**
 * Settings › Store hub's list for a manager reads the records this station pulled from the hub.
 * Those came over the network: a record of another shape is left out, never a failed screen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hubConflicts } from '../../../main/hub-sync/conflicts.js';
import { openTestStore } from '../../support/trace.js';

let opened: ReturnType<typeof openTestStore> | null = null;
afterEach(() => {
  opened?.store.close();
  opened?.cleanup();
  opened = null;
});

describe('hub conflicts for a manager', () => {
  it('lists well-formed conflicts and merges with the station that lost, and leaves out records of another shape', () => {
    opened = openTestStore();
    const sqlite = opened.store.sqlite;
    const insert = sqlite.prepare('INSERT INTO hub_records (entity, id, data, version, at) VALUES (?, ?, ?, ?, ?)');
    insert.run('device', 'dev-3', JSON.stringify({ name: 'Register 3' }), 1, 1_000);
    insert.run('customer_conflict', 'c-good', JSON.stringify({ customerId: 'cust-1', field: 'nickname', keptValue: 'Sam', keptAt: 2_000, lostValue: 'Sammy', lostAt: 1_500, lostDeviceId: 'dev-3' }), 2, 2_000);
    insert.run('customer_conflict', 'c-no-customer', JSON.stringify({ field: 'nickname', keptValue: 'Sam' }), 3, 2_100);
    insert.run('customer_conflict', 'c-not-json', '{"customerId":', 4, 2_200);
    insert.run('customer_merge', 'm-good', JSON.stringify({ survivorId: 'cust-1', mergedId: 'cust-2', at: 3_000 }), 5, 3_000);
    insert.run('customer_merge', 'm-bad', JSON.stringify({ survivorId: 42 }), 6, 3_100);

    const { conflicts, merges } = hubConflicts(sqlite);
    expect(conflicts).toEqual([
      {
        id: 'c-good',
        customerId: 'cust-1',
        customerName: 'A customer not on this station',
        field: 'nickname',
        keptValue: 'Sam',
        keptAt: 2_000,
        lostValue: 'Sammy',
        lostAt: 1_500,
        lostStation: 'Register 3',
      },
    ]);
    expect(merges).toEqual([{ id: 'm-good', survivorId: 'cust-1', survivorName: 'A customer not on this station', mergedId: 'cust-2', at: 3_000 }]);
  });

  it("names the chosen photo's document by its title (or says it is not here yet), not by its id", () => {
    opened = openTestStore();
    const sqlite = opened.store.sqlite;
    sqlite
      .prepare("INSERT INTO customers (id, customer_type, first_name, last_name, date_of_birth, created_at, updated_at) VALUES ('cust-1', 'adult_use', 'Olivia', 'Hart', '1990-01-01', 1, 1)")
      .run();
    sqlite
      .prepare("INSERT INTO customer_documents (id, customer_id, kind, title, sha256, mime, size_bytes, added_at, added_by) VALUES ('doc-1', 'cust-1', 'profile_photo', 'Profile Photo 12/07/2026 10:42', ?, 'image/png', 10, 1, NULL)")
      .run('a'.repeat(64));
    sqlite
      .prepare('INSERT INTO hub_records (entity, id, data, version, at) VALUES (?, ?, ?, ?, ?)')
      .run('customer_conflict', 'c-photo', JSON.stringify({ customerId: 'cust-1', field: 'profile.photo_document_id', keptValue: 'doc-1', keptAt: 2_000, lostValue: 'doc-2', lostAt: 1_500 }), 1, 2_000);
    expect(hubConflicts(sqlite).conflicts).toEqual([
      expect.objectContaining({ customerName: 'Olivia Hart', field: 'profile.photo_document_id', keptValue: 'Profile Photo 12/07/2026 10:42', lostValue: 'A document not on this station yet' }),
    ]);
  });
});
