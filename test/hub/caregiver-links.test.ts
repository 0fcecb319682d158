/**
 * Caregivers of patient customers through the store hub (research/hub.md §4.2): a caregiver linked
 * to a patient customer at intake can buy for that patient at any register, against the patient's
 * allotment; taking the link away travels too; a register that names a patient the hub does not
 * know as linked is refused with words for staff; links follow time (a removal beats an older add
 * and loses to a newer re-add); and a kept patient's removal and another station's edit of them
 * end the same on every station, whichever reaches the hub first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { newId } from '../../main/store/ids.js';
import { DEMO_PINS } from '../../main/demo/seed.js';
import type { QueueEntry } from '../../preload/contract/queue.js';
import { checkHolder } from '../../hub/caregivers.js';
import type { ChangeEntity, ChangeRow, CommandBody } from '../../hub/protocol.js';
import { inTransaction, writeChanges } from '../../hub/changes.js';
import { pairedStation, type TestHub, type TestStation } from '../support/hub-server.js';
import { customerIdByName, fastSync, startStore, type Station, type StoreOnHub, synced, until } from '../support/stations.js';

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

interface TicketView {
  ticketId: string;
  saleCommandId: string;
  totals: { totalCents: number };
  patients: Array<{ kind: string; id: string }>;
}

function linked(station: Station, patientId: string, caregiverId: string): boolean {
  return station.db.prepare('SELECT 1 FROM customer_caregivers WHERE patient_id = ? AND caregiver_id = ?').get(patientId, caregiverId) !== undefined;
}

async function hubLink(patientId: string, caregiverId: string): Promise<{ removed_at: number | null } | undefined> {
  const { rows } = await hub.hub.pool.query<{ removed_at: number | null }>('SELECT removed_at FROM customer_caregivers WHERE patient_id = $1 AND caregiver_id = $2', [patientId, caregiverId]);
  return rows[0];
}

/** Sets a patient's caregivers on their profile, as a manager at that station would. */
async function setCaregivers(station: Station, patientId: string, first: string, others: string[]): Promise<void> {
  await station.call('session.logout');
  await station.call('session.login', { pin: DEMO_PINS.manager });
  const detail = await station.call<{ form: Record<string, unknown> }>('customers.get', { id: patientId });
  await station.call('customers.update', { commandId: newId(), id: patientId, form: { ...detail.form, caregiverCustomerId: first, otherCaregiverIds: others }, draftId: null });
  await station.call('session.logout');
  await station.call('session.login', { pin: DEMO_PINS.budtender });
}

async function checkIn(station: Station, customerId: string, as: 'caregiver' | 'medical'): Promise<QueueEntry> {
  await station.call('queue.checkIn.prepare', { customerId, as });
  return station.call<QueueEntry>('queue.checkIn', { commandId: newId(), customerId, as, allotments: [] });
}

/** A caregiver's ticket at a register for a patient customer: opened on the caregiver's visit, the patient chosen, one flower, paid. */
async function sellForPatient(station: Station, caregiverId: string, entryId: string, patientId: string) {
  const commandId = newId();
  const ticket = await station.call<TicketView>('checkout.ticket.open', { saleCommandId: commandId, customerId: caregiverId, queueEntryId: entryId });
  await station.call('checkout.ticket.setPatient', { ticketId: ticket.ticketId, patient: { kind: 'customer', id: patientId } });
  const scanned = await station.call<{ ticket: TicketView; refusal: unknown }>('checkout.ticket.scan', { ticketId: ticket.ticketId, code: FLOWER, quantity: 1 });
  expect(scanned.refusal).toBeNull();
  return station.r.call('checkout.sale.complete', { commandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: scanned.ticket.totals.totalCents }] });
}

