/**
 * Two caregiver cases at the counter (demo store, Illinois, real SQLite file, allotments from the
 * embedded BioTrack sandbox):
 * - a caregiver whose caregiver card expired still buys for themselves (their own patient card, or
 *   adult use), at check-in and at the register; buying for a patient is refused in words;
 * - a patient who is a customer in their own right and names the caregiver is listed under
 *   "Buying for" at check-in beside the patients kept on the caregiver's profile, each with their
 *   own allotment, and the sale is made against the chosen patient's allotment.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import type { CheckInPreparation, QueueEntry } from '../../../preload/contract/queue.js';
import type { TicketChange, TicketView } from '../../../preload/contract/checkout.js';
import { startTestRegister, type TestRegister, sql, value } from '../../support/register.js';

const open: TestRegister[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

async function start(): Promise<TestRegister> {
  const r = await startTestRegister();
  open.push(r);
  value(await r.call('session.login', { pin: '1111' }));
  return r;
}

const customerId = (r: TestRegister, first: string, last: string) =>
  sql<Array<{ id: string }>>(r, 'SELECT id FROM customers WHERE first_name = ? AND last_name = ?', first, last)[0]!.id;

const prepare = async (r: TestRegister, request: { customerId: string; as?: string; patientId?: string; patientKind?: string }) =>
  value<CheckInPreparation>(await r.call('queue.checkIn.prepare', request));

const FLOWER = '7194220405500100'; // Prairie Sunset Flower 3.5g, 3.5 g usable
const GUMMIES = '7194220405500840'; // Watermelon Gummies: a minor patient (Lily) may have infused products only
const LAPSED = "Grace Chen's caregiver card expired on 01/31/2024: they cannot buy for a patient until it is renewed (enter the new expiration on their profile).";

async function scan(r: TestRegister, ticket: TicketView, code = FLOWER): Promise<TicketView> {
  const change = value<TicketChange>(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code, quantity: 1 }));
  expect(change.refusal).toBeNull();
  return change.ticket;
}

async function pay(r: TestRegister, ticket: TicketView): Promise<string> {
  const receipt = value<{ saleId: string }>(
    await r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: ticket.totals.totalCents }] }),
  );
  return receipt.saleId;
}

/** Grace Chen, caregiver of Lily (a customer) and of Paula (kept on her profile), her caregiver card expired, with her own patient card and adult-use status. */
async function lapsedGrace(r: TestRegister): Promise<{ grace: string; lily: string; paula: string }> {
  const grace = customerId(r, 'Grace', 'Chen');
  const lily = customerId(r, 'Lily', 'Chen');
  sql(r, 'INSERT INTO customer_caregivers (patient_id, caregiver_id, added_at) VALUES (?, ?, 1)', lily, grace);
  const paula = value<{ id: string }>(
    await r.call('customers.addPatient', {
      commandId: ulid(),
      caregiverId: grace,
      patient: { firstName: 'Paula', lastName: 'Patient', medicalLicence: 'MP2J6N4Q8B', licenceExpires: '2030-05-31', dateOfBirth: '1990-04-02' },
    }),
  ).id;
  sql(r, "UPDATE customers SET caregiver_id_expires = '2024-01-31', medical_id = 'MP8C3Y5T1R', medical_id_expires = '2030-05-31', adult_use = 1 WHERE id = ?", grace);
  return { grace, lily, paula };
}

