/**
 * Caregivers through the store hub (research/hub.md §4.2): a caregiver checked in at intake for a
 * patient kept on their profile is served at a register, which claims the *patient's* allotment
 * (the grant is the patient's, not the caregiver's), sells under it, and the hub charges the
 * patient's grant. Another register cannot take that allotment. A patient taken off a caregiver's
 * profile at one station is taken off at every station (its own command kind) and an older edit
 * arriving later does not bring them back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { newId } from '../../main/store/ids.js';
import type { QueueEntry } from '../../preload/contract/queue.js';
import type { TestHub } from '../support/hub-server.js';
import { customerIdByName, fastSync, openQueue, startStore, type Station, type StoreOnHub, synced, until } from '../support/stations.js';

const FLOWER = '7194220405500100'; // Prairie Sunset Flower 3.5g

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

function keptPatient(station: Station, id: string): unknown {
  return station.db.prepare('SELECT first_name FROM caregiver_patients WHERE id = ?').get(id);
}

interface TicketView {
  ticketId: string;
  saleCommandId: string;
  totals: { totalCents: number };
}

describe('caregivers through the hub', () => {
  it("a caregiver's sale for a kept patient claims and uses the patient's grant; another register cannot take it", async () => {
    const henry = customerIdByName(intake, 'Henry', 'Alvarez');
    const paula = await intake.call<{ id: string }>('customers.addPatient', {
      commandId: ulid(),
      caregiverId: henry,
      patient: { firstName: 'Paula', lastName: 'Patient', medicalLicence: 'MP2J6N4Q8B', licenceExpires: '2030-05-31', dateOfBirth: '1990-04-02' },
    });
    for (const station of [r1, r2]) await until(`${station.name} keeps Paula on Henry's profile`, () => keptPatient(station, paula.id) !== undefined);

    await intake.call('queue.checkIn.prepare', { customerId: henry, as: 'caregiver', patientId: paula.id });
    const entry = await intake.call<QueueEntry>('queue.checkIn', { commandId: newId(), customerId: henry, as: 'caregiver', patientId: paula.id, allotments: [] });
    await until('Register 1 shows Henry for Paula', () => openQueue(r1).some((row) => row.id === entry.id));
    // The entry names the patient at the register too (the ticket opens on her allotment).
    expect(r1.db.prepare('SELECT caregiver_patient_id AS p FROM queue_entries WHERE id = ?').get(entry.id)).toEqual({ p: paula.id });
    // The hub keeps the check-in's figure as Paula's, not Henry's.
    const balances = await hub.hub.pool.query<{ customer_id: string }>('SELECT customer_id FROM allotment_balances WHERE customer_id = ANY($1)', [[paula.id, henry]]);
    expect(balances.rows.map((r) => r.customer_id)).toEqual([paula.id]);

    // Register 1 serves Henry: the grant it receives is Paula's.
    const commandId = newId();
    const ticket = await r1.call<TicketView>('checkout.ticket.open', { saleCommandId: commandId, customerId: henry, queueEntryId: entry.id });
    const grant = await hub.hub.pool.query<{ grant_id: string; customer_id: string; device_id: string }>("SELECT grant_id, customer_id, device_id FROM allotment_grants WHERE status = 'open' AND customer_id = ANY($1)", [[paula.id, henry]]);
    expect(grant.rows).toHaveLength(1);
    expect(grant.rows[0]!.customer_id).toBe(paula.id);
    expect(r1.db.prepare("SELECT customer_id FROM hub_grants WHERE status = 'open'").all()).toEqual([{ customer_id: paula.id }]);

    // Register 2 opens a ticket for Henry on the same visit: refused, Register 1 holds Paula's allotment.
    const other = await r2.call<TicketView>('checkout.ticket.open', { saleCommandId: newId(), customerId: henry, queueEntryId: entry.id });
    const scannedElsewhere = await r2.call<{ ticket: TicketView; refusal: unknown }>('checkout.ticket.scan', { ticketId: other.ticketId, code: FLOWER, quantity: 1 });
    const refused = await r2.r.call('checkout.sale.complete', { commandId: other.saleCommandId, ticketId: other.ticketId, tenders: [{ kind: 'cash', amountCents: scannedElsewhere.ticket.totals.totalCents }] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!refused.ok && refused.error.message).toMatch(/Register 1/);

    // Register 1 sells: the hub charges the sale to Paula's grant.
    const scanned = await r1.call<{ ticket: TicketView; refusal: unknown }>('checkout.ticket.scan', { ticketId: ticket.ticketId, code: FLOWER, quantity: 1 });
    expect(scanned.refusal).toBeNull();
    const sold = await r1.r.call('checkout.sale.complete', { commandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: scanned.ticket.totals.totalCents }] });
    expect(sold.ok).toBe(true);
    await synced(r1);
    const sale = await hub.hub.pool.query<{ grant_id: string | null; flagged: boolean; patient: string }>(
      "SELECT grant_id, flagged, data ->> 'patientCustomerId' AS patient FROM sales WHERE customer_id = $1",
      [henry],
    );
    expect(sale.rows).toEqual([{ grant_id: grant.rows[0]!.grant_id, flagged: false, patient: paula.id }]);
    const charged = await hub.hub.pool.query<{ sold: Record<string, number> }>('SELECT sold FROM allotment_grants WHERE grant_id = $1', [grant.rows[0]!.grant_id]);
    expect(charged.rows[0]!.sold.usable_cannabis).toBeGreaterThan(0);
  }, 120_000);

  it('a patient taken off a caregiver profile at one register is taken off at every station, and an older edit does not bring them back', async () => {
    const grace = customerIdByName(r1, 'Grace', 'Chen');
    const pat = await r1.call<{ id: string }>('customers.addPatient', {
      commandId: ulid(),
      caregiverId: grace,
      patient: { firstName: 'Pat', lastName: 'Second', medicalLicence: 'MP4K7M2X9C', licenceExpires: '2030-05-31', dateOfBirth: '1988-01-02' },
    });
    for (const station of [intake, r2]) await until(`${station.name} keeps Pat`, () => keptPatient(station, pat.id) !== undefined);
    // Register 2, cut off from the hub, edits Pat's record; Register 1 then removes Pat.
    r2.proxy.set('reset');
    await until('Register 2 knows the hub is offline', async () => (await r2.status()).offlineSince !== null);
    await r2.call('customers.updatePatient', {
      commandId: ulid(),
      id: pat.id,
      patient: { firstName: 'Patricia', lastName: 'Second', medicalLicence: 'MP4K7M2X9C', licenceExpires: '2030-05-31', dateOfBirth: '1988-01-02' },
    });
    await r1.call('customers.removePatient', { commandId: ulid(), id: pat.id });
    expect(keptPatient(r1, pat.id)).toBeUndefined();
    await synced(r1);
    const removal = r1.db.prepare("SELECT state FROM hub_outbox WHERE kind = 'caregiver_patient.remove'").all();
    expect(removal).toEqual([{ state: 'applied' }]);
    await until('intake took Pat off Grace', () => keptPatient(intake, pat.id) === undefined);

    // Register 2's older edit arrives after the removal: Pat stays removed everywhere.
    r2.proxy.set('pass');
    await synced(r2);
    await until('Register 2 took Pat off Grace', () => keptPatient(r2, pat.id) === undefined);
    const onHub = await hub.hub.pool.query<{ removed: string | null }>("SELECT data ->> 'removedAt' AS removed FROM caregiver_patients WHERE id = $1", [pat.id]);
    expect(onHub.rows[0]!.removed).not.toBeNull();
    await intake.r.call('hub.status');
    expect(keptPatient(intake, pat.id)).toBeUndefined();
  }, 120_000);
});
