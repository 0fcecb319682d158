/**
 * Child process for the checkout crash test: completes 5-line medical sales through the real
 * CheckoutService as fast as it can, printing each sale id after its commit returned. The clock
 * moves 15 days per sale so the 14-day allotment never runs out; stock is topped up between sales.
 */
import { openStore } from '../../../main/store/db.js';
import { newId } from '../../../main/store/ids.js';
import { seedDemoStore } from '../../../main/demo/seed.js';
import { hashPin } from '../../../main/staff/pins.js';
import { toEmployee } from '../../../main/staff/service.js';
import { CheckoutService } from '../../../main/checkout/service.js';
import { traceOutbox } from '../../../main/checkout/module.js';

const [file, migrationsFolder, resourcesDir] = process.argv.slice(2) as [string, string, string];
const store = openStore({ file, migrationsFolder, integrityCheck: 'quick' });
const sqlite = store.sqlite;
if (!sqlite.prepare('SELECT 1 FROM employees LIMIT 1').get()) {
  await seedDemoStore(sqlite, resourcesDir, (pin) => hashPin(pin, { N: 1024, r: 8, p: 1 }), Date.now());
}
sqlite
  .prepare(`INSERT OR IGNORE INTO settings (key, value, updated_at) VALUES ('trace.config', ?, 0)`)
  .run(JSON.stringify({ provider: 'biotrack_v1', useDemoSandbox: true, endpoint: '', licenseNumber: 'X', username: 'x', passwordSealed: null, location: '600100', terminalId: '1', training: false, nosession: false }));

// The clock runs 15 days a sale, across many restarts: keep the customer's documents valid for
// all of it, so the test is about crash safety, not about how many sales a fast machine makes.
sqlite
  .prepare(`UPDATE customers SET identification_expires = '2999-12-31', medical_id_expires = '2999-12-31' WHERE first_name = 'Samuel' AND last_name = 'Okafor'`)
  .run();
const last = sqlite.prepare('SELECT MAX(completed_at) AS at FROM sales').get() as { at: number | null };
let now = (last.at ?? Date.UTC(2026, 0, 1)) + 15 * 86_400_000;
const service = new CheckoutService({
  sqlite: () => sqlite,
  clock: () => now,
  resourcesDir,
  allotments: {
    // The state system's answer for the medical patient: a full allotment (the sale must not wait on a lookup).
    lookup: async (query) => ({ kind: 'found', cardId: query.cardId, statedAmount: '70.87', statedUnit: 'g', expiresOn: null }),
  },
  trace: traceOutbox(() => {}),
  queue: null,
  consumeGrant: () => {
    throw new Error('no grants here');
  },
});
const actorRow = sqlite.prepare(`SELECT id, name, role, active FROM employees WHERE role = 'budtender'`).get() as { id: string; name: string; role: 'budtender'; active: number };
const actor = toEmployee(actorRow);
const customerId = (sqlite.prepare(`SELECT id FROM customers WHERE first_name = 'Samuel' AND last_name = 'Okafor'`).get() as { id: string }).id;
const barcodes = ['7194220405500100', '7194220405500396', '7194220405500544', '7194220405500692', '7194220405500840'];
const products = barcodes.map((code) => service.findByBarcode(code)!);
const restock = sqlite.transaction(() => {
  for (const product of products) {
    sqlite.prepare(`INSERT INTO inventory_movements (product_id, quantity_delta, reason, at) VALUES (?, 1, 'receive', ?)`).run(product.id, now);
  }
});

process.stdout.write('ready\n');
for (;;) {
  now += 15 * 86_400_000;
  restock();
  const ticket = service.openTicket(actor, { saleCommandId: newId(now), customerId });
  await service.refreshAllotment(ticket.id);
  for (const product of products) {
    const { refusal } = service.addProduct(actor, ticket.id, service.productById(product.id)!, 1);
    if (refusal) throw new Error(refusal.message);
  }
  const total = service.view(ticket).totals.totalCents;
  const { saleId } = service.complete(actor, { commandId: ticket.saleCommandId, ticketId: ticket.id, tenders: [{ kind: 'cash', amountCents: total + 100 }] });
  // Printed only after the commit returned: the parent treats these as promised durable.
  process.stdout.write(`${saleId}\n`);
}
