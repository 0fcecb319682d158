/**
 * Compliance cases per state, through the register's own API (real SQLite, the demo store, the
 * embedded BioTrack sandbox). Each case names the section of shared/research/rules.md and the
 * source id it checks. The demo store is Illinois; other states switch store.jurisdiction.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ulid } from 'ulid';
import Database from 'better-sqlite3';
import type { ResponseEnvelope } from '../../../preload/api.js';
import type { TicketChange, TicketView } from '../../../preload/contract/checkout.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

const open: TestRegister[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

async function start(jurisdiction = 'IL'): Promise<TestRegister> {
  const r = await startTestRegister();
  open.push(r);
  if (jurisdiction !== 'IL') sql(r, "UPDATE settings SET value = ? WHERE key = 'store.jurisdiction'", JSON.stringify(jurisdiction));
  // The rates a store enters itself (local sales, California's sales and use and local cannabis taxes).
  for (const [key, basisPoints] of Object.entries(STORE_RATES[jurisdiction] ?? {})) {
    const rates = [{ from: '2020-01-01', to: null, basisPoints, source: `${jurisdiction}-7`, confidence: 'GUESS' }];
    sql(r, 'INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?, ?, 1)', key, JSON.stringify(rates));
  }
  value(await r.call('session.login', { pin: '1111' }));
  return r;
}

function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`call failed: ${response.error.code} ${response.error.message}`);
  return response.value as T;
}

function failure(response: ResponseEnvelope): string {
  if (response.ok) throw new Error('the call was expected to be refused');
  return response.error.message;
}

function sql<T>(r: TestRegister, text: string, ...params: unknown[]): T {
  const handle = new Database(join(r.dataDir, 'register.sqlite'));
  try {
    const statement = handle.prepare(text);
    return (statement.reader ? statement.all(...params) : statement.run(...params)) as T;
  } finally {
    handle.close();
  }
}

function customerId(r: TestRegister, first: string, last: string): string {
  return sql<Array<{ id: string }>>(r, 'SELECT id FROM customers WHERE first_name = ? AND last_name = ?', first, last)[0]!.id;
}

async function scan(r: TestRegister, ticket: TicketView, code: string, quantity = 1): Promise<TicketChange> {
  return value<TicketChange>(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code, quantity }));
}

const STORE_RATES: Record<string, Record<string, number>> = {
  OK: { 'tax.rates.ok_local_sales': 400 },
  CA: { 'tax.rates.ca_sales_and_use': 725, 'tax.rates.ca_local_cannabis': 500 },
};

const FLOWER = '7194220405500100'; // Prairie Sunset 3.5 g
const GUMMIES_UPC = '850012340201'; // Watermelon Gummies 100 mg THC (infused)

describe('Illinois', () => {
  it('§1.2 [IL-4 H]: a caregiver-patient without a birth date cannot be sold to; entered under 18, only infused products', async () => {
    const r = await start();
    const caregiverId = customerId(r, 'Henry', 'Alvarez');
    const patient = value<{ id: string; dateOfBirth: string | null }>(
      await r.call('customers.addPatient', {
        commandId: ulid(),
        caregiverId,
        patient: { firstName: 'Ruby', lastName: 'Alvarez', medicalLicence: 'MPRUBY0001', licenceExpires: '2030-01-01' },
      }),
    );
    expect(patient.dateOfBirth).toBeNull();
    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: caregiverId }));
    // Not chosen for the caregiver: the option says what is missing and where to enter it.
    expect(ticket.patient).toBeNull();
    const option = ticket.patients.find((p) => p.id === patient.id)!;
    expect(option.problem).toMatch(/No birth date on file: enter it on Henry Alvarez's profile \(Customers → Caregiver-patients → Edit\)/);
    expect(failure(await r.call('checkout.ticket.setPatient', { ticketId: ticket.ticketId, patient: { kind: 'caregiver_patient', id: patient.id } }))).toMatch(
      /birth date/,
    );

    // A birth date 12 years back: the minor's rules (infused products only, Ashley's Law).
    value(
      await r.call('customers.updatePatient', {
        commandId: ulid(),
        id: patient.id,
        patient: { firstName: 'Ruby', lastName: 'Alvarez', medicalLicence: 'MPRUBY0001', licenceExpires: '2030-01-01', dateOfBirth: '2014-03-01' },
      }),
    );
    const again = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: caregiverId }));
    const chosen = value<TicketView>(await r.call('checkout.ticket.setPatient', { ticketId: again.ticketId, patient: { kind: 'caregiver_patient', id: patient.id } }));
    expect(chosen.patient?.id).toBe(patient.id);
    const flower = await scan(r, chosen, FLOWER);
    expect(flower.refusal?.code).toBe('category_not_allowed');
    expect(flower.refusal?.overridable).toBe(false);
    expect((await scan(r, chosen, GUMMIES_UPC)).refusal).toBeNull();
  });

  it('§1.2: a caregiver-patient birth date in the future is refused where it is entered', async () => {
    const r = await start();
    const response = await r.call('customers.addPatient', {
      commandId: ulid(),
      caregiverId: customerId(r, 'Henry', 'Alvarez'),
      patient: { firstName: 'Ruby', lastName: 'Alvarez', medicalLicence: 'MPRUBY0001', licenceExpires: '2030-01-01', dateOfBirth: '2099-01-01' },
    });
    expect(failure(response)).toMatch(/birth date is in the future/);
  });
});

describe('Oklahoma', () => {
  /** Lily Chen as an Oklahoma patient of 15 (scanned OK ID), linked to Grace Chen as her parent and caregiver. */
  function minorLily(r: TestRegister): { lily: string; grace: string } {
    const lily = customerId(r, 'Lily', 'Chen');
    const grace = customerId(r, 'Grace', 'Chen');
    sql(r, "UPDATE customers SET licence_state = 'OK', date_of_birth = '2011-06-08' WHERE id = ?", lily);
    sql(r, 'INSERT OR REPLACE INTO customer_profiles (customer_id, caregiver_customer_id, updated_at) VALUES (?, ?, 1)', lily, grace);
    return { lily, grace };
  }

  it('§2.3 [OK-12 H]: a 15-year-old patient cannot buy alone: the parent, guardian or caregiver buys on their ticket, recorded on the sale', async () => {
    const r = await start('OK');
    const { lily, grace } = minorLily(r);
    const alone = failure(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: lily }));
    expect(alone).toMatch(/Lily Chen \(.*\) may buy only with a parent, guardian or caregiver: open that adult's ticket and choose Lily as the patient/);

    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: grace }));
    expect(ticket.patient?.id).toBe(lily);
    expect((await scan(r, ticket, GUMMIES_UPC)).refusal).toBeNull();
    const view = value<TicketView>(await r.call('checkout.ticket.get', { ticketId: ticket.ticketId }));
    const receipt = value<{ saleId: string }>(
      await r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: view.totals.totalCents }] }),
    );
    const sale = sql<Array<Record<string, unknown>>>(
      r,
      'SELECT customer_id, patient_customer_id, patient_licence, caregiver_licence, profile_id FROM sales WHERE id = ?',
      receipt.saleId,
    );
    expect(sale).toEqual([{ customer_id: grace, patient_customer_id: lily, patient_licence: 'MP9R4C7V2L', caregiver_licence: 'CG4M7P2W9Q', profile_id: 'medical_minor' }]);
  });
});