describe('caregivers of patient customers through the hub', () => {
  let henryEntry: QueueEntry | null = null;

  it("a caregiver linked at intake buys for the patient at a register, against the patient's allotment; the unlink travels", async () => {
    // Samuel Okafor: BioTrack knows Henry as his caregiver, so his allotment is found through Henry.
    const samuel = customerIdByName(intake, 'Samuel', 'Okafor');
    const grace = customerIdByName(intake, 'Grace', 'Chen');
    const henry = customerIdByName(intake, 'Henry', 'Alvarez');
    // Henry is Samuel's second caregiver: only the link table says so (the profile names Grace).
    await setCaregivers(intake, samuel, grace, [henry]);
    await synced(intake);
    expect(await hubLink(samuel, henry)).toEqual({ removed_at: null });
    for (const station of [r1, r2]) await until(`${station.name} links Samuel to Henry`, () => linked(station, samuel, henry));

    // Both check in at intake: Samuel's visit nests under Henry's; the hub keeps his figure as his.
    const visit = await checkIn(intake, henry, 'caregiver');
    henryEntry = visit;
    const samuelEntry = await checkIn(intake, samuel, 'medical');
    await synced(intake);
    await until('Register 1 shows both visits', () => [visit.id, samuelEntry.id].every((id) => r1.db.prepare('SELECT 1 FROM queue_entries WHERE id = ? AND removed_at IS NULL').get(id) !== undefined));
    const balance = await hub.hub.pool.query('SELECT 1 FROM allotment_balances WHERE customer_id = $1', [samuel]);
    expect(balance.rowCount).toBeGreaterThan(0);

    // Register 1 serves Henry buying for Samuel: the claim names Samuel, the hub takes it (they are linked) and grants his allotment.
    const sold = await sellForPatient(r1, henry, visit.id, samuel);
    expect(sold.ok).toBe(true);
    await synced(r1);
    const grant = await hub.hub.pool.query<{ grant_id: string; customer_id: string; sold: Record<string, number> }>("SELECT grant_id, customer_id, sold FROM allotment_grants WHERE entry_id = $1", [visit.id]);
    expect(grant.rows.map((g) => g.customer_id)).toEqual([samuel]);
    expect(Object.values(grant.rows[0]!.sold).some((mg) => mg > 0)).toBe(true);
    const sale = await hub.hub.pool.query<{ grant_id: string | null; flagged: boolean; patient: string }>(
      "SELECT grant_id, flagged, data ->> 'patientCustomerId' AS patient FROM sales WHERE customer_id = $1",
      [henry],
    );
    expect(sale.rows).toEqual([{ grant_id: grant.rows[0]!.grant_id, flagged: false, patient: samuel }]);

    // Register 2 takes Henry off Samuel's caregivers: every station and the hub follow.
    await setCaregivers(r2, samuel, grace, []);
    await synced(r2);
    expect((await hubLink(samuel, henry))?.removed_at).not.toBeNull();
    for (const station of [intake, r1]) await until(`${station.name} no longer links Samuel to Henry`, () => !linked(station, samuel, henry));
    // Grace, named on the profile and in the link table, stays linked everywhere.
    expect(await hubLink(samuel, grace)).toEqual({ removed_at: null });
    for (const station of [intake, r1, r2]) expect(linked(station, samuel, grace)).toBe(true);
    // The hub no longer takes Samuel as a holder on a visit of Henry's.
    const client = await hub.hub.pool.connect();
    try {
      const checked = await checkHolder(client, { customerId: henry, caregiverPatientId: null }, samuel);
      expect(checked).toMatchObject({ ok: false, message: expect.stringMatching(/^Samuel Okafor is not linked to Henry Alvarez on the store hub/) });
      expect(await checkHolder(client, { customerId: grace, caregiverPatientId: null }, samuel)).toEqual({ ok: true, caregiverPatientId: null, patientCustomerId: samuel });
    } finally {
      client.release();
    }
  }, 180_000);

  it('a register naming a patient the hub does not know as linked is refused, and its budtender is told what to do', async () => {
    const henry = customerIdByName(r2, 'Henry', 'Alvarez');
    const samuel = customerIdByName(r2, 'Samuel', 'Okafor');
    expect(await hubLink(samuel, henry)).toMatchObject({ removed_at: expect.any(Number) });
    // Henry's visit (still open after the sale above, or a new one).
    const open = henryEntry && r2.db.prepare('SELECT 1 FROM queue_entries WHERE id = ? AND removed_at IS NULL').get(henryEntry.id) !== undefined ? henryEntry : null;
    const entry = open ?? (await checkIn(intake, henry, 'caregiver'));
    await synced(intake);
    await until('Register 2 shows Henry', () => r2.db.prepare('SELECT 1 FROM queue_entries WHERE id = ?').get(entry.id) !== undefined);
    // Register 2 alone believes Samuel is still Henry's patient (a link the hub no longer holds).
    r2.db.prepare('INSERT INTO customer_caregivers (patient_id, caregiver_id, added_at) VALUES (?, ?, ?)').run(samuel, henry, Date.now());
    const salesBefore = (r2.db.prepare('SELECT COUNT(*) AS n FROM sales').get() as { n: number }).n;
    const refused = await sellForPatient(r2, henry, entry.id, samuel);
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!refused.ok && refused.error.message).toMatch(/Samuel Okafor is not linked to Henry Alvarez on the store hub.*Link them on the patient's profile/);
    // Not taken for the outage policy: nothing sold here, nothing granted to Register 2.
    expect((r2.db.prepare('SELECT COUNT(*) AS n FROM sales').get() as { n: number }).n).toBe(salesBefore);
    expect(r2.db.prepare("SELECT 1 FROM hub_grants WHERE customer_id = ? AND status = 'open'").get(samuel)).toBeUndefined();
    // The entry's own customer is always a holder the hub takes.
    const client = await hub.hub.pool.connect();
    try {
      expect(await checkHolder(client, { customerId: henry, caregiverPatientId: null }, henry)).toEqual({ ok: true, caregiverPatientId: null, patientCustomerId: null });
      expect(await checkHolder(client, { customerId: henry, caregiverPatientId: null }, samuel)).toMatchObject({ ok: false });
    } finally {
      client.release();
    }
  }, 120_000);

  it('a caregiver checked in for a patient the hub does not link to them: every station, the one that checked them in too, shows the visit without that patient', async () => {
    const henry = customerIdByName(r2, 'Henry', 'Alvarez');
    const samuel = customerIdByName(r2, 'Samuel', 'Okafor');
    expect(await hubLink(samuel, henry)).toMatchObject({ removed_at: expect.any(Number) });
    // Henry's and Samuel's earlier visits end; Register 2 alone still believes Samuel is Henry's patient.
    const open = r2.db.prepare('SELECT id FROM queue_entries WHERE customer_id IN (?, ?) AND removed_at IS NULL AND parent_entry_id IS NULL').all(henry, samuel) as Array<{ id: string }>;
    for (const { id } of open) await r2.call('queue.remove', { commandId: newId(), entryId: id });
    r2.db.prepare('INSERT OR IGNORE INTO customer_caregivers (patient_id, caregiver_id, added_at) VALUES (?, ?, ?)').run(samuel, henry, Date.now());
    await r2.call('queue.checkIn.prepare', { customerId: henry, as: 'caregiver', patientId: samuel, patientKind: 'customer' });
    const entry = await r2.call<QueueEntry>('queue.checkIn', { commandId: newId(), customerId: henry, as: 'caregiver', patientId: samuel, patientKind: 'customer', allotments: [] });
    const patientOf = (station: Station) => (station.db.prepare('SELECT patient_customer_id AS p FROM queue_entries WHERE id = ?').get(entry.id) as { p: string | null } | undefined)?.p;
    expect(patientOf(r2)).toBe(samuel);
    await synced(r2);
    // The hub did not take the patient: the visit is Henry's alone, on the hub and at every station.
    const onHub = await hub.hub.pool.query<{ patient: string | null }>("SELECT data ->> 'patientCustomerId' AS patient FROM queue_entries WHERE id = $1", [entry.id]);
    expect(onHub.rows).toEqual([{ patient: null }]);
    await until('Register 2 drops the patient the hub did not take', () => patientOf(r2) === null);
    await until('Register 1 has the visit without a patient', () => patientOf(r1) === null);
    expect(entry.forPatient).toBe('Samuel Okafor');
    const listed = await r2.call<{ entries: QueueEntry[] }>('queue.list', {});
    expect(listed.entries.find((e) => e.id === entry.id)?.forPatient).toBeNull();
  }, 120_000);
});