describe('a caregiver whose caregiver card expired', () => {
  it('is checked in for themselves (own patient card or adult use), never for a patient, and says why', async () => {
    const r = await start();
    const { grace, lily, paula } = await lapsedGrace(r);

    const asCaregiver = await prepare(r, { customerId: grace });
    expect(asCaregiver.options).toEqual(['caregiver', 'medical', 'adult_use']);
    expect(asCaregiver.refusals).toEqual([
      { code: 'medical_document_expired', message: `${LAPSED} They may still buy for themselves: choose their own patient card or adult use under Buying for.` },
    ]);
    // Every patient, of both kinds, says why they cannot be chosen.
    expect(asCaregiver.patients.map((p) => [p.kind, p.id, p.problem])).toEqual([
      ['customer', lily, LAPSED],
      ['caregiver_patient', paula, LAPSED],
    ]);
    const forLily = await prepare(r, { customerId: grace, as: 'caregiver', patientId: lily, patientKind: 'customer' });
    expect(forLily.refusals.map((x) => x.message)).toEqual([`${LAPSED} They may still buy for themselves: choose their own patient card or adult use under Buying for.`]);
    const refused = await r.call('queue.checkIn', { commandId: ulid(), customerId: grace, as: 'caregiver', patientId: paula, allotments: [] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(sql(r, 'SELECT COUNT(*) AS n FROM queue_entries')).toEqual([{ n: 0 }]);

    // For themselves on their own card: no refusal, their own allotment from the state system.
    const self = await prepare(r, { customerId: grace, as: 'medical' });
    expect(self.refusals).toEqual([]);
    expect(self.allotment).toMatchObject({ status: 'state_system', cardId: 'MP8C3Y5T1R', caregiverCardId: null });
    const entry = value<QueueEntry>(await r.call('queue.checkIn', { commandId: ulid(), customerId: grace, as: 'medical', allotments: [] }));
    expect(entry).toMatchObject({ checkedInAs: 'medical', forSelf: true });

    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: grace, queueEntryId: entry.id }));
    expect(ticket.patient).toMatchObject({ kind: 'customer', id: grace, self: true, licence: 'MP8C3Y5T1R' });
    const looked = value<TicketView>(await r.call('checkout.ticket.refreshAllotment', { ticketId: ticket.ticketId }));
    const saleId = await pay(r, await scan(r, looked));
    expect(sql(r, 'SELECT patient_customer_id AS p, patient_licence AS pl, caregiver_licence AS cl, channel FROM sales WHERE id = ?', saleId)).toEqual([
      { p: grace, pl: 'MP8C3Y5T1R', cl: null, channel: 'medical' },
    ]);
  });

  it('at the register buys for themselves (own card, or adult use) but is refused in words for a patient, at choice and at payment', async () => {
    const r = await start();
    const { grace, lily, paula } = await lapsedGrace(r);

    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: grace }));
    expect(ticket.needsPatient).toBe(true);
    expect(ticket.patients.map((p) => [p.name, p.self === true, p.as ?? null, p.problem])).toEqual([
      ['Grace Chen', true, null, null],
      ['Grace Chen', true, 'adult_use', null],
      ['Lily Chen', false, null, LAPSED],
      ['Paula Patient', false, null, LAPSED],
    ]);
    for (const patient of [
      { kind: 'customer', id: lily },
      { kind: 'caregiver_patient', id: paula },
    ]) {
      expect(await r.call('checkout.ticket.setPatient', { ticketId: ticket.ticketId, patient })).toMatchObject({ ok: false, error: { code: 'conflict', message: LAPSED } });
    }

    // Adult use: the adult-use rules and taxes, no patient card, no caregiver licence on the sale.
    const adult = value<TicketView>(await r.call('checkout.ticket.setPatient', { ticketId: ticket.ticketId, patient: { kind: 'customer', id: grace, as: 'adult_use' } }));
    expect(adult.patient).toMatchObject({ self: true, as: 'adult_use' });
    expect(adult.channel).toBe('adult_use');
    expect(adult.needsPatient).toBe(false);
    const adultSale = await pay(r, await scan(r, adult));
    expect(sql(r, 'SELECT customer_id AS c, patient_licence AS pl, caregiver_licence AS cl, channel FROM sales WHERE id = ?', adultSale)).toEqual([
      { c: grace, pl: null, cl: null, channel: 'adult_use' },
    ]);

    // A ticket for a patient opened before the card lapsed is refused at payment, in the same words.
    sql(r, "UPDATE customers SET caregiver_id_expires = '2030-01-31' WHERE id = ?", grace);
    const forLily = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: grace, patient: { kind: 'customer', id: lily } }));
    expect(forLily.patient).toMatchObject({ id: lily });
    const lines = await scan(r, value<TicketView>(await r.call('checkout.ticket.refreshAllotment', { ticketId: forLily.ticketId })), GUMMIES);
    sql(r, "UPDATE customers SET caregiver_id_expires = '2024-01-31' WHERE id = ?", grace);
    const late = await r.call('checkout.sale.complete', { commandId: lines.saleCommandId, ticketId: lines.ticketId, tenders: [{ kind: 'cash', amountCents: lines.totals.totalCents }] });
    expect(late).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining(LAPSED) } });
    expect(sql(r, 'SELECT COUNT(*) AS n FROM sales WHERE patient_customer_id = ?', lily)).toEqual([{ n: 0 }]);
  });

  it('with nothing of their own to buy on, the ticket is refused when it opens, in words', async () => {
    const r = await start();
    const henry = customerId(r, 'Henry', 'Alvarez');
    sql(r, "UPDATE customers SET caregiver_id_expires = '2024-01-31' WHERE id = ?", henry);
    const opened = await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: henry });
    expect(opened).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        message:
          "Henry Alvarez's caregiver card expired on 01/31/2024: they cannot buy for a patient until it is renewed (enter the new expiration on their profile). They hold no patient card or adult-use status of their own to buy for themselves.",
      },
    });
    const checkIn = await prepare(r, { customerId: henry });
    expect(checkIn.options).toEqual(['caregiver']);
    expect(checkIn.refusals.map((x) => x.message)).toEqual([
      "Henry Alvarez's caregiver card expired on 01/31/2024: they cannot buy for a patient until it is renewed (enter the new expiration on their profile).",
    ]);
  });
});