describe('California', () => {
  it('§3.3 [CA-4 H]: a "medical" customer whose card is not a nine-digit MMIC number gets no medical sale and no sales-tax exemption', async () => {
    const r = await start('CA');
    const samuel = customerId(r, 'Samuel', 'Okafor');
    sql(r, "UPDATE customers SET medical_id = 'REC-55', licence_state = 'CA' WHERE id = ?", samuel);
    const refused = failure(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: samuel }));
    expect(refused).toMatch(/Samuel Okafor's medical card: "REC-55" is not a valid county Medical Marijuana Identification Card \(MMIC\) number \(nine digits\)/);

    // With a valid card: the MMIC stack, excise only (15% from 2025-10-01), no sales and use tax.
    sql(r, "UPDATE customers SET medical_id = '123456789' WHERE id = ?", samuel);
    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: samuel }));
    expect(ticket.channel).toBe('medical');
    const change = await scan(r, ticket, FLOWER);
    expect(change.refusal).toBeNull();
    expect(change.ticket.lines[0]!.taxes.map((t) => [t.taxId, t.basisPoints, t.cents])).toEqual([['ca_excise', 1500, 675]]);
  });

  it('§3.3 [CA-4 H]: a caregiver-patient MMIC number must be nine digits where it is entered and again at sale', async () => {
    const r = await start('CA');
    const caregiverId = customerId(r, 'Henry', 'Alvarez');
    const entry = (medicalLicence: string) => ({
      commandId: ulid(),
      caregiverId,
      patient: { firstName: 'Ruby', lastName: 'Alvarez', medicalLicence, licenceExpires: '2030-01-01', dateOfBirth: '1990-01-01' },
    });
    expect(failure(await r.call('customers.addPatient', entry('REC-55')))).toMatch(/Medical licence number: "REC-55" is not a valid .* \(nine digits\)/);
    const patient = value<{ id: string }>(await r.call('customers.addPatient', entry('123456789')));
    // A number saved before the check (or changed outside the register) is refused at sale.
    sql(r, "UPDATE caregiver_patients SET medical_licence = 'REC-55' WHERE id = ?", patient.id);
    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: caregiverId }));
    expect(ticket.patient).toBeNull();
    expect(ticket.patients.find((p) => p.id === patient.id)!.problem).toMatch(/"REC-55" is not a valid county Medical Marijuana Identification Card \(MMIC\) number \(nine digits\)/);
  });
});