describe('change rows from a newer hub', () => {
  it('a register records and skips a change row of an entity it does not know, and takes the rows after it', async () => {
    // A newer hub's entity (written as that hub would): the registers of this release do not list it.
    const futureId = ulid();
    const version = await inTransaction(hub.hub.pool, (client) =>
      writeChanges(client, [{ entity: 'customer_future' as ChangeEntity, id: futureId, op: 'upsert', data: { note: 'from a newer hub' } }], { commandId: null, deviceId: null, at: Date.now() }),
    );
    const olivia = customerIdByName(intake, 'Olivia', 'Hart');
    const entry = await intake.call<QueueEntry>('queue.checkIn', { commandId: newId(), customerId: olivia, as: 'adult_use', allotments: [] });
    for (const station of [r1, r2]) {
      await until(`${station.name} shows the check-in made after the unknown row`, () => station.db.prepare('SELECT 1 FROM queue_entries WHERE id = ?').get(entry.id) !== undefined);
      const kept = station.db.prepare("SELECT data, version FROM hub_records WHERE entity = 'unknown:customer_future' AND id = ?").get(futureId) as { data: string; version: number } | undefined;
      expect(kept?.version).toBe(version);
      expect(JSON.parse(kept!.data)).toEqual({ note: 'from a newer hub' });
      expect((station.db.prepare('SELECT last_version AS v FROM hub_sync WHERE id = 1').get() as { v: number }).v).toBeGreaterThan(version);
      expect(station.db.prepare("SELECT COUNT(*) AS n FROM hub_records WHERE entity = 'apply_failed' AND data LIKE ?").get(`%${futureId}%`)).toEqual({ n: 0 });
    }
  }, 60_000);
});

