/**
 * Claims and allotment grants across registers (research/hub.md §4.2): the register that serves a
 * queued patient first holds their allotment; another register cannot sell medical to them; when
 * the holder is cut off from the hub right after its claim it still sells (and only it), and what
 * it sold lands once when the link heals, within what it was granted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PINS } from '../../main/demo/seed.js';
import { newId } from '../../main/store/ids.js';
import type { ResponseEnvelope } from '../../preload/api.js';
import type { TestHub } from '../support/hub-server.js';
import { customerIdByName, fastSync, openQueue, startStore, type Station, type StoreOnHub, synced, until } from '../support/stations.js';

let store: StoreOnHub | undefined;
let hub: TestHub;
let intake: Station;
let r1: Station;
let r2: Station;

beforeAll(async () => {
  fastSync();
  store = await startStore();
  ({ hub, intake } = store);
  [r1, r2] = store.registers as [Station, Station];
}, 240_000);

afterAll(() => store?.stop(), 60_000);

interface Ticket {
  ticketId: string;
  totals: { totalCents: number };
}

/** Opens a ticket for the queued customer and scans one medical product. */
async function ring(station: Station, customerId: string, entryId: string): Promise<{ ticket: Ticket; commandId: string }> {
  const commandId = newId();
  const ticket = await station.call<Ticket>('checkout.ticket.open', { saleCommandId: commandId, customerId, queueEntryId: entryId });
  const code = (station.db.prepare('SELECT trace_barcode AS code FROM products WHERE sold_medical = 1 AND archived_at IS NULL ORDER BY usable_weight_mg LIMIT 1').get() as { code: string }).code;
  const scanned = await station.call<{ ticket: Ticket; refusal: unknown }>('checkout.ticket.scan', { ticketId: ticket.ticketId, code });
  expect(scanned.refusal).toBeNull();
  return { ticket: scanned.ticket, commandId };
}

function pay(station: Station, sale: { ticket: Ticket; commandId: string }): Promise<ResponseEnvelope> {
  return station.r.call('checkout.sale.complete', { commandId: sale.commandId, ticketId: sale.ticket.ticketId, tenders: [{ kind: 'cash', amountCents: sale.ticket.totals.totalCents }] });
}

describe('claims and grants', () => {
  it('only the register that claimed a patient sells medical to them, even cut off from the hub', async () => {
    const samuel = customerIdByName(intake, 'Samuel', 'Okafor');
    await intake.call('session.logout');
    await intake.call('session.login', { pin: DEMO_PINS.budtender });
    await intake.call('queue.checkIn.prepare', { customerId: samuel, as: 'medical' });
    const entry = await intake.call<{ id: string }>('queue.checkIn', { commandId: newId(), customerId: samuel, as: 'medical', allotments: [] });
    for (const station of [r1, r2]) await until(`${station.name} shows Samuel`, () => openQueue(station).some((row) => row.id === entry.id));

    // Register 1 calls him: it now holds his allotment grant.
    const first = await ring(r1, samuel, entry.id);
    const grant = r1.db.prepare("SELECT grant_id, granted FROM hub_grants WHERE customer_id = ? AND status = 'open'").get(samuel) as { grant_id: string; granted: string } | undefined;
    expect(grant).toBeDefined();
    // Register 2 tries too: the hub says Register 1 holds him, and the sale is refused.
    const second = await ring(r2, samuel, entry.id);
    const refused = await pay(r2, second);
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!refused.ok && refused.error.message).toMatch(/Register 1 is serving Samuel Okafor/);

    // Register 1 is cut off from the hub right after its claim: it still sells under its grant.
    r1.proxy.set('blackhole');
    r1.proxy.resetOpen();
    const sold = await pay(r1, first);
    expect(sold.ok).toBe(true);
    // Register 2, cut off too: the hub told it Register 1 holds him, and that still stands.
    r2.proxy.set('reset');
    const again = await pay(r2, second);
    expect(again.ok).toBe(false);
    expect(r2.db.prepare("SELECT COUNT(*) AS n FROM sales WHERE customer_id = ?").get(samuel)).toEqual({ n: 0 });

    // Healed: the sale lands once, under the grant, not flagged; the grant goes back with what was used.
    r1.proxy.set('pass');
    r2.proxy.set('pass');
    await synced(r1);
    await until('the hub has the sale', async () => (await hub.hub.pool.query("SELECT 1 FROM sales WHERE customer_id = $1", [samuel])).rowCount === 1);
    const mirrored = await hub.hub.pool.query<{ grant_id: string | null; flagged: boolean }>('SELECT grant_id, flagged FROM sales WHERE customer_id = $1', [samuel]);
    expect(mirrored.rows).toEqual([{ grant_id: grant!.grant_id, flagged: false }]);
    await until('the grant is returned', async () => (await hub.hub.pool.query("SELECT 1 FROM allotment_grants WHERE grant_id = $1 AND status = 'returned'", [grant!.grant_id])).rowCount === 1);
    const closed = await hub.hub.pool.query<{ granted: Array<{ amount: number }>; used: Array<{ amount: number }> }>('SELECT granted, used FROM allotment_grants WHERE grant_id = $1', [grant!.grant_id]);
    const used = closed.rows[0]!.used.reduce((sum, u) => sum + u.amount, 0);
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(closed.rows[0]!.granted.reduce((sum, g) => sum + g.amount, 0));
  });

  it("without the hub, a patient nobody holds is sold under the store's outage policy and flagged for a manager", async () => {
    const rosa = customerIdByName(intake, 'Rosa', 'Delgado');
    await intake.call('queue.checkIn.prepare', { customerId: rosa, as: 'medical' });
    const entry = await intake.call<{ id: string }>('queue.checkIn', { commandId: newId(), customerId: rosa, as: 'medical', allotments: [] });
    await until('Register 2 shows Rosa', () => openQueue(r2).some((row) => row.id === entry.id));
    r2.proxy.set('reset');
    await until('Register 2 knows the hub is offline', async () => (await r2.status()).offlineSince !== null);
    // Illinois keeps selling to medical patients while systems are down (the store's choice in Settings › Track & Trace).
    const sale = await ring(r2, rosa, entry.id);
    const sold = await pay(r2, sale);
    expect(sold.ok).toBe(true);
    r2.proxy.set('pass');
    await synced(r2);
    await until('the hub has Rosa\'s sale', async () => (await hub.hub.pool.query('SELECT 1 FROM sales WHERE customer_id = $1', [rosa])).rowCount === 1);
    const mirrored = await hub.hub.pool.query<{ grant_id: string | null; flagged: boolean }>('SELECT grant_id, flagged FROM sales WHERE customer_id = $1', [rosa]);
    expect(mirrored.rows).toEqual([{ grant_id: null, flagged: true }]);
  });
});
