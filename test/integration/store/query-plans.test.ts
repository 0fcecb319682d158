/**
 * Years of sales (issue 12): no query on the sale, scan, check-in or queue paths reads a whole
 * table that grows with history. The paths run for real against a register (demo store); every
 * statement they execute is recorded (test/support/query-recorder.ts) and put through EXPLAIN
 * QUERY PLAN with its own arguments. A plan that SCANs a growing table fails, except a walk in
 * index order that a LIMIT stops (no temporary sort), which costs the limit, not the history.
 * The sync worker's queries (main/trace/) are measured by the trace bench, not here.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResponseEnvelope } from '../../../preload/api.js';
import type { Receipt, TicketView } from '../../../preload/contract/checkout.js';
import { recordQueries, recordedQueries, type RecordedQuery } from '../../support/query-recorder.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

/** Tables whose row count grows with every sale, check-in or customer. */
const GROWING = new Set([
  'sales', 'sale_lines', 'sale_taxes', 'sale_tenders', 'sale_returns', 'sale_return_lines', 'allotment_uses', 'allotment_daily',
  'inventory_movements', 'rewards_ledger', 'rewards_balances', 'rewards_cards', 'audit_events', 'applied_commands', 'trace_outbox', 'trace_attempts',
  'queue_entries', 'queue_allotments', 'checkin_lookups', 'customers', 'customer_profiles', 'customer_documents', 'customer_tag_links',
  'customer_group_members', 'caregiver_patients', 'customer_drafts', 'product_versions', 'trace_patient_lookups',
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

function fullScans(explain: Database.Database, query: RecordedQuery): string[] {
  const plan = (explain.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.args) as Array<{ detail: string }>).map((row) => row.detail);
  const sortsInTemp = plan.some((detail) => detail.includes('USE TEMP B-TREE'));
  const bounded = /\bLIMIT\b/i.test(query.sql) && !sortsInTemp;
  const names = aliases(query.sql);
  const problems: string[] = [];
  for (const detail of plan) {
    const scan = /^SCAN ([a-z_]+)/i.exec(detail);
    if (!scan) continue;
    const table = names.get(scan[1]!.toLowerCase()) ?? scan[1]!.toLowerCase();
    if (GROWING.has(table) && !bounded) problems.push(`${detail} (${table})`);
  }
  return problems;
}

let r: TestRegister | null = null;
afterAll(async () => {
  await r?.close();
});

describe('query plans on the hot paths', () => {
  it('no query on the sale, scan, check-in or queue paths scans a table that grows with history', async () => {
    r = await startTestRegister();
    const register = r;
    const lookup = new Database(join(register.dataDir, 'register.sqlite'), { readonly: true });
    const idOf = (first: string, last: string) => (lookup.prepare('SELECT id FROM customers WHERE first_name = ? AND last_name = ?').get(first, last) as { id: string }).id;
    const olivia = idOf('Olivia', 'Hart');
    const samuel = idOf('Samuel', 'Okafor');
    lookup.close();
    value(await register.call('session.login', { pin: '1111' }));

    await recordQueries('check-in', async () => {
      value(await register.call('queue.findCustomers', { query: 'Hart', limit: 10 }));
      value(await register.call('customers.search', { field: 'name', query: 'Hart', limit: 25, tagId: null }));
      value(await register.call('customers.get', { id: olivia }));
      value(await register.call('queue.checkIn.prepare', { customerId: olivia, as: 'adult_use' }));
      value(await register.call('queue.checkIn', { commandId: ulid(), customerId: olivia, as: 'adult_use', allotments: [] }));
      value(await register.call('queue.checkIn.prepare', { customerId: samuel, as: 'medical' }));
    });
    await recordQueries('queue', async () => {
      value(await register.call('queue.list', {}));
      value(await register.call('customers.recentCheckIns', { limit: 20 }));
    });
    const sell = async (customerId: string, codes: string[]) => {
      const ticket = value<TicketView>(await register.call('checkout.ticket.open', { saleCommandId: ulid(), customerId }));
      let view = ticket;
      for (const code of codes) {
        view = value<{ ticket: TicketView }>(await register.call('checkout.ticket.scan', { ticketId: ticket.ticketId, code, quantity: 1 })).ticket;
      }
      return value<Receipt>(
        await register.call('checkout.sale.complete', {
          commandId: ticket.saleCommandId,
          ticketId: ticket.ticketId,
          tenders: [{ kind: 'cash', amountCents: view.totals.totalCents }],
        }),
      );
    };
    let receipt: Receipt | null = null;
    await recordQueries('sale', async () => {
      await sell(olivia, ['7194220405500100', '850012340201']);
      receipt = await sell(samuel, ['7194220405500100']);
      value(await register.call('checkout.sale.get', { saleId: receipt.saleId }));
      value(await register.call('checkout.sale.recent', { limit: 20 }));
      value(await register.call('checkout.products.byBarcode', { code: '7194220405500100' }));
    });
    value(await register.call('session.login', { pin: '2222' }));
    await recordQueries('sale', async () => {
      value(
        await register.call('checkout.sale.return', {
          commandId: ulid(),
          saleId: receipt!.saleId,
          reason: 'test',
          refundTender: 'cash',
          lines: [{ saleLineId: receipt!.lines[0]!.saleLineId, quantity: 1 }],
        }),
      );
    });

    const queries = recordedQueries().filter((query) => !query.stack.includes('/main/trace/') && !/^\s*(PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(query.sql));
    const phases = new Set(queries.map((query) => query.phase));
    expect([...phases].sort()).toEqual(['check-in', 'queue', 'sale']);
    expect(queries.length).toBeGreaterThan(50);
    const explain = new Database(join(register.dataDir, 'register.sqlite'), { readonly: true });
    // The check itself can fail: a count of sales, a sort of the sales by time, and a search on an
    // unindexed column are whole-table reads; a walk of the newest receipts stopped by LIMIT is not.
    const probe = (sql: string, ...args: unknown[]) => fullScans(explain, { sql, args, stack: '', phase: 'probe' });
    expect(probe('SELECT COUNT(*) AS n FROM sales')).not.toEqual([]);
    expect(probe('SELECT id FROM sales s ORDER BY s.completed_at DESC LIMIT 20')).not.toEqual([]);
    expect(probe('SELECT id FROM customers c WHERE c.phone = ?', '555')).not.toEqual([]);
    expect(probe('SELECT id FROM sales ORDER BY receipt_number DESC LIMIT 20')).toEqual([]);
    // Every table the paths touched was read or written through a plan we checked.
    const touched = new Set(queries.flatMap((query) => [...aliases(query.sql).values()]));
    for (const table of ['sales', 'sale_lines', 'sale_taxes', 'allotment_uses', 'allotment_daily', 'stock_on_hand', 'queue_entries', 'customers', 'audit_events']) {
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