describe('caregiver links by time, on the hub', () => {
  let station: TestStation;
  beforeAll(async () => {
    // It takes customer_caregiver change rows (the hub sends them only to a station that asks).
    station = await pairedStation(hub.hub, 'Link clock', 'register', ['caregiver_links']);
  }, 60_000);
  afterAll(() => station?.close());

  async function send(body: CommandBody, at: number): Promise<ChangeRow[]> {
    const since = (await hub.hub.pool.query<{ v: string }>('SELECT COALESCE(MAX(version), 0) AS v FROM change_log')).rows[0]!.v;
    const reply = await station.push([station.command(body, at)]);
    expect(reply.acks.map((a) => a.status)).toEqual(['applied']);
    return (await station.pullAll(Number(since))).filter((c) => c.entity === 'customer_caregiver');
  }

  it('a removal wins over an older add and loses to a newer re-add; a command that loses gets the hub state published again', async () => {
    const patientId = ulid();
    const caregiverId = ulid();
    const add = (at: number): CommandBody => ({ kind: 'customer_caregiver.add', payload: { patientId, caregiverId, addedAt: at } });
    const remove = (at: number): CommandBody => ({ kind: 'customer_caregiver.remove', payload: { patientId, caregiverId, removedAt: at } });

    expect((await send(add(1_000), 1_000)).map((c) => c.op)).toEqual(['upsert']);
    // A removal made before the add (a station cut off) arrives late: the link stays, and says so again.
    expect((await send(remove(900), 900)).map((c) => c.op)).toEqual(['upsert']);
    expect(await hubLink(patientId, caregiverId)).toEqual({ removed_at: null });
    // A newer removal wins.
    expect((await send(remove(2_000), 2_000)).map((c) => c.op)).toEqual(['delete']);
    // An add older than that removal loses: the hub publishes the removal again, so its sender drops its row.
    const stale = await send(add(1_500), 1_500);
    expect(stale.map((c) => [c.op, c.data?.removedAt])).toEqual([['delete', 2_000]]);
    expect((await hubLink(patientId, caregiverId))?.removed_at).toBe(2_000);
    // The same time: the removal holds.
    expect((await send(add(2_000), 2_000)).map((c) => c.op)).toEqual(['delete']);
    // A newer re-add links them again.
    const again = await send(add(3_000), 3_000);
    expect(again.map((c) => [c.op, c.data?.addedAt, c.data?.removedAt])).toEqual([['upsert', 3_000, null]]);
    expect(await hubLink(patientId, caregiverId)).toEqual({ removed_at: null });
  }, 60_000);

  it('links name the survivor of a merged customer: those made before the merge move to it, later ones land on it, a claim naming the merged id is taken', async () => {
    const survivor = ulid(1_000_000);
    const merged = ulid(2_000_000);
    const [carer, second] = [ulid(), ulid()];
    const upsert = (customerId: string): CommandBody => ({ kind: 'customer.upsert', payload: { customerId, identityKey: `key-${survivor}`, createdAt: 1_000, fields: { firstName: 'Mia', lastName: 'Twice' } } });
    const at = Date.now();
    await station.push([station.command(upsert(survivor), at)]);
    await send({ kind: 'customer_caregiver.add', payload: { patientId: merged, caregiverId: carer, addedAt: at } }, at);
    // The second sign-up of the same person merges into the first: its link moves with it, and registers hear so.
    const moved = await send(upsert(merged), at + 1);
    expect(moved.map((c) => [c.op, c.id])).toEqual([
      ['delete', `${merged}:${carer}`],
      ['upsert', `${survivor}:${carer}`],
    ]);
    await send({ kind: 'customer_caregiver.add', payload: { patientId: merged, caregiverId: second, addedAt: at + 2 } }, at + 2);
    const rows = await hub.hub.pool.query<{ patient_id: string; caregiver_id: string }>('SELECT patient_id, caregiver_id FROM customer_caregivers WHERE patient_id = ANY($1) ORDER BY added_at', [[survivor, merged]]);
    expect(rows.rows).toEqual([
      { patient_id: survivor, caregiver_id: carer },
      { patient_id: survivor, caregiver_id: second },
    ]);
    const client = await hub.hub.pool.connect();
    try {
      expect(await checkHolder(client, { customerId: carer, caregiverPatientId: null }, merged)).toEqual({ ok: true, caregiverPatientId: null, patientCustomerId: survivor });
    } finally {
      client.release();
    }
  }, 60_000);
  it('on a merge, drops a link the survivor already has and one between the two sign-ups (it would link the survivor to themselves), each published as removed', async () => {
    const survivor = ulid(1_100_000);
    const merged = ulid(2_100_000);
    const carer = ulid();
    const upsert = (customerId: string): CommandBody => ({ kind: 'customer.upsert', payload: { customerId, identityKey: `key-${survivor}`, createdAt: 1_000, fields: { firstName: 'Ada', lastName: 'Twice' } } });
    const at = Date.now();
    await station.push([station.command(upsert(survivor), at)]);
    await send({ kind: 'customer_caregiver.add', payload: { patientId: survivor, caregiverId: carer, addedAt: at } }, at);
    // The second sign-up has the same caregiver, and (a mistake at the desk) the first sign-up as caregiver.
    await send({ kind: 'customer_caregiver.add', payload: { patientId: merged, caregiverId: carer, addedAt: at + 1 } }, at + 1);
    await send({ kind: 'customer_caregiver.add', payload: { patientId: merged, caregiverId: survivor, addedAt: at + 2 } }, at + 2);
    const published = await send(upsert(merged), at + 3);
    expect(published.map((c) => [c.op, c.id]).sort()).toEqual([
      ['delete', `${merged}:${carer}`],
      ['delete', `${merged}:${survivor}`],
    ].sort());
    const rows = await hub.hub.pool.query<{ patient_id: string; caregiver_id: string; removed: boolean }>(
      'SELECT patient_id, caregiver_id, removed_at IS NOT NULL AS removed FROM customer_caregivers WHERE patient_id = ANY($1) OR caregiver_id = ANY($1) ORDER BY patient_id, caregiver_id',
      [[survivor, merged]],
    );
    expect(rows.rows).toEqual(
      [
        { patient_id: survivor, caregiver_id: carer, removed: false },
        { patient_id: merged, caregiver_id: carer, removed: true },
        { patient_id: merged, caregiver_id: survivor, removed: true },
      ].sort((a, b) => (a.patient_id + a.caregiver_id).localeCompare(b.patient_id + b.caregiver_id)),
    );
  }, 60_000);
});

