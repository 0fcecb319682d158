/**
 * Metrc caches patient status for up to a minute (research/metrc.md §0.4), so a figure fetched just
 * after a sale may not include it. The register treats it conservatively: a sale made in the minute
 * before the fetch is counted against the figure too, even once Metrc has acknowledged it.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { newId } from '../../../main/store/ids.js';
import type { TicketView } from '../../../preload/contract/checkout.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { until, value } from '../../support/answers.js';
import { tempDir } from '../../support/paths.js';
import { IL, IL_BIG_FLOWER, IL_PATIENT } from '../../support/metrc.js';

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


function rosa(): string {
  const db = new Database(join(r.dataDir, 'register.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT id FROM customers WHERE medical_id = ?').get(IL_PATIENT) as { id: string }).id;
  } finally {
    db.close();
  }
}

/** A ticket for Rosa once the state system's figure is on it. */
async function ticketWithFigure(): Promise<TicketView> {
  const opened = await value<TicketView>(r.call('checkout.ticket.open', { saleCommandId: newId(), customerId: rosa() }));
  return until(
    () => value<TicketView>(r.call('checkout.ticket.get', { ticketId: opened.ticketId })),
    (ticket) => ticket.allotment.state === 'state_system',
  );
}

const FLOWER_LIMIT_MG = 70_873; // 2.5 oz
const BIG_FLOWER_MG = 28_000;

test("a sale made in the minute before Metrc's cached status counts against it, though Metrc has acknowledged it", async () => {
  await r.call('session.login', { pin: '3333' });
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
  const first = await ticketWithFigure();
  expect(first.meter.find((row) => row.limitId === 'usable_cannabis')!.available).toBe(FLOWER_LIMIT_MG);
  const change = await value<{ refusal: unknown; ticket: TicketView }>(r.call('checkout.ticket.scan', { ticketId: first.ticketId, code: IL_BIG_FLOWER, quantity: 1 }));
  expect(change.refusal).toBeNull();
  await value(r.call('checkout.sale.complete', { commandId: first.saleCommandId, ticketId: first.ticketId, tenders: [{ kind: 'cash', amountCents: change.ticket.totals.totalCents }] }));
  await until(
    () => value<{ rows: Array<{ state: string }> }>(r.call('trace.sync.list', { filter: 'all', limit: 5 })),
    (list) => list.rows.length === 1 && list.rows[0]!.state === 'acknowledged',
  );

  // Metrc still answers from its cache: the full 2.5 oz, as before the sale.
  const stale = await value<{ status: string; allotment: { amount: string } }>(r.call('trace.lookupPatient', { cardId: IL_PATIENT }));
  expect(stale.allotment.amount).toBe('2.5');
  // The register counts the sale against it all the same.
  const second = await ticketWithFigure();
  expect(second.meter.find((row) => row.limitId === 'usable_cannabis')!.available).toBeLessThanOrEqual(FLOWER_LIMIT_MG - BIG_FLOWER_MG);
});
