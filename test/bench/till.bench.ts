/**
 * Till figures:
 *   till.print_receipt_ms  p95 from a cash sale committed (CheckoutService.complete returned; the
 *                          receipt and kick rows went in its transaction) to the last byte of its
 *                          receipt at a fake ESC/POS network printer on 127.0.0.1 (the real print
 *                          queue: read the sale back, lay out, encode, connect, DLE EOT status,
 *                          write, close). Reference, same run: the same receipt's bytes, already
 *                          encoded, sent bare over a fresh TCP connection to the same printer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../../main/store/db.js';
import { newId } from '../../main/store/ids.js';
import { seedDemoStore } from '../../main/demo/seed.js';
import { hashPin } from '../../main/staff/pins.js';
import { toEmployee } from '../../main/staff/service.js';
import { CheckoutService } from '../../main/checkout/service.js';
import { printerConfigSchema, readTillConfig, tillConfigSchema, writeTillConfig } from '../../main/till/config.js';
import { encodeDoc } from '../../main/till/encoder.js';
import { PrintQueue } from '../../main/till/print-queue.js';
import { buildReceipt } from '../../main/till/receipt.js';
import { tillHook } from '../../main/till/module.js';
import { FakePrinter } from '../support/fake-printer.js';
import { migrationsFolder, resourcesDir } from '../support/paths.js';
import { percentile, type BenchLine, type BenchSuite } from './harness.js';

const ROUNDS = 60;

function bareSend(port: number, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', () => socket.end(bytes, () => resolve()));
  });
}

export const suites: BenchSuite[] = [
  {
    prefix: 'till',
    async run(): Promise<BenchLine[]> {
      const dir = mkdtempSync(join(tmpdir(), 'till-bench-'));
      const printer = await new FakePrinter().start();
      const store = openStore({ file: join(dir, 'register.sqlite'), migrationsFolder });
      const sqlite = store.sqlite;
      let queue: PrintQueue | null = null;
      try {
        await seedDemoStore(sqlite, resourcesDir, (pin) => hashPin(pin, { N: 1024, r: 8, p: 1 }), Date.now());
        for (const row of sqlite.prepare('SELECT id FROM products').all() as Array<{ id: string }>) {
          sqlite.prepare(`INSERT INTO inventory_movements (product_id, quantity_delta, reason, at) VALUES (?, 100000, 'receive', 0)`).run(row.id);
        }
        const front = printerConfigSchema.parse({ id: 'front', name: 'Front', transport: { kind: 'tcp', host: '127.0.0.1', port: printer.port } });
        writeTillConfig(sqlite, tillConfigSchema.parse({ printers: [front], receiptPrinterId: 'front' }), 0);
        let now = Date.UTC(2026, 0, 1, 16);
        queue = new PrintQueue({ sqlite: () => sqlite, clock: () => now, config: () => readTillConfig(sqlite), retryMinMs: 10, retryMaxMs: 50 });
        queue.start();
        const live = queue;
        const service = new CheckoutService({
          sqlite: () => sqlite,
          clock: () => now,
          resourcesDir,
          allotments: null,
          trace: null,
          queue: null,
          consumeGrant: () => {
            throw new Error('no grants');
          },
          till: tillHook(() => live.wake()),
        });
        const actor = toEmployee(sqlite.prepare(`SELECT id, name, role, active FROM employees WHERE role = 'budtender'`).get() as { id: string; name: string; role: 'budtender'; active: number });
        const customerId = (sqlite.prepare(`SELECT id FROM customers WHERE first_name = 'Olivia' AND last_name = 'Hart'`).get() as { id: string }).id;
        const codes = ['7194220405500100', '850012340201'];
        const samples: number[] = [];
        const bareSamples: number[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          now += 86_400_000;
          const ticket = service.openTicket(actor, { saleCommandId: newId(now), customerId });
          for (const code of codes) service.addProduct(actor, ticket.id, service.findByBarcode(code)!, 1);
          const total = service.view(ticket).totals.totalCents;
          const before = printer.jobs.length;
          const { saleId } = service.complete(actor, { commandId: ticket.saleCommandId, ticketId: ticket.id, tenders: [{ kind: 'cash', amountCents: total + 500 }] });
          const committed = performance.now();
          await printer.waitForJobs(before + 1);
          samples.push(printer.lastByteAt - committed);
          // The reference: the same receipt's bytes, encoded before the clock starts, sent bare.
          const bytes = encodeDoc(buildReceipt(sqlite, saleId)!, front, { kick: true });
          const bareStarted = performance.now();
          await bareSend(printer.port, bytes);
          await printer.waitForJobs(before + 2);
          bareSamples.push(printer.lastByteAt - bareStarted);
        }
        const p95 = percentile(samples, 95);
        return [
          {
            name: 'till.print_receipt_ms',
            value: Number(p95.toFixed(2)),
            target: '< 150',
            note: `sale committed → last byte at a fake network printer, ${ROUNDS} cash sales of 2 lines (receipt + drawer pulse, DLE EOT status first); p50 ${percentile(samples, 50).toFixed(2)} ms; reference: the same bytes sent bare over a new TCP connection p95 ${percentile(bareSamples, 95).toFixed(2)} ms, p50 ${percentile(bareSamples, 50).toFixed(2)} ms`,
          },
        ];
      } finally {
        queue?.stop();
        await printer.stop();
        sqlite.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
