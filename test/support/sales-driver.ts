/**
 * Rings real sales through the checkout core (open ticket, scan 5 lines, pay, complete), on a
 * demo store: what the growth bench and the storage tests measure. Nothing here writes a row
 * by hand; every sale goes through CheckoutService as a register's screen would drive it.
 */
import type Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { CheckoutService } from '../../main/checkout/service.js';
import { traceOutbox } from '../../main/checkout/module.js';
import { newId } from '../../main/store/ids.js';
import { toEmployee } from '../../main/staff/service.js';
import type { Employee } from '../../preload/api.js';

export const TRACE_CONFIG = JSON.stringify({
  provider: 'biotrack_v1',
  useDemoSandbox: true,
  endpoint: '',
  licenseNumber: 'X',
  username: 'x',
  passwordSealed: null,
  location: '600100',
  terminalId: '1',
  training: false,
  nosession: false,
});

export interface SalesDriver {
  service: CheckoutService;
  actor: Employee;
  /** Medical customers that can buy (the demo's in-state adult patients, plus any added). */
  customerIds: string[];
  /** Barcodes of five light products (5 lines stay within every limit). */
  codes: string[];
  /** Move the clock on (days) so allotment windows reset. */
  advanceDays(days: number): void;
  now(): number;
  /** One 5-line medical sale; returns the commit time in ms (service.complete only). */
  ringSale(customerId?: string): Promise<{ commitMs: number; saleId: string }>;
}

/** Track-and-trace set up (the sale writes its outbox row) and plenty of stock on every product. */
export function prepareStore(sqlite: Database.Database): void {
  sqlite.prepare(`INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES ('trace.config', ?, 0)`).run(TRACE_CONFIG);
  const receive = sqlite.prepare(`INSERT INTO inventory_movements (product_id, quantity_delta, reason, at) VALUES (?, 100000000, 'receive', 0)`);
  sqlite.transaction(() => {
    for (const row of sqlite.prepare('SELECT id FROM products').all() as Array<{ id: string }>) receive.run(row.id);
  })();
}

export function salesDriver(sqlite: Database.Database, resourcesDir: string, startAt: number): SalesDriver {
  let now = startAt;
  const service = new CheckoutService({
    sqlite: () => sqlite,
    clock: () => now,
    resourcesDir,
    // The state system answers at once with a full allotment: a medical sale needs the state's
    // figure before a line can be added (issue 14), as at a real counter after check-in.
    allotments: {
      lookup: async ({ cardId }) => ({ kind: 'found', cardId, statedAmount: '2.5', statedUnit: 'oz', expiresOn: null }),
    },
    trace: traceOutbox(() => {}),
    queue: null,
    consumeGrant: () => {
      throw new Error('no grants in the bench');
    },
  });
  const actor = toEmployee(
    sqlite.prepare(`SELECT id, name, role, active FROM employees WHERE role = 'budtender' ORDER BY id LIMIT 1`).get() as {
      id: string;
      name: string;
      role: 'budtender';
      active: number;
    },
  );
  const samuel = (sqlite.prepare(`SELECT id FROM customers WHERE first_name = 'Samuel' AND last_name = 'Okafor'`).get() as { id: string }).id;
  const codes = (
    sqlite
      .prepare(`SELECT trace_barcode AS code FROM products WHERE sold_medical = 1 ORDER BY usable_weight_mg, trace_barcode LIMIT 5`)
      .all() as Array<{ code: string }>
  ).map((r) => r.code);
  return {
    service,
    actor,
    customerIds: [samuel],
    codes,
    advanceDays: (days) => {
      now += days * 86_400_000;
    },
    now: () => now,
    async ringSale(customerId = samuel) {
      now += 1000;
      const ticket = service.openTicket(actor, { saleCommandId: newId(now), customerId });
      await service.refreshAllotment(ticket.id);
      for (const code of codes) {
        const product = service.findByBarcode(code);
        if (!product) throw new Error(`no product ${code}`);
        const { refusal } = service.addProduct(actor, ticket.id, product, 1);
        if (refusal) throw new Error(refusal.message);
      }
      const total = service.view(ticket).totals.totalCents;
      const started = performance.now();
      const { saleId } = service.complete(actor, { commandId: ticket.saleCommandId, ticketId: ticket.id, tenders: [{ kind: 'cash', amountCents: total }] });
      return { commitMs: performance.now() - started, saleId };
    },
  };
}

/** Bytes the database uses: its pages after a WAL checkpoint (page_count x page_size). */
export function storeBytes(sqlite: Database.Database): number {
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  const size = sqlite.pragma('page_size', { simple: true }) as number;
  return pages * size;
}