describe('a kept patient removed at one station and edited at another', () => {
  function keptPatient(station: Station, id: string): unknown {
    return station.db.prepare('SELECT first_name FROM caregiver_patients WHERE id = ?').get(id);
  }

  async function addKept(station: Station, caregiverId: string, firstName: string, licence: string): Promise<string> {
    const kept = await station.call<{ id: string }>('customers.addPatient', {
      commandId: ulid(),
      caregiverId,
      patient: { firstName, lastName: 'Kept', medicalLicence: licence, licenceExpires: '2030-05-31', dateOfBirth: '1985-03-04' },
    });
    for (const other of [intake, r1, r2]) await until(`${other.name} keeps ${firstName}`, () => keptPatient(other, kept.id) !== undefined);
    return kept.id;
  }

  it('the removal reaches the hub after a newer edit: every station drops the patient', async () => {
    const henry = customerIdByName(r1, 'Henry', 'Alvarez');
    const id = await addKept(intake, henry, 'Quinn', 'MP8Q2W4E6R');
    // Register 1, cut off, removes Quinn; then Register 2 (online, later) edits Quinn and the hub takes the edit first.
    r1.proxy.set('reset');
    await until('Register 1 knows the hub is offline', async () => (await r1.status()).offlineSince !== null);
    await r1.call('customers.removePatient', { commandId: ulid(), id });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await r2.call('customers.updatePatient', {
      commandId: ulid(),
      id,
      patient: { firstName: 'Quincy', lastName: 'Kept', medicalLicence: 'MP8Q2W4E6R', licenceExpires: '2030-05-31', dateOfBirth: '1985-03-04' },
    });
    await synced(r2);
    await until('intake has the edit', () => (keptPatient(intake, id) as { first_name?: string } | undefined)?.first_name === 'Quincy');
    // Register 1 comes back: its removal is final, and everyone drops Quinn.
    r1.proxy.set('pass');
    await synced(r1);
    for (const station of [intake, r1, r2]) await until(`${station.name} dropped Quinn`, () => keptPatient(station, id) === undefined);
    const onHub = await hub.hub.pool.query<{ removed: string | null }>("SELECT data ->> 'removedAt' AS removed FROM caregiver_patients WHERE id = $1", [id]);
    expect(onHub.rows[0]!.removed).not.toBeNull();
  }, 120_000);

  it('an edit reaching the hub after the removal: the hub publishes the removal again for the station that sent it', async () => {
    const grace = customerIdByName(r2, 'Grace', 'Chen');
    const id = await addKept(r1, grace, 'Rory', 'MP3R5T7Y9U');
    r2.proxy.set('reset');
    await until('Register 2 knows the hub is offline', async () => (await r2.status()).offlineSince !== null);
    await r1.call('customers.removePatient', { commandId: ulid(), id });
    await synced(r1);
    await until('intake dropped Rory', () => keptPatient(intake, id) === undefined);
    await r2.call('customers.updatePatient', {
      commandId: ulid(),
      id,
      patient: { firstName: 'Rowan', lastName: 'Kept', medicalLicence: 'MP3R5T7Y9U', licenceExpires: '2030-05-31', dateOfBirth: '1985-03-04' },
    });
    const edit = r2.db.prepare("SELECT command_id AS commandId FROM hub_outbox WHERE kind = 'caregiver_patient.upsert' AND state = 'pending'").get() as { commandId: string };
    r2.proxy.set('pass');
    await synced(r2);
    await until('Register 2 dropped Rory', () => keptPatient(r2, id) === undefined);
    // The hub answered the late edit with the removal, under that edit's command.
    const answered = await hub.hub.pool.query<{ op: string }>("SELECT op FROM change_log WHERE entity = 'caregiver_patient' AND entity_id = $1 AND command_id = $2", [id, edit.commandId]);
    expect(answered.rows).toEqual([{ op: 'delete' }]);
    for (const station of [intake, r1, r2]) expect(keptPatient(station, id)).toBeUndefined();
  }, 120_000);
});
