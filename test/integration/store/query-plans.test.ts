/**
 * Years of sales (issue 12): no query on the sale, scan, check-in or queue paths reads a whole
 * table that grows with history. The paths run for real against a register (demo store); every
 * statement they execute is recorded (test/support/query-recorder.ts) and put through EXPLAIN
 * QUERY PLAN with its own arguments. A plan that SCANs a growing table fails, except a walk in
 * index order that a LIMIT stops (no temporary sort), which costs the limit, not the history.
 * Covered: check-in (also a caregiver for a patient on their profile), the queue, the sale (scan,
 * stock from the catalogue's running balance, the saved open ticket, the till's drawer session,
 * the track-and-trace outbox row, points, return), the catalogue's product and stock views, the
 * saved tickets read back when the register starts again, and, with a store hub paired, the hub
 * outbox capture of a check-in, a sale and a return. The sync worker runs in its own thread:
 * its statements (BioTrack and Metrc) are checked by test/integration/trace/query-plans.test.ts.
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResponseEnvelope } from '../../../preload/api.js';
import type { Receipt, TicketView } from '../../../preload/contract/checkout.js';
import type { CheckInPreparation, QueueEntry } from '../../../preload/contract/queue.js';
import { KeyFileSecretBox } from '../../../main/core/secret-box.js';
import { savePairing } from '../../../main/hub-sync/state.js';
import { applyPragmas } from '../../../main/store/db.js';
import { recordQueries, recordedQueries, type RecordedQuery } from '../../support/query-recorder.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

/** Tables whose row count grows with every sale, check-in or customer. */
const GROWING = new Set([
  'sales', 'sale_lines', 'sale_taxes', 'sale_tenders', 'sale_returns', 'sale_return_lines', 'allotment_uses', 'allotment_daily',
  'inventory_movements', 'rewards_ledger', 'rewards_balances', 'rewards_cards', 'audit_events', 'applied_commands', 'trace_outbox', 'trace_attempts',
  'queue_entries', 'queue_allotments', 'checkin_lookups', 'customers', 'customer_profiles', 'customer_documents', 'customer_tag_links',
  'customer_group_members', 'caregiver_patients', 'customer_drafts', 'product_versions', 'trace_patient_lookups',
  'customer_caregivers', 'trace_outbox_archive', 'trace_attempts_archive', 'hub_outbox', 'hub_records', 'hub_grants', 'hub_queue_claims',
  'drawer_sessions', 'cash_movements', 'drawer_counts', 'z_reports', 'print_jobs', 'mail_outbox', 'stock_adjustments', 'trace_packages',
  'signature_requests',
]);
const KEYWORDS = new Set(['where', 'join', 'left', 'inner', 'cross', 'on', 'order', 'group', 'limit', 'set', 'using', 'values', 'as', 'natural']);

function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`call failed: ${response.error.code} ${response.error.message}`);
  return response.value as T;
}

/** alias → table for the tables a statement names. */
function aliases(sql: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const match of sql.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z_]+)(?:\s+(?:AS\s+)?([a-z_]+))?/gi)) {
    const table = match[1]!.toLowerCase();
    map.set(table, table);
    const alias = match[2]?.toLowerCase();
    if (alias && !KEYWORDS.has(alias)) map.set(alias, table);
  }
  return map;
}

/**
 * Whether the rows read from `alias` are only filtered by what comes after them in a LIMIT's walk:
 * no WHERE between its FROM/JOIN and the LIMIT. A walk that filters (WHERE action = 'x' LIMIT 1)
 * reads the whole history when the row is not there.
 */
function unfilteredWalk(sql: string, alias: string, table: string): boolean {
  const from = new RegExp(`\\b(?:FROM|JOIN)\\s+${table}(?:\\s+(?:AS\\s+)?${alias === table ? '[a-z_]+' : alias})?\\b`, 'i').exec(sql);
  if (!from) return false;
  const rest = sql.slice(from.index);
  const limit = /\bLIMIT\b/i.exec(rest);
  return limit !== null && !/\bWHERE\b/i.test(rest.slice(0, limit.index));
}

function fullScans(explain: Database.Database, query: RecordedQuery): string[] {
  const plan = (explain.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.args) as Array<{ detail: string }>).map((row) => row.detail);
  const sortsInTemp = plan.some((detail) => detail.includes('USE TEMP B-TREE'));
  const names = aliases(query.sql);
  const problems: string[] = [];
  for (const detail of plan) {
    const scan = /^SCAN ([a-z_]+)/i.exec(detail);
    if (!scan) continue;
    const alias = scan[1]!.toLowerCase();
    const table = names.get(alias) ?? alias;
    const bounded = !sortsInTemp && unfilteredWalk(query.sql, alias, table);
    if (GROWING.has(table) && !bounded) problems.push(`${detail} (${table})`);
  }
  return problems;
}

