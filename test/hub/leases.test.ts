/**
 * Queue claim leases (research/hub.md §4.4): a register serving a customer renews its claim's lease
 * while a ticket for the customer is open at its counter (every 30 s in a store; here a 4 s lease renewed
 * every 0.4 s, injected), so no other register can take the customer however long the sale takes;
 * once the customer leaves its queue it stops renewing and the lease runs out on the hub's clock.
 * Every station's queue shows who is serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubSyncOptions } from '../../main/core/modules.js';
import { newId } from '../../main/store/ids.js';
import type { QueueView } from '../../preload/contract/queue.js';
import type { TestHub } from '../support/hub-server.js';
import { customerIdByName, fastSync, openQueue, startStore, type Station, type StoreOnHub, until } from '../support/stations.js';

// Long enough that a loaded machine stalling a renewal for a few seconds cannot let the lease lapse.
const LEASE_MS = 4000;

let store: StoreOnHub | undefined;
let hub: TestHub;
let intake: Station;
let r1: Station;
let r2: Station;

beforeAll(async () => {
  fastSync();
  hubSyncOptions.leaseRenewMs = 400;
  store = await startStore({ hub: { leaseMs: LEASE_MS } });
  ({ hub, intake } = store);
  [r1, r2] = store.registers as [Station, Station];
}, 240_000);

afterAll(async () => {
  await store?.stop();
  delete hubSyncOptions.leaseRenewMs;
}, 60_000);

async function hubLease(entryId: string): Promise<{ claimed_by: string | null; lease_until: number | null; lease_epoch: number }> {
  const { rows } = await hub.hub.pool.query<{ claimed_by: string | null; lease_until: string | null; lease_epoch: number }>(
    'SELECT claimed_by, lease_until, lease_epoch FROM queue_entries WHERE id = $1',
    [entryId],
  );
  const row = rows[0]!;
  return { claimed_by: row.claimed_by, lease_until: row.lease_until === null ? null : Number(row.lease_until), lease_epoch: row.lease_epoch };
}

function deviceId(station: Station): string {
  return (station.db.prepare('SELECT device_id FROM hub_sync WHERE id = 1').get() as { device_id: string }).device_id;
}

describe('claim leases', () => {
  it('are renewed while the customer is being served, so no other register takes them; they run out once the customer left', async () => {
    const samuel = customerIdByName(intake, 'Samuel', 'Okafor');
    await intake.call('queue.checkIn.prepare', { customerId: samuel, as: 'medical' });
    const entry = await intake.call<{ id: string }>('queue.checkIn', { commandId: newId(), customerId: samuel, as: 'medical', allotments: [] });
    await until('Register 1 shows Samuel', () => openQueue(r1).some((row) => row.id === entry.id));

    // Register 1 opens his ticket: it claims him on the hub.
    await r1.call('checkout.ticket.open', { saleCommandId: newId(), customerId: samuel, queueEntryId: entry.id });
    const first = await hubLease(entry.id);
    expect(first.claimed_by).toBe(deviceId(r1));
    // Intake's queue says who serves him.
    await until('intake shows Register 1 serving Samuel', async () => {
      const view = await intake.call<QueueView>('queue.list');
      return view.entries.find((e) => e.id === entry.id)?.servedBy === 'Register 1';
    });

    // Three whole leases later the claim still holds: Register 1 renewed it (the lease moved on)
    // while his ticket stayed open. The renewals wrote nothing to the change log (nothing for the
    // stations to pull), and intake still shows who serves him.
    const changeRows = async () => Number((await hub.hub.pool.query<{ n: string }>('SELECT count(*) AS n FROM change_log')).rows[0]!.n);
    const rowsBefore = await changeRows();
    const started = Date.now();
    await until('three leases have passed', () => Date.now() - started > 3 * LEASE_MS, 30_000);
    const later = await hubLease(entry.id);
    expect(later.claimed_by).toBe(deviceId(r1));
    expect(later.lease_epoch).toBe(first.lease_epoch);
    expect(later.lease_until!).toBeGreaterThan(first.lease_until! + 2 * LEASE_MS);
    expect(await changeRows()).toBe(rowsBefore);
    const shown = await intake.call<QueueView>('queue.list');
    expect(shown.entries.find((e) => e.id === entry.id)?.servedBy).toBe('Register 1');
    // Register 2 tries to take him: refused, Register 1 is serving him.
    await r2.call('checkout.ticket.open', { saleCommandId: newId(), customerId: samuel, queueEntryId: entry.id });
    expect((await hubLease(entry.id)).claimed_by).toBe(deviceId(r1));
    expect(r2.db.prepare('SELECT COUNT(*) AS n FROM hub_grants WHERE customer_id = ?').get(samuel)).toEqual({ n: 0 });

    // Register 1 stops serving him without a sale (he stepped out of the line here, not at the hub):
    // it stops renewing, and once the lease ran out Register 2 can call him.
    r1.db.prepare('UPDATE queue_entries SET removed_at = ? WHERE id = ?').run(Date.now(), entry.id);
    await until('the lease ran out on the hub', async () => (await hubLease(entry.id)).lease_until! < Date.now(), 30_000);
    await r2.call('checkout.ticket.open', { saleCommandId: newId(), customerId: samuel, queueEntryId: entry.id });
    const taken = await hubLease(entry.id);
    expect(taken.claimed_by).toBe(deviceId(r2));
    expect(taken.lease_epoch).toBe(first.lease_epoch + 1);
    await until('intake shows Register 2 serving Samuel', async () => {
      const view = await intake.call<QueueView>('queue.list');
      return view.entries.find((e) => e.id === entry.id)?.servedBy === 'Register 2';
    });
  }, 120_000);
  it('are cleared by the hub once they ran out while their register is cut off, so no station keeps showing the customer served there', async () => {
    const rosa = customerIdByName(intake, 'Rosa', 'Delgado');
    await intake.call('queue.checkIn.prepare', { customerId: rosa, as: 'medical' });
    const entry = await intake.call<{ id: string }>('queue.checkIn', { commandId: newId(), customerId: rosa, as: 'medical', allotments: [] });
    await until('Register 1 shows Rosa', () => openQueue(r1).some((row) => row.id === entry.id));
    await r1.call('checkout.ticket.open', { saleCommandId: newId(), customerId: rosa, queueEntryId: entry.id });
    expect((await hubLease(entry.id)).claimed_by).toBe(deviceId(r1));
    const servedBy = async (station: Station) => (await station.call<QueueView>('queue.list')).entries.find((e) => e.id === entry.id)?.servedBy ?? null;
    for (const station of [intake, r2]) await until(`${station.name} shows Register 1 serving Rosa`, async () => (await servedBy(station)) === 'Register 1');

    // Register 1 dies while serving her (its link goes silent: no renewal, no release reaches the hub).
    r1.proxy.set('blackhole');
    try {
      await until('the hub cleared the run-out claim', async () => (await hubLease(entry.id)).claimed_by === null, 30_000);
      const cleared = await hub.hub.pool.query<{ claimed_by: string | null }>(
        "SELECT data ->> 'claimedBy' AS claimed_by FROM change_log WHERE entity = 'queue_entry' AND entity_id = $1 ORDER BY version DESC LIMIT 1",
        [entry.id],
      );
      expect(cleared.rows[0]?.claimed_by).toBeNull();
      for (const station of [intake, r2]) await until(`${station.name} no longer shows Rosa served`, async () => (await servedBy(station)) === null);
      // Still in the queue: another register can call her.
      expect(openQueue(r2).some((row) => row.id === entry.id)).toBe(true);
      await r2.call('checkout.ticket.open', { saleCommandId: newId(), customerId: rosa, queueEntryId: entry.id });
      expect((await hubLease(entry.id)).claimed_by).toBe(deviceId(r2));
    } finally {
      r1.proxy.set('pass');
      r1.proxy.resetOpen();
    }
  }, 120_000);
});
