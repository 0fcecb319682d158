/**
 * Child process for the crash test: writes sale-like rows (a sale and its lines in one
 * transaction) through the store as fast as it can, printing each sale id after its commit.
 */
import { openStore } from '../../../main/store/db.js';
import { newId } from '../../../main/store/ids.js';

const [file, migrationsFolder] = process.argv.slice(2) as [string, string];
const store = openStore({ file, migrationsFolder, integrityCheck: 'quick' });
store.sqlite.exec(`
  CREATE TABLE IF NOT EXISTS crash_sales (id TEXT PRIMARY KEY, total_cents INTEGER NOT NULL, line_count INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS crash_lines (id TEXT PRIMARY KEY, sale_id TEXT NOT NULL REFERENCES crash_sales(id), cents INTEGER NOT NULL);
`);
const insertSale = store.sqlite.prepare('INSERT INTO crash_sales (id, total_cents, line_count) VALUES (?, ?, ?)');
const insertLine = store.sqlite.prepare('INSERT INTO crash_lines (id, sale_id, cents) VALUES (?, ?, ?)');
const writeSale = store.sqlite.transaction((saleId: string, lines: number[]) => {
  insertSale.run(saleId, lines.reduce((a, b) => a + b, 0), lines.length);
  for (const cents of lines) insertLine.run(newId(), saleId, cents);
});

process.stdout.write('ready\n');
for (;;) {
  const saleId = newId();
  const lines = Array.from({ length: 1 + Math.floor(Math.random() * 5) }, () => 100 + Math.floor(Math.random() * 5000));
  writeSale(saleId, lines);
  // Printed only after COMMIT returned: the parent treats these as promised durable.
  process.stdout.write(`${saleId}\n`);
}
