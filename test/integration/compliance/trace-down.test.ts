/**
 * The store's one policy for the state system being down, read by check-in AND the register
 * (demo store: Illinois, real SQLite, the embedded BioTrack sandbox with an outage injected):
 * the Illinois default sells with the allotment typed by hand after the medical ID is confirmed;
 * a store that chose to refuse refuses at check-in and at the register; the choice and each
 * allotment typed by hand are audited.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import type { ResponseEnvelope } from '../../../preload/api.js';
import type { TicketChange, TicketView } from '../../../preload/contract/checkout.js';
import type { TraceDownPolicyView } from '../../../preload/contract/compliance.js';
import { startTestRegister, type TestRegister, sql, value } from '../../support/register.js';

const open: TestRegister[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

async function start(): Promise<TestRegister> {
  const r = await startTestRegister();
  open.push(r);
  return r;
}

function failure(response: ResponseEnvelope): string {
  if (response.ok) throw new Error('the call was expected to fail');
  return response.error.message;
}

const customerId = (r: TestRegister, first: string, last: string) =>
  sql<Array<{ id: string }>>(r, 'SELECT id FROM customers WHERE first_name = ? AND last_name = ?', first, last)[0]!.id;

async function login(r: TestRegister, pin: string): Promise<void> {
  value(await r.call('session.login', { pin }));
}

async function outage(r: TestRegister, on: boolean): Promise<void> {
  await login(r, '3333');
  const settings = value<{ demoSandboxUrl: string | null }>(await r.call('trace.settings.get', {}));
  const harness = settings.demoSandboxUrl!.replace(/\/serverjson\.asp$/, '');
  const body = on ? { rules: [{ action: '*', fault: 'offline', times: 0 }] } : { clear: true };
  const response = await fetch(`${harness}/__faults`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect(response.ok).toBe(true);
}

const BIG_FLOWER_MEDICAL = '7194220405500359'; // Sour Diesel 28 g, medical only
const FLOWER = '7194220405500100'; // Prairie Sunset 3.5 g

const scan = async (r: TestRegister, ticket: TicketView, code: string) => value<TicketChange>(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code, quantity: 1 }));
const openTicket = async (r: TestRegister, id: string) => value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: id }));
const complete = (r: TestRegister, ticket: TicketView, cents: number) =>
  r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: cents }] });

describe('selling while the state system is down: one store policy', () => {
  it('Illinois by default: the register asks for the medical ID and the allotment, refuses the sale until then, audits the entry and caps the meter at it', async () => {
    const r = await start();
    await outage(r, true);
    await login(r, '2222');
    const policy = value<TraceDownPolicyView>(await r.call('compliance.traceDown.get', {}));
    expect(policy).toMatchObject({ allowed: true, followsJurisdiction: true, jurisdiction: { code: 'IL', allowed: true } });
    expect(policy.jurisdiction.rule).toMatch(/shall not operate/);

    await login(r, '1111');
    const rosa = customerId(r, 'Rosa', 'Delgado');
    const ticket = await openTicket(r, rosa);
    expect(ticket.allotment.state).toBe('offline');
    expect(ticket.sellWhileTraceDown).toBe(true);
    expect(ticket.allotmentEntry).toMatchObject({ cardId: 'MP7K2Q9X4D', ceilingMg: 70_873, manual: null });
    expect(ticket.allotmentEntry!.blocked).toMatch(/confirm Rosa Delgado's medical ID and type the allotment by hand/);
    // Nothing is sold on an unknown allotment: not a line, not a sale.
    const refused = await scan(r, ticket, FLOWER);
    expect(refused.refusal).toMatchObject({ code: 'needs_allotment', overridable: false });
    expect(refused.ticket.lines).toHaveLength(0);

    // A wrong card, a figure above the legal limit: refused, nothing audited.
    expect(failure(await r.call('checkout.ticket.manualAllotment', { ticketId: ticket.ticketId, confirmedCardId: 'MP0000000X', amountMg: 30_000, acknowledgedWarnings: true }))).toMatch(
      /does not match the profile's MP7K2Q9X4D/,
    );
    expect(failure(await r.call('checkout.ticket.manualAllotment', { ticketId: ticket.ticketId, confirmedCardId: 'mp7k2q9x4d', amountMg: 70_874, acknowledgedWarnings: true }))).toMatch(
      /above the legal limit of 70\.8730 g/,
    );
    const withoutCautions = await r.call('checkout.ticket.manualAllotment', { ticketId: ticket.ticketId, confirmedCardId: 'mp7k2q9x4d', amountMg: 30_000 });
    expect(withoutCautions).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    expect(sql<unknown[]>(r, `SELECT id FROM audit_events WHERE action = 'checkout.manual_allotment'`)).toHaveLength(0);

    const typed = value<TicketView>(await r.call('checkout.ticket.manualAllotment', { ticketId: ticket.ticketId, confirmedCardId: 'mp7k2q9x4d', amountMg: 30_000, acknowledgedWarnings: true }));
    expect(typed.allotment.state).toBe('manual');
    expect(typed.allotmentEntry).toMatchObject({ blocked: null, manual: { amountMg: 30_000, enteredByName: 'Bea Budtender', via: 'register' } });
    expect(typed.meter.find((row) => row.limitId === 'usable_cannabis')).toMatchObject({ available: 30_000, source: 'state_system' });
    // The typed figure caps the sale: 28 g fits, a second 28 g does not.
    expect((await scan(r, typed, BIG_FLOWER_MEDICAL)).refusal).toBeNull();
    expect((await scan(r, typed, BIG_FLOWER_MEDICAL)).refusal?.code).toBe('over_limit');
    const audit = sql<Array<{ employeeId: string; customerId: string; details: string }>>(
      r,
      `SELECT a.employee_id AS employeeId, a.customer_id AS customerId, a.details FROM audit_events a WHERE a.action = 'checkout.manual_allotment'`,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.customerId).toBe(rosa);
    expect(audit[0]!.employeeId).toBe(sql<Array<{ id: string }>>(r, `SELECT id FROM employees WHERE name = 'Bea Budtender'`)[0]!.id);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ confirmedCardId: 'mp7k2q9x4d', amountMg: 30_000, ceilingMg: 70_873, warningsAcknowledged: true });

    const view = value<TicketView>(await r.call('checkout.ticket.get', { ticketId: ticket.ticketId }));
    const receipt = value<{ saleId: string }>(await complete(r, view, view.totals.totalCents));
    // The sale waits in the outbox to be reported when the state system is back.
    expect(sql<Array<{ kind: string }>>(r, 'SELECT kind FROM trace_outbox WHERE sale_id = ?', receipt.saleId)).toEqual([{ kind: 'dispense' }]);
  });

  it('a store that chose to refuse: check-in refuses AND the register refuses the sale; the choice is audited, and going back to the state default works', async () => {
    const r = await start();
    await login(r, '1111');
    const rosa = customerId(r, 'Rosa', 'Delgado');
    // Opened while the state system answers: the lines are on the ticket when it goes down.
    const ticket = await openTicket(r, rosa);
    expect(ticket.allotment.state).toBe('state_system');
    expect((await scan(r, ticket, FLOWER)).refusal).toBeNull();

    await outage(r, true);
    // A budtender may not change the policy.
    await login(r, '1111');
    expect(await r.call('compliance.traceDown.save', { commandId: ulid(), allowed: false })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await login(r, '2222');
    const saved = value<TraceDownPolicyView>(await r.call('compliance.traceDown.save', { commandId: ulid(), allowed: false }));
    expect(saved).toMatchObject({ allowed: false, followsJurisdiction: false });
    const audit = sql<Array<{ details: string }>>(r, `SELECT details FROM audit_events WHERE action = 'compliance.trace_down_policy.save'`);
    expect(audit.map((row) => JSON.parse(row.details))).toEqual([
      expect.objectContaining({ before: { allowed: true, followsJurisdiction: true }, after: { allowed: false, followsJurisdiction: false }, jurisdictionDefault: true }),
    ]);

    await login(r, '1111');
    // Check-in refuses.
    const samuel = customerId(r, 'Samuel', 'Okafor');
    const prepared = value<{ refusals: Array<{ code: string }> }>(await r.call('queue.checkIn.prepare', { customerId: samuel }));
    expect(prepared.refusals.map((x) => x.code)).toEqual(['trace_down_no_sales']);
    // The register refuses too: the open ticket looks the allotment up again and cannot complete.
    const again = value<TicketView>(await r.call('checkout.ticket.refreshAllotment', { ticketId: ticket.ticketId }));
    expect(again.allotment.state).toBe('offline');
    expect(again.sellWhileTraceDown).toBe(false);
    expect(again.allotmentEntry!.blocked).toMatch(/This store does not sell to medical patients while the state system is down/);
    expect(failure(await complete(r, again, again.totals.totalCents))).toMatch(/does not sell to medical patients while the state system is down/);
    expect(failure(await r.call('checkout.ticket.manualAllotment', { ticketId: ticket.ticketId, confirmedCardId: 'MP7K2Q9X4D', amountMg: 10_000, acknowledgedWarnings: true }))).toMatch(
      /does not sell to medical patients/,
    );
    expect(sql<unknown[]>(r, 'SELECT id FROM sales')).toHaveLength(0);
    // An adult-use sale goes on: the policy is about the state's medical allotments.
    const olivia = await openTicket(r, customerId(r, 'Olivia', 'Hart'));
    expect((await scan(r, olivia, FLOWER)).refusal).toBeNull();

    // Back: the state system answers, the same ticket completes.
    await outage(r, false);
    await login(r, '1111');
    const back = value<TicketView>(await r.call('checkout.ticket.refreshAllotment', { ticketId: ticket.ticketId }));
    expect(back.allotment.state).toBe('state_system');
    expect((await complete(r, back, back.totals.totalCents)).ok).toBe(true);

    await login(r, '2222');
    expect(value<TraceDownPolicyView>(await r.call('compliance.traceDown.save', { commandId: ulid(), allowed: null }))).toMatchObject({ allowed: true, followsJurisdiction: true });
  });

  it('a patient whose allotment was typed at check-in keeps it at the register while the state system is still down', async () => {
    const r = await start();
    await outage(r, true);
    await login(r, '1111');
    const rosa = customerId(r, 'Rosa', 'Delgado');
    const prepared = value<{ allotment: { status: string } }>(await r.call('queue.checkIn.prepare', { customerId: rosa }));
    expect(prepared.allotment.status).toBe('offline');
    const entry = value<{ id: string }>(
      await r.call('queue.checkIn', {
        commandId: ulid(),
        customerId: rosa,
        as: 'medical',
        allotments: [{ limitId: 'usable_cannabis', amount: 20_000 }],
        manual: { confirmedCardId: 'MP7K2Q9X4D', acknowledgedWarnings: true },
      }),
    );
    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: rosa, queueEntryId: entry.id }));
    expect(ticket.allotment.state).toBe('manual');
    expect(ticket.allotmentEntry).toMatchObject({ blocked: null, manual: { amountMg: 20_000, via: 'check_in', enteredByName: 'Bea Budtender' } });
    expect(ticket.meter.find((row) => row.limitId === 'usable_cannabis')?.available).toBe(20_000);
    expect((await scan(r, ticket, BIG_FLOWER_MEDICAL)).refusal?.code).toBe('over_limit');
  });
});

describe('a patient added straight to a ticket (not checked in): the register looks the allotment up as check-in does', () => {
  it('found: the state figure, shown once; not found: 0.0000 g and nothing can be sold, not even by typing a figure', async () => {
    const r = await start();
    await login(r, '1111');
    const rosa = customerId(r, 'Rosa', 'Delgado');
    const found = await openTicket(r, rosa);
    expect(found.queueEntryId).toBeNull();
    expect(found.allotment.state).toBe('state_system');
    expect(found.allotmentEntry).toMatchObject({ cardId: 'MP7K2Q9X4D', stateAmountMg: 70_870, blocked: null, manual: null });
    value(await r.call('checkout.ticket.discard', { ticketId: found.ticketId }));

    sql(r, `UPDATE customers SET medical_id = 'MP0000000X' WHERE id = ?`, rosa);
    const missing = await openTicket(r, rosa);
    expect(missing.allotment.state).toBe('not_found');
    expect(missing.allotmentEntry!.blocked).toMatch(/MP0000000X was not found in the state system: the allotment is 0\.0000 g\. Fix the medical ID in the profile/);
    expect(missing.meter.find((row) => row.limitId === 'usable_cannabis')?.available).toBe(0);
    const refused = await scan(r, missing, FLOWER);
    expect(refused.refusal).toMatchObject({ code: 'needs_allotment', overridable: false });
    expect(failure(await r.call('checkout.ticket.manualAllotment', { ticketId: missing.ticketId, confirmedCardId: 'MP0000000X', amountMg: 10_000, acknowledgedWarnings: true }))).toMatch(
      /The state system answered/,
    );
    expect(sql<unknown[]>(r, `SELECT id FROM audit_events WHERE action = 'checkout.manual_allotment'`)).toHaveLength(0);
  });

  it("a caregiver's patient: looked up when chosen; a card the state does not know refuses, the corrected card sells", async () => {
    const r = await start();
    await login(r, '1111');
    const henry = customerId(r, 'Henry', 'Alvarez');
    const patient = value<{ id: string }>(
      await r.call('customers.addPatient', {
        commandId: ulid(),
        caregiverId: henry,
        patient: { firstName: 'June', lastName: 'Alvarez', medicalLicence: 'MPZZZZ0000', licenceExpires: '2030-01-01', dateOfBirth: '1990-04-01' },
      }),
    );
    // The one patient is chosen for the caregiver at once, and looked up.
    const ticket = await openTicket(r, henry);
    expect(ticket.patient?.id).toBe(patient.id);
    expect(ticket.allotment.state).toBe('not_found');
    expect(ticket.allotmentEntry).toMatchObject({ holderName: 'June Alvarez', cardId: 'MPZZZZ0000' });
    expect(ticket.allotmentEntry!.blocked).toMatch(/MPZZZZ0000 was not found in the state system/);
    expect((await scan(r, ticket, FLOWER)).refusal?.code).toBe('needs_allotment');
    value(await r.call('checkout.ticket.discard', { ticketId: ticket.ticketId }));

    value(
      await r.call('customers.updatePatient', {
        commandId: ulid(),
        id: patient.id,
        patient: { firstName: 'June', lastName: 'Alvarez', medicalLicence: 'MP2J6N4Q8B', licenceExpires: '2030-01-01', dateOfBirth: '1990-04-01' },
      }),
    );
    const june = await openTicket(r, henry);
    expect(june.allotment.state).toBe('state_system');
    expect(june.allotmentEntry).toMatchObject({ holderName: 'June Alvarez', blocked: null, stateAmountMg: 70_870 });
    const change = await scan(r, june, FLOWER);
    expect(change.refusal).toBeNull();
    expect((await complete(r, change.ticket, change.ticket.totals.totalCents)).ok).toBe(true);
  });
});

describe('a caregiver at the register', () => {
  it('opens with no patient on file, adds one on the spot, and the patient is chosen and looked up', async () => {
    const r = await start();
    await login(r, '1111');
    const henry = customerId(r, 'Henry', 'Alvarez');
    const ticket = await openTicket(r, henry);
    expect(ticket.needsPatient).toBe(true);
    expect(ticket.patients).toEqual([]);
    expect((await scan(r, ticket, FLOWER)).refusal).toMatchObject({ code: 'needs_patient', message: 'Add the patient Henry Alvarez is buying for (+ Add patient).' });
    const added = value<{ id: string }>(
      await r.call('customers.addPatient', {
        commandId: ulid(),
        caregiverId: henry,
        patient: { firstName: 'June', lastName: 'Alvarez', medicalLicence: 'MP2J6N4Q8B', licenceExpires: '2030-05-31', dateOfBirth: '1990-04-01' },
      }),
    );
    const chosen = value<TicketView>(await r.call('checkout.ticket.setPatient', { ticketId: ticket.ticketId, patient: { kind: 'caregiver_patient', id: added.id } }));
    expect(chosen.patient).toMatchObject({ id: added.id, name: 'June Alvarez', licence: 'MP2J6N4Q8B' });
    expect(chosen.allotment.state).toBe('state_system');
    // Another caregiver's patient is still refused.
    const other = await r.call('checkout.ticket.setPatient', { ticketId: ticket.ticketId, patient: { kind: 'caregiver_patient', id: 'not-his' } });
    expect(failure(other)).toMatch(/not one of Henry Alvarez's patients/);
  });
});
