/**
 * A caregiver at check-in (demo store, Illinois, real SQLite, allotments from the embedded BioTrack
 * sandbox): checked in for a patient kept on their profile (that patient's allotment, looked up with
 * both cards; the ticket opens with that patient), or, holding their own patient card, for
 * themselves (their own card and rules; the sale records no caregiver licence).
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

const prepare = async (r: TestRegister, request: { customerId: string; as?: string; patientId?: string }) => value<CheckInPreparation>(await r.call('queue.checkIn.prepare', request));

const FLOWER = '7194220405500100'; // Prairie Sunset Flower 3.5g

async function sell(r: TestRegister, ticket: TicketView): Promise<string> {
  const change = value<TicketChange>(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: FLOWER, quantity: 1 }));
  expect(change.refusal).toBeNull();
  const receipt = value<{ saleId: string }>(
    await r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: change.ticket.totals.totalCents }] }),
  );
  return receipt.saleId;
}

describe('a caregiver checked in for a patient kept on their profile', () => {
  it("is looked up with both cards, queued as the caregiver for that patient, and the ticket opens on that patient's allotment", async () => {
    const r = await start();
    const henry = customerId(r, 'Henry', 'Alvarez');
    const paula = value<{ id: string }>(
      await r.call('customers.addPatient', {
        commandId: ulid(),
        caregiverId: henry,
        patient: { firstName: 'Paula', lastName: 'Patient', medicalLicence: 'MP2J6N4Q8B', licenceExpires: '2030-05-31', dateOfBirth: '1990-04-02' },
      }),
    );

    // Without a choice: as before, the patient is chosen at the register.
    const plain = await prepare(r, { customerId: henry });
    expect(plain.patients).toEqual([{ kind: 'caregiver_patient', id: paula.id, displayName: 'Paula Patient', medicalLicence: 'MP2J6N4Q8B', problem: null }]);
    expect(plain.patient).toBeNull();
    expect(plain.allotment.status).toBe('not_required');

    const forPaula = await prepare(r, { customerId: henry, as: 'caregiver', patientId: paula.id });
    expect(forPaula.refusals).toEqual([]);
    expect(forPaula.patient).toEqual({ kind: 'caregiver_patient', id: paula.id, displayName: 'Paula Patient', medicalLicence: 'MP2J6N4Q8B' });
    expect(forPaula.allotment).toMatchObject({ status: 'state_system', cardId: 'MP2J6N4Q8B', caregiverCardId: 'CG8B3N6X5R' });
    expect(forPaula.allotment.limits).toEqual([expect.objectContaining({ limitId: 'usable_cannabis', amount: 70_870, unit: 'mg' })]);

    const entry = value<QueueEntry>(
      await r.call('queue.checkIn', { commandId: ulid(), customerId: henry, as: 'caregiver', patientId: paula.id, allotments: [{ limitId: 'usable_cannabis', amount: 60_000 }] }),
    );
    expect(entry).toMatchObject({ checkedInAs: 'caregiver', forPatient: 'Paula Patient', forSelf: false, allotmentSource: 'state_system' });
    expect(entry.allotments).toEqual([expect.objectContaining({ amount: 60_000, ceiling: 70_870 })]);
    expect(sql(r, 'SELECT caregiver_patient_id AS p, card_id AS card, caregiver_card_id AS cg FROM queue_entries WHERE id = ?', entry.id)).toEqual([
      { p: paula.id, card: 'MP2J6N4Q8B', cg: 'CG8B3N6X5R' },
    ]);
    const audit = sql<Array<{ details: string }>>(r, "SELECT details FROM audit_events WHERE action = 'queue.check_in' ORDER BY rowid DESC LIMIT 1");
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ patientId: paula.id, patient: 'Paula Patient' });

    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: henry, queueEntryId: entry.id }));
    expect(ticket.patient).toMatchObject({ kind: 'caregiver_patient', id: paula.id, name: 'Paula Patient' });
    const looked = value<TicketView>(await r.call('checkout.ticket.refreshAllotment', { ticketId: ticket.ticketId }));
    expect(looked.allotment.state).toBe('state_system');
    const saleId = await sell(r, looked);
    expect(sql(r, 'SELECT customer_id AS c, caregiver_patient_id AS p, patient_licence AS pl, caregiver_licence AS cl FROM sales WHERE id = ?', saleId)).toEqual([
      { c: henry, p: paula.id, pl: 'MP2J6N4Q8B', cl: 'CG8B3N6X5R' },
    ]);
  });

  it("refuses a patient whose card expired or who has no birth date, and one who is not this caregiver's", async () => {
    const r = await start();
    const henry = customerId(r, 'Henry', 'Alvarez');
    const patient = value<{ id: string }>(
      await r.call('customers.addPatient', {
        commandId: ulid(),
        caregiverId: henry,
        patient: { firstName: 'Old', lastName: 'Card', medicalLicence: 'MP2J6N4Q8B', licenceExpires: '2024-01-31', dateOfBirth: '1990-04-02' },
      }),
    );
    const expired = await prepare(r, { customerId: henry, as: 'caregiver', patientId: patient.id });
    expect(expired.refusals).toEqual([{ code: 'patient_record', message: "Old Card's medical card expired on 01/31/2024: update it on Henry Alvarez's profile." }]);
    expect(expired.patients[0]!.problem).toMatch(/expired on 01\/31\/2024/);
    const refused = await r.call('queue.checkIn', { commandId: ulid(), customerId: henry, as: 'caregiver', patientId: patient.id, allotments: [] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(sql(r, 'SELECT COUNT(*) AS n FROM queue_entries')).toEqual([{ n: 0 }]);

    sql(r, "UPDATE caregiver_patients SET licence_expires = '2030-05-31', date_of_birth = NULL WHERE id = ?", patient.id);
    const noBirth = await prepare(r, { customerId: henry, as: 'caregiver', patientId: patient.id });
    expect(noBirth.refusals.map((x) => x.message)).toEqual(["Old Card has no birth date on file: enter it on Henry Alvarez's profile (Customers › Caregiver-patients › Edit)."]);

    const grace = customerId(r, 'Grace', 'Chen');
    const other = await r.call('queue.checkIn.prepare', { customerId: grace, as: 'caregiver', patientId: patient.id });
    expect(other).toMatchObject({ ok: false, error: { code: 'not_found', message: "That patient is not on Grace Chen's profile any more: open the check-in again." } });
  });
});

describe('a caregiver who holds their own patient card', () => {
  it('may be checked in for themselves: their own card and rules, and the sale records no caregiver licence', async () => {
    const r = await start();
    const grace = customerId(r, 'Grace', 'Chen');
    sql(r, "UPDATE customers SET medical_id = 'MP8C3Y5T1R', medical_id_expires = '2030-05-31' WHERE id = ?", grace);

    const plain = await prepare(r, { customerId: grace });
    expect(plain.options).toEqual(['caregiver', 'medical']);
    const self = await prepare(r, { customerId: grace, as: 'medical' });
    expect(self.refusals).toEqual([]);
    expect(self.profileLabel).not.toBe(plain.profileLabel);
    expect(self.allotment).toMatchObject({ status: 'state_system', cardId: 'MP8C3Y5T1R', caregiverCardId: null });

    const entry = value<QueueEntry>(await r.call('queue.checkIn', { commandId: ulid(), customerId: grace, as: 'medical', allotments: [] }));
    expect(entry).toMatchObject({ checkedInAs: 'medical', forSelf: true, forPatient: null, allotmentSource: 'state_system' });

    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: grace, queueEntryId: entry.id }));
    expect(ticket.patient).toMatchObject({ kind: 'customer', id: grace, self: true, licence: 'MP8C3Y5T1R' });
    expect(ticket.channel).toBe('medical');
    const looked = value<TicketView>(await r.call('checkout.ticket.refreshAllotment', { ticketId: ticket.ticketId }));
    expect(looked.allotment.state).toBe('state_system');
    const saleId = await sell(r, looked);
    expect(sql(r, 'SELECT customer_id AS c, patient_customer_id AS p, patient_licence AS pl, caregiver_licence AS cl, channel FROM sales WHERE id = ?', saleId)).toEqual([
      { c: grace, p: grace, pl: 'MP8C3Y5T1R', cl: null, channel: 'medical' },
    ]);
  });

  it('at the register (not checked in) the budtender chooses: themselves or one of their patients', async () => {
    const r = await start();
    const grace = customerId(r, 'Grace', 'Chen');
    const lily = customerId(r, 'Lily', 'Chen');
    sql(r, "UPDATE customers SET medical_id = 'MP8C3Y5T1R', medical_id_expires = '2030-05-31' WHERE id = ?", grace);
    sql(r, 'INSERT INTO customer_caregivers (patient_id, caregiver_id, added_at) VALUES (?, ?, 1)', lily, grace);
    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: grace }));
    expect(ticket.patient).toBeNull();
    expect(ticket.needsPatient).toBe(true);
    expect(ticket.patients.map((p) => [p.name, p.self === true])).toEqual([
      ['Grace Chen', true],
      ['Lily Chen', false],
    ]);
    const forSelf = value<TicketView>(await r.call('checkout.ticket.setPatient', { ticketId: ticket.ticketId, patient: { kind: 'customer', id: grace } }));
    expect(forSelf.patient?.self).toBe(true);
    expect(forSelf.channel).toBe('medical');
    const forLily = value<TicketView>(await r.call('checkout.ticket.setPatient', { ticketId: ticket.ticketId, patient: { kind: 'customer', id: lily } }));
    expect(forLily.patient?.name).toBe('Lily Chen');
    expect(forLily.profileLabel).not.toBe(forSelf.profileLabel);
  });
});