let r: TestRegister | null = null;
let folder: string | null = null;
afterAll(async () => {
  await r?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('query plans on the hot paths', () => {
  it('no query on the sale, scan, check-in or queue paths scans a table that grows with history', async () => {
    r = await startTestRegister();
    const dataDir = r.dataDir;
    folder = dataDir;
    const lookup = new Database(join(dataDir, 'register.sqlite'), { readonly: true });
    const idOf = (first: string, last: string) => (lookup.prepare('SELECT id FROM customers WHERE first_name = ? AND last_name = ?').get(first, last) as { id: string }).id;
    const olivia = idOf('Olivia', 'Hart');
    const samuel = idOf('Samuel', 'Okafor');
    const henry = idOf('Henry', 'Alvarez');
    const marcus = idOf('Marcus', 'Bell');
    const flowerId = (lookup.prepare("SELECT id FROM products WHERE trace_barcode = '7194220405500100'").get() as { id: string }).id;
    lookup.close();
    const call = async <T>(name: string, payload: unknown = {}) => value<T>(await r!.call(name, payload));
    await call('session.login', { pin: '1111' });

    await recordQueries('check-in', async () => {
      await call('queue.findCustomers', { query: 'Hart', limit: 10 });
      await call('customers.search', { field: 'name', query: 'Hart', limit: 25, tagId: null });
      await call('customers.get', { id: olivia });
      await call('queue.checkIn.prepare', { customerId: olivia, as: 'adult_use' });
      await call('queue.checkIn', { commandId: ulid(), customerId: olivia, as: 'adult_use', allotments: [] });
      await call('queue.checkIn.prepare', { customerId: samuel, as: 'medical' });
    });
    await recordQueries('queue', async () => {
      await call('queue.list', {});
      await call('customers.recentCheckIns', { limit: 20 });
    });
    const sell = async (customerId: string, codes: string[], queueEntryId?: string) => {
      const ticket = await call<TicketView>('checkout.ticket.open', { saleCommandId: ulid(), customerId, ...(queueEntryId ? { queueEntryId } : {}) });
      let view = ticket;
      if (queueEntryId) view = await call<TicketView>('checkout.ticket.refreshAllotment', { ticketId: ticket.ticketId });
      for (const code of codes) {
        view = (await call<{ ticket: TicketView }>('checkout.ticket.scan', { ticketId: ticket.ticketId, code, quantity: 1 })).ticket;
      }
      // The saved open ticket, as the register screen reads it back.
      await call('checkout.ticket.get', { ticketId: ticket.ticketId });
      await call('checkout.ticket.list', {});
      return await call<Receipt>('checkout.sale.complete', {
        commandId: ticket.saleCommandId,
        ticketId: ticket.ticketId,
        tenders: [{ kind: 'cash', amountCents: view.totals.totalCents }],
      });
    };
    let receipt: Receipt | null = null;
    await recordQueries('sale', async () => {
      await call('till.session.get', {});
      await sell(olivia, ['7194220405500100', '850012340201']);
      receipt = await sell(samuel, ['7194220405500100']);
      await call('checkout.sale.get', { saleId: receipt.saleId });
      await call('checkout.sale.recent', { limit: 20 });
      await call('checkout.products.byBarcode', { code: '7194220405500100' });
    });
    // A caregiver checked in for a patient kept on their profile, and that patient's sale.
    await call('customers.caregivers', { query: 'Alvarez' });
    const paula = await call<{ id: string }>('customers.addPatient', {
      commandId: ulid(),
      caregiverId: henry,
      patient: { firstName: 'Paula', lastName: 'Patient', medicalLicence: 'MP2J6N4Q8B', licenceExpires: '2030-05-31', dateOfBirth: '1990-04-02' },
    });
    await recordQueries('caregiver', async () => {
      await call('customers.caregivers', { query: 'Alvarez' });
      const prepared = await call<CheckInPreparation>('queue.checkIn.prepare', { customerId: henry, as: 'caregiver', patientId: paula.id });
      expect(prepared.refusals).toEqual([]);
      const entry = await call<QueueEntry>('queue.checkIn', {
        commandId: ulid(),
        customerId: henry,
        as: 'caregiver',
        patientId: paula.id,
        allotments: [{ limitId: 'usable_cannabis', amount: 60_000 }],
      });
      const sold = await sell(henry, ['7194220405500100'], entry.id);
      expect(sold.saleId).toBeTruthy();
    });
    await call('session.login', { pin: '2222' });
    await recordQueries('sale', async () => {
      await call('checkout.sale.return', {
        commandId: ulid(),
        saleId: receipt!.saleId,
        reason: 'test',
        refundTender: 'cash',
        lines: [{ saleLineId: receipt!.lines[0]!.saleLineId, quantity: 1 }],
      });
    });
    await recordQueries('catalogue', async () => {
      await call('catalogue.get', { productId: flowerId });
      await call('catalogue.list', { query: 'Prairie', includeArchived: false, limit: 50 });
    });

    // With a store hub paired (not reachable: the commands wait in the hub outbox), every change
    // also writes its command for the hub in its own transaction.
    const pairing = new Database(join(dataDir, 'register.sqlite'));
    applyPragmas(pairing);
    savePairing(
      pairing,
      new KeyFileSecretBox(dataDir),
      { address: '127.0.0.1:1', hubId: ulid(), hubEpoch: ulid(), fingerprint: 'AA:'.repeat(31) + 'AA', deviceId: ulid(), deviceName: 'Register 1', role: 'register', deviceToken: 'x'.repeat(50), clockOffsetMs: 0 },
      Date.now(),
    );
    const hubCommands = () => (pairing.prepare('SELECT kind FROM hub_outbox ORDER BY device_seq').all() as Array<{ kind: string }>).map((row) => row.kind);
    await call('session.login', { pin: '1111' });
    await recordQueries('hub', async () => {
      const entry = await call<QueueEntry>('queue.checkIn', { commandId: ulid(), customerId: marcus, as: 'adult_use', allotments: [] });
      const sold = await sell(marcus, ['850012340201'], entry.id);
      await call('session.login', { pin: '2222' });
      await call('checkout.sale.return', { commandId: ulid(), saleId: sold.saleId, reason: 'test', refundTender: 'cash', lines: [{ saleLineId: sold.lines[0]!.saleLineId, quantity: 1 }] });
    });
    expect(hubCommands()).toEqual(expect.arrayContaining(['queue.checkin', 'sale.record', 'sale.void']));
    pairing.close();

    // The register starts again on the same folder with a ticket left open: it reads it back.
    await call('session.login', { pin: '1111' });
    const left = await call<TicketView>('checkout.ticket.open', { saleCommandId: ulid(), customerId: olivia });
    await call('checkout.ticket.scan', { ticketId: left.ticketId, code: '850012340201', quantity: 1 });
    await r.register.close();
    r.client.close();
    await recordQueries('start', async () => {
      r = await startTestRegister({}, dataDir);
      await call('session.login', { pin: '1111' });
      const restored = await call<TicketView[]>('checkout.ticket.list', {});
      expect(restored.map((ticket) => ticket.ticketId)).toContain(left.ticketId);
      await call('checkout.ticket.unrestored', {});
    });
    const register = r;

    const queries = recordedQueries().filter((query) => !/^\s*(PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(query.sql));
    const phases = new Set(queries.map((query) => query.phase));
    expect([...phases].sort()).toEqual(['caregiver', 'catalogue', 'check-in', 'hub', 'queue', 'sale', 'start']);
    expect(queries.length).toBeGreaterThan(50);
    const explain = new Database(join(register.dataDir, 'register.sqlite'), { readonly: true });
    // The check itself can fail: a count of sales, a sort of the sales by time, and a search on an
    // unindexed column are whole-table reads; a walk of the newest receipts stopped by LIMIT is not.
    const probe = (sql: string, ...args: unknown[]) => fullScans(explain, { sql, args, stack: '', phase: 'probe' });
    expect(probe('SELECT COUNT(*) AS n FROM sales')).not.toEqual([]);
    expect(probe('SELECT id FROM sales s ORDER BY s.completed_at DESC LIMIT 20')).not.toEqual([]);
    expect(probe('SELECT id FROM customers c WHERE c.phone = ?', '555')).not.toEqual([]);
    expect(probe('SELECT id FROM sales ORDER BY receipt_number DESC LIMIT 20')).toEqual([]);
    // A LIMIT does not bound a walk that filters: the row looked for may not be there at all.
    expect(probe("SELECT 1 FROM audit_events WHERE action = 'demo.seed' LIMIT 1")).not.toEqual([]);
    expect(probe("SELECT id FROM print_jobs WHERE state = 'pending' ORDER BY id LIMIT 20")).not.toEqual([]);
    expect(probe("SELECT 1 FROM (SELECT action FROM audit_events ORDER BY seq LIMIT 50) WHERE action = 'demo.seed'")).toEqual([]);
    // Every table the paths touched was read or written through a plan we checked.
    const touched = new Set(queries.flatMap((query) => [...aliases(query.sql).values()]));
    for (const table of [
      'sales', 'sale_lines', 'sale_taxes', 'allotment_uses', 'allotment_daily', 'stock_on_hand', 'queue_entries', 'customers', 'audit_events',
      'trace_outbox', 'open_tickets', 'drawer_sessions', 'cash_movements', 'caregiver_patients', 'hub_outbox', 'rewards_ledger',
    ]) {
      expect(touched, table).toContain(table);
    }
    const problems = new Map<string, string[]>();
    for (const query of queries) {
      const scans = fullScans(explain, query);
      if (scans.length > 0) problems.set(`[${query.phase}] ${query.sql.replace(/\s+/g, ' ').trim()}`, scans);
    }
    explain.close();
    expect(Object.fromEntries(problems)).toEqual({});
  }, 60_000);
});