describe('a patient who is a customer of their own, linked to the caregiver', () => {
  it('is listed under Buying for with the patients kept on the profile; checked in for, the ticket sells on their own allotment', async () => {
    const r = await start();
    const henry = customerId(r, 'Henry', 'Alvarez');
    const samuel = customerId(r, 'Samuel', 'Okafor');
    sql(r, 'INSERT INTO customer_caregivers (patient_id, caregiver_id, added_at) VALUES (?, ?, 1)', samuel, henry);
    const paula = value<{ id: string }>(
      await r.call('customers.addPatient', {
        commandId: ulid(),
        caregiverId: henry,
        patient: { firstName: 'Paula', lastName: 'Patient', medicalLicence: 'MP2J6N4Q8B', licenceExpires: '2030-05-31', dateOfBirth: '1990-04-02' },
      }),
    ).id;

    const plain = await prepare(r, { customerId: henry });
    expect(plain.patients).toEqual([
      { kind: 'customer', id: samuel, displayName: 'Samuel Okafor', medicalLicence: 'MP3H8W1N6T', problem: null },
      { kind: 'caregiver_patient', id: paula, displayName: 'Paula Patient', medicalLicence: 'MP2J6N4Q8B', problem: null },
    ]);

    // Each patient's own allotment: Paula has bought 3.5 g (on this register) since; Samuel has not.
    const paulaTicket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: henry, patient: { kind: 'caregiver_patient', id: paula } }));
    await pay(r, await scan(r, value<TicketView>(await r.call('checkout.ticket.refreshAllotment', { ticketId: paulaTicket.ticketId }))));

    const forSamuel = await prepare(r, { customerId: henry, as: 'caregiver', patientId: samuel, patientKind: 'customer' });
    expect(forSamuel.refusals).toEqual([]);
    expect(forSamuel.patient).toEqual({ kind: 'customer', id: samuel, displayName: 'Samuel Okafor', medicalLicence: 'MP3H8W1N6T' });
    expect(forSamuel.allotment).toMatchObject({ status: 'state_system', cardId: 'MP3H8W1N6T', caregiverCardId: 'CG8B3N6X5R' });
    expect(forSamuel.allotment.limits).toEqual([expect.objectContaining({ limitId: 'usable_cannabis', amount: 70_870, ceiling: 70_870 })]);

    const entry = value<QueueEntry>(
      await r.call('queue.checkIn', {
        commandId: ulid(),
        customerId: henry,
        as: 'caregiver',
        patientId: samuel,
        patientKind: 'customer',
        allotments: [{ limitId: 'usable_cannabis', amount: 50_000 }],
      }),
    );
    expect(entry).toMatchObject({ checkedInAs: 'caregiver', forPatient: 'Samuel Okafor', forSelf: false, allotmentSource: 'state_system' });
    expect(sql(r, 'SELECT caregiver_patient_id AS rec, patient_customer_id AS p, card_id AS card, caregiver_card_id AS cg FROM queue_entries WHERE id = ?', entry.id)).toEqual([
      { rec: null, p: samuel, card: 'MP3H8W1N6T', cg: 'CG8B3N6X5R' },
    ]);
    const audit = sql<Array<{ details: string }>>(r, "SELECT details FROM audit_events WHERE action = 'queue.check_in' ORDER BY rowid DESC LIMIT 1");
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ patientId: samuel, patientKind: 'customer', patient: 'Samuel Okafor' });

    // Samuel is in the queue through Henry: he is not checked in a second time on his own.
    const again = await prepare(r, { customerId: samuel });
    expect(again.refusals.map((x) => x.message)).toEqual(['Samuel Okafor is already in the queue: their caregiver Henry Alvarez is checked in to buy for them.']);
    expect((await prepare(r, { customerId: henry, as: 'caregiver' })).refusals.map((x) => x.code)).toContain('already_checked_in');

    // The ticket opens on Samuel; the meter and the sale are Samuel's, not Paula's.
    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: henry, queueEntryId: entry.id }));
    expect(ticket.patient).toMatchObject({ kind: 'customer', id: samuel, name: 'Samuel Okafor', licence: 'MP3H8W1N6T' });
    const looked = value<TicketView>(await r.call('checkout.ticket.refreshAllotment', { ticketId: ticket.ticketId }));
    expect(looked.allotment.state).toBe('state_system');
    const saleId = await pay(r, await scan(r, looked));
    expect(sql(r, 'SELECT customer_id AS c, patient_customer_id AS p, caregiver_patient_id AS rec, patient_licence AS pl, caregiver_licence AS cl FROM sales WHERE id = ?', saleId)).toEqual([
      { c: henry, p: samuel, rec: null, pl: 'MP3H8W1N6T', cl: 'CG8B3N6X5R' },
    ]);
    const used = sql<Array<{ kind: string; id: string; amount: number }>>(
      r,
      "SELECT holder_kind AS kind, holder_id AS id, SUM(amount) AS amount FROM allotment_uses WHERE limit_id = 'usable_cannabis' GROUP BY holder_kind, holder_id ORDER BY holder_kind",
    );
    expect(used).toEqual([
      { kind: 'caregiver_patient', id: paula, amount: 3_500 },
      { kind: 'customer', id: samuel, amount: 3_500 },
    ]);
  });

  it("says why a linked patient cannot be chosen (card expired) and refuses a patient who does not name this caregiver", async () => {
    const r = await start();
    const henry = customerId(r, 'Henry', 'Alvarez');
    const samuel = customerId(r, 'Samuel', 'Okafor');
    const rosa = customerId(r, 'Rosa', 'Delgado');
    sql(r, 'INSERT INTO customer_caregivers (patient_id, caregiver_id, added_at) VALUES (?, ?, 1)', samuel, henry);
    sql(r, "UPDATE customers SET medical_id_expires = '2025-03-31' WHERE id = ?", samuel);
    const plain = await prepare(r, { customerId: henry });
    expect(plain.patients).toEqual([
      { kind: 'customer', id: samuel, displayName: 'Samuel Okafor', medicalLicence: 'MP3H8W1N6T', problem: "Samuel Okafor's medical card expired on 03/31/2025: update it on Samuel's profile." },
    ]);
    const expired = await r.call('queue.checkIn', { commandId: ulid(), customerId: henry, as: 'caregiver', patientId: samuel, patientKind: 'customer', allotments: [] });
    expect(expired).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining("Samuel Okafor's medical card expired on 03/31/2025") } });
    const stranger = await r.call('queue.checkIn.prepare', { customerId: henry, as: 'caregiver', patientId: rosa, patientKind: 'customer' });
    expect(stranger).toMatchObject({ ok: false, error: { code: 'not_found', message: 'That patient does not name Henry Alvarez as a caregiver any more: open the check-in again.' } });
    expect(sql(r, 'SELECT COUNT(*) AS n FROM queue_entries')).toEqual([{ n: 0 }]);
  });
});
