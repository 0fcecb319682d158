/**
 * Checkout against a real register (demo store: Illinois, real SQLite, the embedded BioTrack
 * sandbox): tickets, scans, refusals, caregiver sales, the one-transaction commit, a retried
 * completion applied once, voids and returns.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import type { Receipt, TicketChange, TicketView } from '../../../preload/contract/checkout.js';
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

function customerId(r: TestRegister, first: string, last: string): string {
  return sql<Array<{ id: string }>>(r, 'SELECT id FROM customers WHERE first_name = ? AND last_name = ?', first, last)[0]!.id;
}

async function login(r: TestRegister, pin = '1111'): Promise<void> {
  value(await r.call('session.login', { pin }));
}

async function openTicket(r: TestRegister, first: string, last: string, extra: Record<string, unknown> = {}): Promise<TicketView> {
  return value<TicketView>(await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: customerId(r, first, last), ...extra }));
}

async function scan(r: TestRegister, ticket: TicketView, code: string, quantity = 1): Promise<TicketChange> {
  return value<TicketChange>(await r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code, quantity }));
}

const FLOWER = '7194220405500100'; // Prairie Sunset 3.5 g, $45.00, 22.8%
const BIG_FLOWER_MEDICAL = '7194220405500359'; // Sour Diesel 28 g, medical only, $220.00
const GUMMIES_UPC = '850012340201'; // Watermelon Gummies 100 mg THC, $25.00
const SHATTER = '7194220405500581'; // GMO Shatter 1 g, 81.5% → 25% excise

const onHand = (r: TestRegister, barcode: string) =>
  sql<Array<{ n: number }>>(
    r,
    'SELECT COALESCE(SUM(s.quantity), 0) AS n FROM stock_on_hand s JOIN products p ON p.id = s.product_id WHERE p.trace_barcode = ?',
    barcode,
  )[0]!.n;

describe('checkout on the demo store', () => {
  it('sells to an adult-use customer: taxes per line from the Illinois rules, cash change, one transaction, applied once', async () => {
    const r = await start();
    await login(r);
    const ticket = await openTicket(r, 'Olivia', 'Hart');
    expect(ticket.channel).toBe('adult_use');
    expect(ticket.meter.map((row) => row.limitId)).toEqual(['flower', 'concentrate', 'infused_thc']);
    const before = onHand(r, FLOWER);

    let change = await scan(r, ticket, FLOWER, 2);
    expect(change.refusal).toBeNull();
    change = await scan(r, ticket, GUMMIES_UPC); // by UPC
    change = await scan(r, ticket, SHATTER);
    const view = change.ticket;
    expect(view.lines).toHaveLength(3);
    // Flower $90.00: excise 10% 900, state ROT 6.25% 563 (562.5 half up), local 2.5% 225, municipal 3% 270, county 3% 270.
    expect(view.lines[0]!.taxes.map((t) => t.cents)).toEqual([900, 563, 225, 270, 270]);
    // Gummies $25.00: infused excise 20% 500, then 156 (156.25), 63 (62.5 half up), 75, 75.
    expect(view.lines[1]!.taxes.map((t) => t.cents)).toEqual([500, 156, 63, 75, 75]);
    // Shatter $45.00 at 81.5% adjusted THC: the 25% tier.
    expect(view.lines[2]!.taxes[0]).toMatchObject({ taxId: 'il_excise_high_potency', ratePpm: 250_000, cents: 1125 });
    const flowerRow = view.meter.find((row) => row.limitId === 'flower')!;
    expect(flowerRow.onTicket).toBe(7000);

    const total = view.totals.totalCents;
    const receipt = value<Receipt>(
      await r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: total + 1234 }] }),
    );
    expect(receipt.totalCents).toBe(total);
    expect(receipt.changeCents).toBe(1234);
    expect(receipt.trace).toBeNull();
    expect(onHand(r, FLOWER)).toBe(before - 2);
    // Retried with the same commandId (the answer was lost): the same sale, nothing written twice.
    const again = value<Receipt>(
      await r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: total + 1234 }] }),
    );
    expect(again.saleId).toBe(receipt.saleId);
    expect(sql<Array<{ n: number }>>(r, 'SELECT COUNT(*) AS n FROM sales')[0]!.n).toBe(1);
    expect(onHand(r, FLOWER)).toBe(before - 2);
    const taxRows = sql<Array<{ total: number }>>(r, 'SELECT SUM(t.tax_cents) AS total FROM sales s JOIN sale_lines l ON l.sale_no = s.receipt_number JOIN sale_taxes t ON t.sale_line_id = l.id WHERE s.id = ?', receipt.saleId)[0]!.total;
    expect(taxRows).toBe(receipt.taxCents);
    const audit = sql<Array<{ customer_id: string; sale_id: string }>>(r, `SELECT customer_id, sale_id FROM audit_events WHERE action = 'sale.complete'`);
    expect(audit).toEqual([{ customer_id: ticket.customer.id, sale_id: receipt.saleId }]);
  });

  it('refuses a line over an adult-use limit with the reason, and no override is offered', async () => {
    const r = await start();
    await login(r);
    const ticket = await openTicket(r, 'Olivia', 'Hart');
    // Unknown residency: the non-resident flower limit (15 g) applies. 4 × 3.5 g = 14 g is fine, a 5th is refused.
    expect(ticket.notices.join(' ')).toMatch(/non-resident/);
    expect((await scan(r, ticket, FLOWER, 4)).refusal).toBeNull();
    const refused = await scan(r, ticket, FLOWER);
    expect(refused.refusal).toMatchObject({ code: 'over_limit', limitId: 'flower', overridable: false });
    expect(refused.refusal!.message).toMatch(/Cannabis flower/);
    expect(refused.ticket.lines[0]!.quantity).toBe(4);
    // Medical-only products are refused to adult-use customers.
    const medicalOnly = await scan(r, ticket, BIG_FLOWER_MEDICAL);
    expect(medicalOnly.refusal?.code).toBe('not_sold_to_customer');
  });

  it('a medical sale: 1% tax, allotment meter, outbox row in the same transaction, void the same day', async () => {
    const r = await start();
    await login(r);
    const ticket = await openTicket(r, 'Rosa', 'Delgado');
    expect(ticket.channel).toBe('medical');
    expect(ticket.meter[0]).toMatchObject({ limitId: 'usable_cannabis', ceiling: 70873 });
    // Rosa is 65+: the senior group discount applies by default (10%).
    expect(ticket.groupDiscount?.basisPoints).toBe(1000);
    const change = await scan(r, ticket, BIG_FLOWER_MEDICAL, 2); // 56 g
    expect(change.refusal).toBeNull();
    const line = change.ticket.lines[0]!;
    expect(line.grossCents).toBe(44_000);
    expect(line.groupDiscountCents).toBe(4_400);
    expect(line.taxes.map((t) => [t.taxId, t.cents])).toEqual([
      ['il_medical_state_rot', 396],
      ['il_medical_transit_rot', 0],
    ]);
    // A third 28 g would pass 70.87 g: refused, but the rule (IDPH waiver) lets a manager override.
    const over = await scan(r, ticket, BIG_FLOWER_MEDICAL);
    expect(over.refusal).toMatchObject({ code: 'over_limit', overridable: true });

    const receipt = value<Receipt>(
      await r.call('checkout.sale.complete', {
        commandId: ticket.saleCommandId,
        ticketId: ticket.ticketId,
        tenders: [
          { kind: 'debit', amountCents: 20_000, reference: '1234' },
          { kind: 'cash', amountCents: 30_000 },
        ],
      }),
    );
    expect(receipt.trace).not.toBeNull();
    const outbox = sql<Array<{ kind: string; sale_id: string; request: string }>>(r, 'SELECT kind, sale_id, request FROM trace_outbox');
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.sale_id).toBe(receipt.saleId);
    expect(JSON.parse(outbox[0]!.request).sale.cardId).toBe('MP7K2Q9X4D');
    const uses = sql<Array<{ amount: number }>>(r, 'SELECT u.amount FROM allotment_uses u JOIN sales s ON s.receipt_number = u.sale_no WHERE s.id = ?', receipt.saleId);
    expect(uses.map((u) => u.amount)).toEqual([56_000]);

    // Voiding needs a manager: the budtender is refused, the manager may.
    const refused = await r.call('checkout.sale.void', { commandId: ulid(), saleId: receipt.saleId, reason: 'wrong customer' });
    expect(refused.ok).toBe(false);
    await login(r, '2222');
    const stock = onHand(r, BIG_FLOWER_MEDICAL);
    const voided = value<Receipt>(await r.call('checkout.sale.void', { commandId: ulid(), saleId: receipt.saleId, reason: 'wrong customer' }));
    expect(voided.status).toBe('voided');
    expect(onHand(r, BIG_FLOWER_MEDICAL)).toBe(stock + 2);
    const net = sql<Array<{ total: number }>>(r, 'SELECT SUM(amount) AS total FROM allotment_uses WHERE holder_id = ?', ticket.customer.id)[0]!.total;
    expect(net).toBe(0);
    expect(sql<Array<{ kind: string }>>(r, 'SELECT kind FROM trace_outbox ORDER BY id').map((row) => row.kind)).toEqual(['dispense', 'void']);
  });

  it('the 14-day medical allotment counts earlier sales on this register', async () => {
    const r = await start();
    await login(r);
    const first = await openTicket(r, 'Samuel', 'Okafor');
    await scan(r, first, BIG_FLOWER_MEDICAL, 2);
    const paid = first.totals.totalCents;
    void paid;
    const view = value<TicketView>(await r.call('checkout.ticket.get', { ticketId: first.ticketId }));
    value(await r.call('checkout.sale.complete', { commandId: first.saleCommandId, ticketId: first.ticketId, tenders: [{ kind: 'cash', amountCents: view.totals.totalCents }] }));
    const second = await openTicket(r, 'Samuel', 'Okafor');
    const row = second.meter[0]!;
    // Either the state system's figure (already debited by the sandbox once posted) or this register's own count: never more than 70.873 − 56 g.
    expect(row.available).toBeLessThanOrEqual(70_873 - 56_000);
    expect((await scan(r, second, BIG_FLOWER_MEDICAL)).refusal?.code).toBe('over_limit');
  });

  it('a caregiver must name one of their patients; the sale records both licences and uses the patient allotment', async () => {
    const r = await start();
    await login(r);
    const caregiverId = customerId(r, 'Henry', 'Alvarez');
    const patient = value<{ id: string }>(
      await r.call('customers.addPatient', {
        commandId: ulid(),
        caregiverId,
        patient: { firstName: 'June', lastName: 'Alvarez', medicalLicence: 'MP2J6N4Q8B', licenceExpires: '2030-01-01', dateOfBirth: '1990-04-01' },
      }),
    );
    const ticket = await openTicket(r, 'Henry', 'Alvarez');
    // One patient only: chosen for the caregiver at once.
    expect(ticket.patient?.id).toBe(patient.id);
    expect(ticket.needsPatient).toBe(false);
    const other = await r.call('checkout.ticket.setPatient', { ticketId: ticket.ticketId, patient: { kind: 'customer', id: customerId(r, 'Rosa', 'Delgado') } });
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.error.message).toMatch(/not one of/);
    const change = await scan(r, ticket, FLOWER);
    expect(change.refusal).toBeNull();
    const receipt = value<Receipt>(
      await r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: 10_000 }] }),
    );
    expect(receipt.patientLicence).toBe('MP2J6N4Q8B');
    expect(receipt.caregiverLicence).toBe('CG8B3N6X5R');
    const uses = sql<Array<{ holder_kind: string; holder_id: string }>>(r, 'SELECT u.holder_kind, u.holder_id FROM allotment_uses u JOIN sales s ON s.receipt_number = u.sale_no WHERE s.id = ?', receipt.saleId);
    expect(uses).toEqual([{ holder_kind: 'caregiver_patient', holder_id: patient.id }]);
    const outbox = JSON.parse(sql<Array<{ request: string }>>(r, 'SELECT request FROM trace_outbox')[0]!.request);
    expect(outbox.sale).toMatchObject({ cardId: 'MP2J6N4Q8B', caregiverCardId: 'CG8B3N6X5R' });
  });

  it('refuses expired cards and a minor buying for herself', async () => {
    const r = await start();
    await login(r);
    const expired = await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: customerId(r, 'Walter', 'Briggs') });
    expect(!expired.ok && expired.error.message).toMatch(/medical card expired/);
    const minor = await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: customerId(r, 'Lily', 'Chen') });
    expect(!minor.ok && minor.error.message).toMatch(/only through a caregiver/);
    const oldId = await r.call('checkout.ticket.open', { saleCommandId: ulid(), customerId: customerId(r, 'Gavin', 'Reyes') });
    expect(!oldId.ok && oldId.error.message).toMatch(/ID expired/);
  });

  it('line discounts need a manager; a partial return refunds exactly and restocks', async () => {
    const r = await start();
    await login(r);
    const ticket = await openTicket(r, 'Marcus', 'Bell');
    const change = await scan(r, ticket, GUMMIES_UPC, 2); // 200 mg THC: under the non-resident 250 mg
    const lineId = change.ticket.lines[0]!.lineId;
    const denied = await r.call('checkout.ticket.discountLine', { ticketId: ticket.ticketId, lineId, discount: { kind: 'percent', basisPoints: 2000 }, reason: 'damaged box' });
    expect(!denied.ok && denied.error.code).toBe('forbidden');
    await login(r, '2222');
    const discounted = value<TicketView>(
      await r.call('checkout.ticket.discountLine', { ticketId: ticket.ticketId, lineId, discount: { kind: 'percent', basisPoints: 2000 }, reason: 'damaged box' }),
    );
    expect(discounted.lines[0]!.lineDiscountCents).toBe(1000);
    expect(discounted.lines[0]!.netCents).toBe(4000);
    const receipt = value<Receipt>(
      await r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'credit', amountCents: discounted.totals.totalCents }] }),
    );
    const stock = onHand(r, '7194220405500840');
    const returned = value<Receipt>(
      await r.call('checkout.sale.return', {
        commandId: ulid(),
        saleId: receipt.saleId,
        lines: [{ saleLineId: receipt.lines[0]!.saleLineId, quantity: 1 }],
        reason: 'customer changed mind',
        refundTender: 'cash',
      }),
    );
    expect(returned.lines[0]!.returnedQuantity).toBe(1);
    expect(onHand(r, '7194220405500840')).toBe(stock + 1);
    // The receipt says what the return did: refund and tender, what went back, and what is already refunded per line.
    expect(returned.returns).toHaveLength(1);
    expect(returned.returns[0]).toMatchObject({ kind: 'return', refundTender: 'cash', lines: [{ saleLineId: receipt.lines[0]!.saleLineId, quantity: 1 }] });
    expect(returned.lines[0]!.returnedCents).toBe(returned.returns[0]!.refundCents);
    // Returning the other one refunds the rest exactly: the parts add up to what was charged.
    const rest = value<Receipt>(
      await r.call('checkout.sale.return', {
        commandId: ulid(),
        saleId: receipt.saleId,
        lines: [{ saleLineId: receipt.lines[0]!.saleLineId, quantity: 1 }],
        reason: 'customer changed mind',
        refundTender: 'cash',
      }),
    );
    expect(rest.returns.reduce((sum, entry) => sum + entry.refundCents, 0)).toBe(receipt.totalCents);
    const tooMany = await r.call('checkout.sale.return', {
      commandId: ulid(),
      saleId: receipt.saleId,
      lines: [{ saleLineId: receipt.lines[0]!.saleLineId, quantity: 1 }],
      reason: 'again',
      refundTender: 'cash',
    });
    expect(tooMany.ok).toBe(false);
  });
});
