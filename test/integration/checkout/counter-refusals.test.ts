/**
 * An expired ID or an under-age customer is never checked in or sold to, whatever the path, on a
 * real register (Illinois demo store, real SQLite, the embedded BioTrack sandbox): check-in, a
 * ticket opened straight from the register, and payment, where the core reads the customer and
 * the patient again and refuses by itself, leaving the ticket open and no sale written.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResponseEnvelope } from '../../../preload/api.js';
import type { TicketChange, TicketView } from '../../../preload/contract/checkout.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

const running: TestRegister[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

async function start(): Promise<TestRegister> {
  const r = await startTestRegister();
  running.push(r);
  value(await r.call('session.login', { pin: '1111' }));
  return r;
}

function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`call failed: ${response.error.code} ${response.error.message}`);
  return response.value as T;
}

function refusal(response: ResponseEnvelope): string {
  if (response.ok) throw new Error('expected a refusal');
  return response.error.message;
}

function count(r: TestRegister, table: string): number {
  const handle = new Database(join(r.dataDir, 'register.sqlite'), { readonly: true });
  try {
    return (handle.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    handle.close();
  }
}

async function idOf(r: TestRegister, name: string): Promise<string> {
  return value<{ results: Array<{ id: string }> }>(await r.call('customers.search', { field: 'name', query: name, limit: 5 })).results[0]!.id;
}

/** yyyy-mm-dd `days` from the register's today (its clock is the machine's). */
function isoDaysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
const storeFormat = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;

const GUMMIES_UPC = '850012340201';
const FLOWER = '7194220405500100';

async function pay(r: TestRegister, ticket: TicketView): Promise<ResponseEnvelope> {
  return r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: 100_000 }] });
}

describe('payment reads the customer again', () => {
  it('refuses a sale whose customer’s ID expired after the ticket opened: the ticket stays open, no sale is written', async () => {
    const r = await start();
    const id = await idOf(r, 'marcus bell');
    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: id }));
    expect(value<TicketChange>(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: GUMMIES_UPC })).refusal).toBeNull();

    const detail = value<{ form: Record<string, unknown> }>(await r.call('customers.get', { id }));
    const expired = isoDaysFromNow(-2);
    value(await r.call('customers.update', { commandId: ulid(), id, form: { ...detail.form, identificationExpires: expired } }));

    expect(refusal(await pay(r, ticket))).toBe(
      `Marcus Bell's ID expired on ${storeFormat(expired)}: scan their renewed licence or state ID at Customers (it updates the profile) before selling. The ticket is still open.`,
    );
    expect(count(r, 'sales')).toBe(0);
    expect(value<TicketView>(await r.call('checkout.ticket.get', { ticketId: ticket.ticketId })).lines).toHaveLength(1);

    // Renewed: the same ticket is paid.
    value(await r.call('customers.update', { commandId: ulid(), id, form: { ...detail.form, identificationExpires: isoDaysFromNow(900) } }));
    value(await pay(r, ticket));
    expect(count(r, 'sales')).toBe(1);
  });

  it("refuses a caregiver's sale for a patient whose card lapsed after the patient was chosen", async () => {
    const r = await start();
    const caregiverId = await idOf(r, 'henry alvarez');
    const patient = value<{ id: string }>(
      await r.call('customers.addPatient', {
        commandId: ulid(),
        caregiverId,
        patient: { firstName: 'June', lastName: 'Alvarez', medicalLicence: 'MP2J6N4Q8B', licenceExpires: '2030-01-01', dateOfBirth: '1990-04-01' },
      }),
    );
    const ticket = value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: caregiverId }));
    expect(ticket.patient?.id).toBe(patient.id);
    expect(value<TicketChange>(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: FLOWER })).refusal).toBeNull();
    value(
      await r.call('customers.updatePatient', {
        commandId: ulid(),
        id: patient.id,
        patient: { firstName: 'June', lastName: 'Alvarez', medicalLicence: 'MP2J6N4Q8B', licenceExpires: '2025-01-31', dateOfBirth: '1990-04-01' },
      }),
    );
    expect(refusal(await pay(r, ticket))).toBe('June Alvarez cannot be served: Card expired 01/31/2025: a patient is served only on a current card. The ticket is still open.');
    expect(count(r, 'sales')).toBe(0);
  });
});

describe('check-in and a ticket opened straight from the register say the same', () => {
  it('a 19-year-old adult-use customer typed by hand: the age in plain words on both paths', async () => {
    const r = await start();
    const born = isoDaysFromNow(-(19 * 365 + 30));
    const created = value<{ id: string }>(
      await r.call('customers.create', {
        commandId: ulid(),
        form: {
          firstName: 'Nina',
          middleName: null,
          lastName: 'Nineteen',
          nickname: null,
          dateOfBirth: born,
          gender: 'female',
          licenceNumber: null,
          licenceState: 'IL',
          identificationExpires: '2031-01-01',
          address: { street: null, street2: null, city: null, state: null, postalCode: null },
          adultUse: true,
          stateMedicalId: false,
          medicalId: null,
          medicalIdExpires: null,
          recommendationExpires: null,
          physician: { name: null, licence: null, phone: null },
          caregiverLicence: false,
          caregiverId: null,
          caregiverIdExpires: null,
          caregiverCustomerId: null,
          phone: null,
          otherPhone: null,
          email: null,
          delivery: { street: null, street2: null, city: null, state: null, postalCode: null },
          notes: null,
          warning1: false,
          warning2: false,
          banned: false,
          groups: [],
          scanned: false,
        },
      }),
    );
    const words = 'Nina Nineteen is 19 — adult-use sales need 21 or older.';
    const prepared = value<{ refusals: Array<{ code: string; message: string }> }>(await r.call('queue.checkIn.prepare', { customerId: created.id }));
    expect(prepared.refusals).toEqual([{ code: 'under_age', message: words }]);
    const checkIn = await r.call('queue.checkIn', { commandId: ulid(), customerId: created.id, as: 'adult_use', allotments: [] });
    expect(refusal(checkIn)).toContain(words);
    expect(refusal(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: created.id }))).toBe(words);
    expect(count(r, 'queue_entries')).toBe(0);
  });

  it('an ID with no expiry on file is refused at the register as at check-in', async () => {
    const r = await start();
    const id = await idOf(r, 'olivia hart');
    const detail = value<{ form: Record<string, unknown> }>(await r.call('customers.get', { id }));
    value(await r.call('customers.update', { commandId: ulid(), id, form: { ...detail.form, identificationExpires: null } }));
    const words = "Olivia Hart's ID has no expiration date on file: scan their licence at Customers, or enter the date in the profile.";
    const prepared = value<{ refusals: Array<{ message: string }> }>(await r.call('queue.checkIn.prepare', { customerId: id }));
    expect(prepared.refusals.map((x) => x.message)).toEqual([words]);
    expect(refusal(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: id }))).toBe(words);
  });
});
