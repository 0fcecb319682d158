/**
 * Two things a station passes to the others through the store hub (real PostgreSQL, the hub, an
 * intake desk and two registers, each its own SQLite file):
 *
 *  - a caregiver checked in at intake to buy for a patient who is a customer of their own (linked
 *    to them): every register's tile names the patient, the hub keeps the check-in's figure as the
 *    patient's, and a register serving the visit claims the patient's allotment and sells on it
 *    without asking for the patient again. A check-in naming a patient the hub does not link to
 *    that caregiver keeps no balance for anyone and names no patient.
 *  - the customer's chosen photo ("use as photo"): the same photo on every station's profile and
 *    queue tile, set only once the document it names is on the station.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { newId } from '../../main/store/ids.js';
import { DEMO_PINS } from '../../main/demo/seed.js';
import type { QueueEntry, QueueView } from '../../preload/contract/queue.js';
import type { TicketChange, TicketView } from '../../preload/contract/checkout.js';
import type { CustomerDocument } from '../../preload/contract/customers.js';
import type { CommandBody } from '../../hub/protocol.js';
import { checkHolder } from '../../hub/caregivers.js';
import { HubRequestError, pairedStation, type TestHub, type TestStation } from '../support/hub-server.js';
import { signaturePng } from '../support/png.js';
import { customerIdByName, fastSync, startStore, type Station, type StoreOnHub, synced, until } from '../support/stations.js';

const FLOWER = '7194220405500100'; // Prairie Sunset Flower 3.5g, 3.5 g usable

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

async function asManager<T>(station: Station, work: () => Promise<T>): Promise<T> {
  await station.call('session.logout');
  await station.call('session.login', { pin: DEMO_PINS.manager });
  try {
    return await work();
  } finally {
    await station.call('session.logout');
    await station.call('session.login', { pin: DEMO_PINS.budtender });
  }
}

async function hubEntry(entryId: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await hub.hub.pool.query<{ data: Record<string, unknown> }>('SELECT data FROM queue_entries WHERE id = $1', [entryId]);
  return rows[0]?.data;
}

async function hubBalance(customerId: string): Promise<Array<{ limit_id: string; remaining: number }>> {
  const { rows } = await hub.hub.pool.query<{ limit_id: string; remaining: number }>('SELECT limit_id, remaining FROM allotment_balances WHERE customer_id = $1 ORDER BY limit_id', [customerId]);
  return rows;
}

function tile(station: Station, entryId: string): Promise<QueueEntry | undefined> {
  return station.call<QueueView>('queue.list', {}).then((view) => view.entries.find((entry) => entry.id === entryId));
}

describe('a caregiver checked in for a patient customer, through the hub', () => {
  it("every register names the patient; Register 1 claims the patient's allotment and sells on it without asking again", async () => {
    const henry = customerIdByName(intake, 'Henry', 'Alvarez');
    const samuel = customerIdByName(intake, 'Samuel', 'Okafor');
    const grace = customerIdByName(intake, 'Grace', 'Chen');
    // Samuel names Grace on his profile and Henry as another caregiver (the link table).
    await asManager(intake, async () => {
      const detail = await intake.call<{ form: Record<string, unknown> }>('customers.get', { id: samuel });
      await intake.call('customers.update', { commandId: newId(), id: samuel, form: { ...detail.form, caregiverCustomerId: grace, otherCaregiverIds: [henry] }, draftId: null });
    });
    await synced(intake);
    await until('Register 1 links Samuel to Henry', () => r1.db.prepare('SELECT 1 FROM customer_caregivers WHERE patient_id = ? AND caregiver_id = ?').get(samuel, henry) !== undefined);

    // Intake checks Henry in to buy for Samuel, on Samuel's allotment (lowered to 50 g).
    await intake.call('queue.checkIn.prepare', { customerId: henry, as: 'caregiver', patientId: samuel, patientKind: 'customer' });
    const entry = await intake.call<QueueEntry>('queue.checkIn', {
      commandId: newId(),
      customerId: henry,
      as: 'caregiver',
      patientId: samuel,
      patientKind: 'customer',
      allotments: [{ limitId: 'usable_cannabis', amount: 50_000 }],
    });
    expect(entry.forPatient).toBe('Samuel Okafor');
    await synced(intake);

    // The hub keeps the patient on the visit, and the figure as Samuel's (not Henry's).
    expect(await hubEntry(entry.id)).toMatchObject({ patientCustomerId: samuel });
    expect(await hubBalance(samuel)).toEqual([{ limit_id: 'usable_cannabis', remaining: 50_000 }]);
    expect(await hubBalance(henry)).toEqual([]);

    // Every register's tile names Samuel.
    for (const station of [r1, r2]) {
      await until(`${station.name} shows Henry's visit`, async () => (await tile(station, entry.id)) !== undefined);
      expect(await tile(station, entry.id)).toMatchObject({ customerId: henry, forPatient: 'Samuel Okafor', forSelf: false });
      expect(station.db.prepare('SELECT patient_customer_id AS p FROM queue_entries WHERE id = ?').get(entry.id)).toEqual({ p: samuel });
    }

    // Register 1 opens Henry's visit: the ticket is on Samuel at once (no patient asked), and the claim takes Samuel's grant.
    const saleCommandId = newId();
    const ticket = await r1.call<TicketView>('checkout.ticket.open', { saleCommandId, customerId: henry, queueEntryId: entry.id });
    expect(ticket.patient).toMatchObject({ kind: 'customer', id: samuel, name: 'Samuel Okafor' });
    const grants = await hub.hub.pool.query<{ grant_id: string; customer_id: string; granted: Array<{ limitId: string; amount: number }> }>(
      "SELECT grant_id, customer_id, granted FROM allotment_grants WHERE entry_id = $1 AND status = 'open'",
      [entry.id],
    );
    expect(grants.rows.map((g) => [g.customer_id, g.granted])).toEqual([[samuel, [{ limitId: 'usable_cannabis', unit: 'mg', amount: 50_000 }]]]);
    expect(r1.db.prepare("SELECT customer_id AS c FROM hub_grants WHERE grant_id = ? AND status = 'open'").get(grants.rows[0]!.grant_id)).toEqual({ c: samuel });

    const scanned = await r1.call<TicketChange>('checkout.ticket.scan', { ticketId: ticket.ticketId, code: FLOWER, quantity: 1 });
    expect(scanned.refusal).toBeNull();
    const sold = await r1.r.call('checkout.sale.complete', { commandId: saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: scanned.ticket.totals.totalCents }] });
    expect(sold.ok).toBe(true);
    await synced(r1);
    const sale = await hub.hub.pool.query<{ grant_id: string | null; flagged: boolean; patient: string }>(
      "SELECT grant_id, flagged, data ->> 'patientCustomerId' AS patient FROM sales WHERE customer_id = $1",
      [henry],
    );
    expect(sale.rows).toEqual([{ grant_id: grants.rows[0]!.grant_id, flagged: false, patient: samuel }]);
    const held = await hub.hub.pool.query<{ sold: Record<string, number> }>('SELECT sold FROM allotment_grants WHERE grant_id = $1', [grants.rows[0]!.grant_id]);
    expect(held.rows[0]!.sold).toEqual({ usable_cannabis: 3_500 });
  }, 180_000);

  it('a check-in naming a patient the hub does not link to the caregiver keeps no balance and names no patient; a claim for that patient is refused', async () => {
    const station: TestStation = await pairedStation(hub.hub, 'Old intake');
    try {
      const henry = customerIdByName(r2, 'Henry', 'Alvarez');
      const rosa = customerIdByName(r2, 'Rosa', 'Delgado');
      const entryId = ulid();
      const body: CommandBody = {
        kind: 'queue.checkin',
        payload: {
          entryId,
          customerId: henry,
          checkedInAs: 'caregiver',
          parentEntryId: null,
          checkedInAt: Date.now(),
          checkedInBy: null,
          allotmentSource: 'state_system',
          cardId: 'MP0000000',
          caregiverCardId: 'CG8B3N6X5R',
          patientCustomerId: rosa,
          allotments: [{ limitId: 'usable_cannabis', unit: 'mg', amount: 20_000, label: 'Usable cannabis', ceiling: 70_870 }],
        },
      };
      const before = await hubBalance(rosa);
      const reply = await station.push([station.command(body)]);
      expect(reply.acks.map((a) => [a.status, a.result])).toEqual([['applied', { entryId, customerId: henry, patientNotLinked: rosa }]]);
      expect(await hubEntry(entryId)).toMatchObject({ patientCustomerId: null });
      expect(await hubBalance(rosa)).toEqual(before);
      await until('Register 2 shows the visit', async () => (await tile(r2, entryId)) !== undefined);
      expect(await tile(r2, entryId)).toMatchObject({ forPatient: null });
      const claim = station.request({ type: 'claim', hubEpoch: station.hubEpoch, entryId, employeeId: null, holderId: rosa });
      await expect(claim).rejects.toSatisfy((e: unknown) => e instanceof HubRequestError && e.frame.code === 'holder_not_linked' && /^Rosa Delgado is not linked to Henry Alvarez on the store hub/.test(e.frame.message));
    } finally {
      station.close();
    }
  }, 120_000);
});

describe('a caregiver visit for a patient customer, on the hub alone', () => {
  it('an older register naming no holder serves the visit for its patient; a merged patient is named by the survivor', async () => {
    const station: TestStation = await pairedStation(hub.hub, 'Merging desk');
    const client = await hub.hub.pool.connect();
    try {
      const survivor = ulid(Date.now() - 60_000);
      const caregiver = ulid();
      const patient = ulid();
      const person = (customerId: string, first: string): CommandBody => ({
        kind: 'customer.upsert',
        payload: { customerId, identityKey: customerId === caregiver ? null : `key-${survivor}`, createdAt: 1_000, fields: { firstName: first, lastName: 'Merge', customerType: customerId === caregiver ? 'caregiver' : 'medical' } },
      });
      const entryId = ulid();
      const checkin: CommandBody = {
        kind: 'queue.checkin',
        payload: {
          entryId,
          customerId: caregiver,
          checkedInAs: 'caregiver',
          parentEntryId: null,
          checkedInAt: Date.now(),
          checkedInBy: null,
          allotmentSource: 'state_system',
          cardId: null,
          caregiverCardId: null,
          patientCustomerId: patient,
          allotments: [],
        },
      };
      const reply = await station.push([
        station.command(person(caregiver, 'Carl')),
        station.command(person(patient, 'Pia')),
        station.command({ kind: 'customer_caregiver.add', payload: { patientId: patient, caregiverId: caregiver, addedAt: 1_000 } }),
        station.command(checkin),
      ]);
      expect(reply.acks.map((a) => a.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
      expect(await hubEntry(entryId)).toMatchObject({ patientCustomerId: patient });
      const entry = { customerId: caregiver, caregiverPatientId: null, patientCustomerId: patient };
      // No holder named (an older register): the visit's patient. The caregiver named: the caregiver themselves.
      expect(await checkHolder(client, entry, null)).toEqual({ ok: true, caregiverPatientId: null, patientCustomerId: patient });
      expect(await checkHolder(client, entry, caregiver)).toEqual({ ok: true, caregiverPatientId: null, patientCustomerId: null });

      // The same patient signed up again at a cut-off station with an earlier id: the hub merges them, and the visit names the survivor.
      expect((await station.push([station.command(person(survivor, 'Pia'))])).acks.map((a) => a.status)).toEqual(['applied']);
      expect(await hubEntry(entryId)).toMatchObject({ patientCustomerId: survivor });
      expect(await checkHolder(client, { ...entry, patientCustomerId: survivor }, patient)).toEqual({ ok: true, caregiverPatientId: null, patientCustomerId: survivor });
    } finally {
      client.release();
      station.close();
    }
  }, 120_000);
});

async function addImage(station: Station, customerId: string, kind: 'profile_photo' | 'other', bytes: Buffer, useAsPhoto: boolean): Promise<CustomerDocument> {
  const uploadId = newId();
  await station.call('customers.uploadPart', { uploadId, index: 0, dataBase64: bytes.toString('base64') });
  return station.call<CustomerDocument>('customers.addDocument', { commandId: newId(), customerId, kind, mime: 'image/png', source: { from: 'upload', uploadId }, useAsPhoto });
}

function photoOf(station: Station, customerId: string): string | null {
  return (station.db.prepare('SELECT photo_document_id AS p FROM customer_profiles WHERE customer_id = ?').get(customerId) as { p: string | null } | undefined)?.p ?? null;
}

describe("the customer's chosen photo, through the hub", () => {
  it('a photo chosen at intake is the photo on every station, profile and queue tile', async () => {
    const olivia = customerIdByName(intake, 'Olivia', 'Hart');
    // The chosen photo, then another image added later that is not chosen (Illinois keeps no licence image to fall back on).
    const photo = await asManager(intake, () => addImage(intake, olivia, 'profile_photo', signaturePng(211, 83), false));
    const other = await asManager(intake, () => addImage(intake, olivia, 'other', signaturePng(233, 91), false));
    expect(photoOf(intake, olivia)).toBe(photo.id);
    const entry = await intake.call<QueueEntry>('queue.checkIn', { commandId: newId(), customerId: olivia, as: 'adult_use', allotments: [] });
    expect(entry.photoDocumentId).toBe(photo.id);
    await synced(intake);
    const { rows } = await hub.hub.pool.query<{ photo: string | null }>("SELECT data ->> 'profile.photo_document_id' AS photo FROM customers WHERE id = $1", [olivia]);
    expect(rows).toEqual([{ photo: photo.id }]);
    for (const station of [r1, r2]) {
      await until(`${station.name} has both documents and the visit`, async () =>
        (station.db.prepare('SELECT COUNT(*) AS n FROM customer_documents WHERE id IN (?, ?)').get(photo.id, other.id) as { n: number }).n === 2 && (await tile(station, entry.id)) !== undefined,
      );
      await until(`${station.name} has Olivia's chosen photo`, () => photoOf(station, olivia) === photo.id);
      expect((await station.call<{ photoDocumentId: string | null }>('customers.get', { id: olivia })).photoDocumentId).toBe(photo.id);
      expect((await tile(station, entry.id))?.photoDocumentId).toBe(photo.id);
    }
  }, 120_000);

  it('a photo naming a document the station does not have yet is set when the document arrives', async () => {
    const station: TestStation = await pairedStation(hub.hub, 'Photo desk');
    try {
      const samuel = customerIdByName(r1, 'Samuel', 'Okafor');
      const documentId = ulid();
      const at = Date.now();
      const photo: CommandBody = { kind: 'customer.upsert', payload: { customerId: samuel, identityKey: null, createdAt: at, fields: { profile: { photo_document_id: documentId } } } };
      expect((await station.push([station.command(photo, at)])).acks.map((a) => a.status)).toEqual(['applied']);
      await until('Register 1 holds the photo for its document', () => r1.db.prepare("SELECT 1 FROM hub_records WHERE entity = 'customer_photo_wanted' AND id = ?").get(samuel) !== undefined);
      expect(photoOf(r1, samuel)).not.toBe(documentId);
      const bytes = signaturePng(97, 41);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const document: CommandBody = {
        kind: 'customer.document.add',
        payload: { id: documentId, customerId: samuel, docKind: 'profile_photo', title: 'Profile Photo', sha256, mime: 'image/png', sizeBytes: bytes.length, addedAt: at + 1, addedBy: null },
      };
      expect((await station.push([station.command(document, at + 1)])).acks.map((a) => a.status)).toEqual(['applied']);
      await until('Register 1 sets the photo once the document is there', () => photoOf(r1, samuel) === documentId);
      expect(r1.db.prepare("SELECT 1 FROM hub_records WHERE entity = 'customer_photo_wanted' AND id = ?").get(samuel)).toBeUndefined();
    } finally {
      station.close();
    }
  }, 120_000);
});
