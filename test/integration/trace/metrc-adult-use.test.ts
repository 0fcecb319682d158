/**
 * Illinois records every sale in the state system (CRTA §15-85(a)(4): the sale's amount, type,
 * date and time), and Metrc takes adult-use sales as the Consumer customer type. A store on Metrc
 * therefore reports its adult-use sales through the same outbox as its medical ones: posted once,
 * with no licence numbers; a void archives the receipt and a return updates it. A store on
 * BioTrack v1 still reports medical sales only (checkout/sale.test.ts).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { newId } from '../../../main/store/ids.js';
import type { Receipt, TicketView } from '../../../preload/contract/checkout.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { until, value } from '../../support/answers.js';
import { tempDir } from '../../support/paths.js';
import { IL, IL_FLOWER } from '../../support/metrc.js';

let temp: ReturnType<typeof tempDir>;
let r: TestRegister;
beforeEach(async () => {
  temp = tempDir();
  r = await startTestRegister({}, temp.dir);
});
afterEach(async () => {
  await r.close();
  temp.cleanup();
});


function sql<T>(text: string, ...params: unknown[]): T {
  const db = new Database(join(r.dataDir, 'register.sqlite'), { readonly: true });
  try {
    return db.prepare(text).all(...params) as T;
  } finally {
    db.close();
  }
}

interface SandboxReceipt {
  Id: number;
  ExternalReceiptNumber: string;
  SalesCustomerType: string;
  PatientLicenseNumber: string | null;
  CaregiverLicenseNumber: string | null;
  ArchivedDate: string | null;
  Transactions: Array<{ PackageLabel: string; Quantity: number }>;
}

async function sellAdultUse(quantity: number): Promise<Receipt> {
  const customerId = sql<Array<{ id: string }>>(`SELECT id FROM customers WHERE first_name = 'Olivia' AND last_name = 'Hart'`)[0]!.id;
  const ticket = await value<TicketView>(r.call('checkout.ticket.open', { saleCommandId: newId(), customerId }));
  expect(ticket.channel).toBe('adult_use');
  const change = await value<{ refusal: unknown; ticket: TicketView }>(r.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code: IL_FLOWER, quantity }));
  expect(change.refusal).toBeNull();
  return value<Receipt>(
    r.call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders: [{ kind: 'cash', amountCents: change.ticket.totals.totalCents }] }),
  );
}

test('an Illinois store on Metrc reports adult-use sales as Consumer receipts, once each; a void archives one, a return updates the other', async () => {
  await r.call('session.login', { pin: '3333' });
  const settings = await value<{ demoMetrcSandboxUrl: string }>(r.call('trace.settings.get'));
  const sandbox = settings.demoMetrcSandboxUrl;
  await value(
    r.call('trace.settings.save', {
      commandId: newId(),
      provider: 'metrc_v2',
      useDemoSandbox: true,
      endpoint: '',
      licenseNumber: IL.licenseNumber,
      username: '',
      location: '',
      terminalId: '1',
      training: false,
      nosession: false,
      vendorKey: IL.vendorKey,
      userKey: IL.userKey,
    }),
  );
  await value(r.call('session.login', { pin: '1111' }));
  const kept = await sellAdultUse(3);
  const voided = await sellAdultUse(1);
  expect(kept.trace).not.toBeNull();
  expect(voided.trace).not.toBeNull();

  const outbox = sql<Array<{ id: string; saleId: string; request: string }>>(`SELECT id, sale_id AS saleId, request FROM trace_outbox WHERE kind = 'dispense' ORDER BY id`);
  expect(outbox.map((row) => row.saleId)).toEqual([kept.saleId, voided.saleId]);
  expect(JSON.parse(outbox[0]!.request).sale).toMatchObject({ consumer: true, cardId: '', caregiverCardId: null });

  const receipts = async () => ((await (await fetch(`${sandbox}/__state`)).json()) as { receipts: SandboxReceipt[] }).receipts;
  const list = () => value<{ rows: Array<{ id: string; kind: string; state: string; remoteTxnId: string | null }> }>(r.call('trace.sync.list', { filter: 'all', limit: 20 }));
  const posted = await until(list, (l) => outbox.every((row) => l.rows.some((x) => x.id === row.id && x.state === 'acknowledged')));
  for (const row of outbox) {
    const mine = (await receipts()).filter((receipt) => receipt.ExternalReceiptNumber === row.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ SalesCustomerType: 'Consumer', PatientLicenseNumber: null, CaregiverLicenseNumber: null, ArchivedDate: null });
    expect(posted.rows.find((x) => x.id === row.id)!.remoteTxnId).toBe(String(mine[0]!.Id));
  }

  // A manager voids one sale and takes one of three back from the other: DELETE and PUT at Metrc.
  await value(r.call('session.login', { pin: '2222' }));
  await value(r.call('checkout.sale.void', { commandId: newId(), saleId: voided.saleId, reason: 'rang the wrong customer' }));
  await value(
    r.call('checkout.sale.return', { commandId: newId(), saleId: kept.saleId, lines: [{ saleLineId: kept.lines[0]!.saleLineId, quantity: 1 }], reason: 'customer changed mind', refundTender: 'cash' }),
  );
  await until(list, (l) => l.rows.filter((x) => x.kind !== 'dispense').length === 2 && l.rows.every((x) => x.state === 'acknowledged'));
  const after = await receipts();
  const byExternal = (id: string) => after.filter((receipt) => receipt.ExternalReceiptNumber === id);
  expect(byExternal(outbox[1]!.id)).toHaveLength(1);
  expect(byExternal(outbox[1]!.id)[0]!.ArchivedDate).not.toBeNull();
  expect(byExternal(outbox[0]!.id)).toHaveLength(1);
  expect(byExternal(outbox[0]!.id)[0]!.ArchivedDate).toBeNull();
  expect(byExternal(outbox[0]!.id)[0]!.Transactions.map((t) => [t.PackageLabel, t.Quantity])).toEqual([[IL_FLOWER, 2]]);
  // Nothing else reached Metrc: two receipts for two sales.
  expect(after.filter((receipt) => outbox.some((row) => row.id === receipt.ExternalReceiptNumber))).toHaveLength(2);
});
