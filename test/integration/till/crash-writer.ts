/**
 * Child process for the till crash test: with a drawer session open, completes cash sales through
 * the real CheckoutService with the till hook (cash into the session, receipt and kick queued, in
 * the sale's transaction), printing each sale id after its commit returned.
 */
import { openStore } from '../../../main/store/db.js';
import { newId } from '../../../main/store/ids.js';
import { seedDemoStore } from '../../../main/demo/seed.js';
import { hashPin } from '../../../main/staff/pins.js';
import { toEmployee } from '../../../main/staff/service.js';
import { CheckoutService } from '../../../main/checkout/service.js';
import { readTillConfig } from '../../../main/till/config.js';
import { DrawerLedger } from '../../../main/till/drawer.js';
import { tillHook } from '../../../main/till/module.js';

const [file, migrationsFolder, resourcesDir] = process.argv.slice(2) as [string, string, string];
const store = openStore({ file, migrationsFolder, integrityCheck: 'quick' });
const sqlite = store.sqlite;
if (!sqlite.prepare('SELECT 1 FROM employees LIMIT 1').get()) {
  await seedDemoStore(sqlite, resourcesDir, (pin) => hashPin(pin, { N: 1024, r: 8, p: 1 }), Date.now());
}
const last = sqlite.prepare('SELECT MAX(completed_at) AS at FROM sales').get() as { at: number | null };
let now = (last.at ?? Date.UTC(2026, 0, 1)) + 60_000;
const actor = toEmployee(sqlite.prepare(`SELECT id, name, role, active FROM employees WHERE role = 'budtender'`).get() as { id: string; name: string; role: 'budtender'; active: number });
const drawer = new DrawerLedger({
  sqlite: () => sqlite,
  clock: () => now,
  config: () => readTillConfig(sqlite),
  consumeGrant: () => {
    throw new Error('no grants here');
  },
});
if (!drawer.current()) drawer.open(actor, { commandId: newId(now), counts: { '2000': 5 } });
const service = new CheckoutService({
  sqlite: () => sqlite,
  clock: () => now,
  resourcesDir,
  allotments: null,
  trace: null,
  queue: null,
  consumeGrant: () => {
    throw new Error('no grants here');
  },
  till: tillHook(() => {}),
});
const customerId = (sqlite.prepare(`SELECT id FROM customers WHERE first_name = 'Olivia' AND last_name = 'Hart'`).get() as { id: string }).id;
const product = service.findByBarcode('850012340201')!; // gummies: a small adult-use item, far from any limit in a day
const restock = sqlite.prepare(`INSERT INTO inventory_movements (product_id, quantity_delta, reason, at) VALUES (?, 1, 'receive', ?)`);

process.stdout.write('ready\n');
for (;;) {
  // A day a sale keeps the adult-use daily limits away.
  now += 86_400_000;
  restock.run(product.id, now);
  const ticket = service.openTicket(actor, { saleCommandId: newId(now), customerId });
  const { refusal } = service.addProduct(actor, ticket.id, service.productById(product.id)!, 1);
  if (refusal) throw new Error(refusal.message);
  const total = service.view(ticket).totals.totalCents;
  const { saleId } = service.complete(actor, { commandId: ticket.saleCommandId, ticketId: ticket.id, tenders: [{ kind: 'cash', amountCents: total + 75 }] });
  process.stdout.write(`${saleId}\n`);
}
