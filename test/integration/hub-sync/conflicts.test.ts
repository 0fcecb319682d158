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
});
