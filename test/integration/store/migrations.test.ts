/**
 * Every migration runs on a database of the previous version holding data, and keeps that data.
 */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPragmas, checkIntegrity } from '../../../main/store/db.js';
import { verifyBalances } from '../../../main/store/balances.js';
import { archiveAuditEvents } from '../../../main/audit/archive.js';
import { appendAudit, verifyAuditChain } from '../../../main/audit/log.js';
import { migrationsFolder, tempDir } from '../../support/paths.js';

interface Journal {
  entries: Array<{ idx: number; tag: string }>;
}
const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as Journal;
const work = tempDir('register-migrations-');
afterAll(() => work.cleanup());

/** A copy of the migrations folder holding only the first `count` migrations. */
function migrationsUpTo(count: number): string {
  const folder = join(work.dir, `upto-${count}`);
  cpSync(migrationsFolder, folder, { recursive: true });
  const truncated = { ...journal, entries: journal.entries.slice(0, count) };
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(truncated));
  return folder;
}

function openAt(file: string, count: number): Database.Database {
  const sqlite = new Database(file);
  applyPragmas(sqlite);
  migrate(drizzle(sqlite), { migrationsFolder: migrationsUpTo(count) });
  return sqlite;
}

function seedPreviousVersion(sqlite: Database.Database): void {
  sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('store.name', '\"Before\"', 1)").run();
  sqlite
    .prepare(
      `INSERT INTO customers (id, customer_type, first_name, last_name, date_of_birth, created_at, updated_at)
       VALUES ('01HZZZZZZZZZZZZZZZZZZZZZZZ', 'adult_use', 'Ann', 'Before', '1980-01-01', 1, 1)`,
    )
    .run();
}

describe('migrations', () => {
  it('has at least one migration', () => {
    expect(journal.entries.length).toBeGreaterThan(0);
  });

  for (const entry of journal.entries.slice(1)) {
    it(`${entry.tag} runs on a database of the previous version and keeps its data`, () => {
      const file = join(work.dir, `${entry.tag}.sqlite`);
      const previous = openAt(file, entry.idx);
      seedPreviousVersion(previous);
      previous.close();

      const upgraded = openAt(file, entry.idx + 1);
      expect(upgraded.prepare("SELECT value FROM settings WHERE key = 'store.name'").get()).toEqual({ value: '"Before"' });
      expect(upgraded.prepare('SELECT last_name FROM customers').all()).toEqual([{ last_name: 'Before' }]);
      expect(checkIntegrity(upgraded)).toBeNull();
      expect(upgraded.pragma('foreign_key_check')).toEqual([]);
      upgraded.close();
    });
  }

  it('0001 makes the audit log append-only', () => {
    const sqlite = openAt(join(work.dir, 'append-only.sqlite'), journal.entries.length);
    sqlite
      .prepare(
        `INSERT INTO audit_events (seq, id, at, employee_id, action, customer_id, sale_id, details, prev_hash, hash)
         VALUES (1, 'x', 1, NULL, 'a', NULL, NULL, '{}', 'p', 'h')`,
      )
      .run();
    expect(() => sqlite.prepare("UPDATE audit_events SET action = 'b'").run()).toThrow(/append-only/);
    expect(() => sqlite.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    sqlite.close();
  });

  it('0002 adds the applied-commands table', () => {
    const sqlite = openAt(join(work.dir, 'commands.sqlite'), 3);
    sqlite.prepare("INSERT INTO applied_commands (id, name, result, applied_at) VALUES ('c', 'n', 'null', 1)").run();
    expect(() => sqlite.prepare("INSERT INTO applied_commands (id, name, result, applied_at) VALUES ('c', 'n', 'null', 1)").run()).toThrow(/UNIQUE/);
    sqlite.close();
  });

  it('0013 builds the running balances from the ledgers, then keeps them with every ledger row', () => {
    const at = journal.entries.findIndex((entry) => entry.tag === '0013_running_balances');
    expect(at).toBeGreaterThan(0);
    const file = join(work.dir, 'balances.sqlite');
    const before = openAt(file, at);
    seedPreviousVersion(before);
    const customer = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
    before.exec(`
      INSERT INTO employees (id, name, role, pin_hash, created_at) VALUES ('E1', 'Ed', 'manager', 'x', 1);
      INSERT INTO products (id, trace_barcode, name, category, unit_weight_mg, usable_weight_mg, thc_value, thc_unit, price_cents, sold_medical, sold_adult_use, created_at)
        VALUES ('P1', '1111222233334444', 'Flower', 'flower', 3500, 3500, 2000, 'pct_x100', 3000, 1, 1, 1);
      INSERT INTO inventory_movements (id, product_id, quantity_delta, reason, at) VALUES ('M1', 'P1', 10, 'receive', 1), ('M2', 'P1', -3, 'sale', 2);
      INSERT INTO rewards_ledger (id, customer_id, kind, points, at) VALUES ('R1', '${customer}', 'adjust', 50, 1), ('R2', '${customer}', 'adjust', -20, 2);
      INSERT INTO sales (id, command_id, receipt_number, status, customer_id, jurisdiction, profile_id, channel, employee_id, gross_cents, discount_cents,
        net_cents, tax_cents, total_cents, change_cents, business_date, completed_at) VALUES ('S1', 'C1', 1, 'completed', '${customer}', 'IL', 'p', 'medical', 'E1', 1, 0, 1, 0, 1, 0, '2026-01-02', 2);
      INSERT INTO sale_lines (id, sale_id, line_no, product_id, name, trace_barcode, category, quantity, unit_price_cents, gross_cents, group_discount_cents,
        line_discount_cents, net_cents, tax_cents) VALUES ('L1', 'S1', 1, 'P1', 'Flower', '1111222233334444', 'flower', 3, 1, 1, 0, 0, 1, 0);
      INSERT INTO allotment_uses (id, sale_id, sale_line_id, holder_kind, holder_id, limit_id, unit, amount, at, business_date)
        VALUES ('U1', 'S1', 'L1', 'customer', '${customer}', 'flower', 'mg', 7000, 2, '2026-01-02'), ('U2', 'S1', 'L1', 'customer', '${customer}', 'flower', 'mg', 3500, 3, '2026-01-02');
    `);
    before.close();

    const after = openAt(file, at + 1);
    expect(after.prepare('SELECT quantity FROM stock_on_hand').all()).toEqual([{ quantity: 7 }]);
    expect(after.prepare('SELECT points FROM rewards_balances').all()).toEqual([{ points: 30 }]);
    expect(after.prepare('SELECT business_date, amount FROM allotment_daily').all()).toEqual([{ business_date: '2026-01-02', amount: 10500 }]);
    // From now on every ledger row moves its balance in its own transaction.
    after.exec(`
      INSERT INTO inventory_movements (id, product_id, quantity_delta, reason, at) VALUES ('M3', 'P1', -2, 'sale', 4);
      INSERT INTO rewards_ledger (id, customer_id, kind, points, at) VALUES ('R3', '${customer}', 'adjust', 5, 4);
      INSERT INTO allotment_uses (id, sale_id, sale_line_id, holder_kind, holder_id, limit_id, unit, amount, at, business_date)
        VALUES ('U3', 'S1', 'L1', 'customer', '${customer}', 'flower', 'mg', -3500, 5, '2026-01-03');
    `);
    expect(after.prepare('SELECT quantity FROM stock_on_hand').get()).toEqual({ quantity: 5 });
    expect(after.prepare('SELECT points FROM rewards_balances').get()).toEqual({ points: 35 });
    expect(after.prepare('SELECT amount FROM allotment_daily WHERE business_date = ?').get('2026-01-03')).toEqual({ amount: -3500 });
    after.close();
  });

  it('0017 moves sales onto integer keys and keeps every sale, line, tax, tender, use, return, movement and point', () => {
    const at = journal.entries.findIndex((entry) => entry.tag === '0017_lean_sales');
    expect(at).toBeGreaterThan(0);
    const file = join(work.dir, 'lean.sqlite');
    const before = openAt(file, at);
    seedPreviousVersion(before);
    const customer = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
    before.exec(`
      INSERT INTO employees (id, name, role, pin_hash, created_at) VALUES ('E1', 'Ed', 'manager', 'x', 1);
      INSERT INTO products (id, trace_barcode, name, category, unit_weight_mg, usable_weight_mg, thc_value, thc_unit, price_cents, sold_medical, sold_adult_use, created_at)
        VALUES ('P1', '1111222233334444', 'Flower', 'flower', 3500, 3500, 2000, 'pct_x100', 3000, 1, 1, 1),
               ('P2', '1111222233335555', 'Gummies', 'edible', 50, 50, 100, 'mg', 2500, 1, 1, 1);
      INSERT INTO inventory_movements (id, product_id, quantity_delta, reason, reference_id, at) VALUES
        ('M1', 'P1', 10, 'receive', NULL, 1), ('M2', 'P2', 10, 'receive', NULL, 1), ('M3', 'P1', -2, 'sale', 'S2', 2), ('M4', 'P2', -1, 'sale', 'S2', 2), ('M5', 'P1', 1, 'void', 'RET1', 3);
      INSERT INTO rewards_ledger (id, customer_id, kind, points, sale_id, at) VALUES ('R1', '${customer}', 'earn', 85, 'S2', 2);
      INSERT INTO sales (id, command_id, receipt_number, status, customer_id, jurisdiction, profile_id, channel, employee_id, gross_cents, discount_cents,
        net_cents, tax_cents, total_cents, change_cents, business_date, completed_at)
        VALUES ('S1', 'C1', 1, 'voided', '${customer}', 'IL', 'p', 'adult_use', 'E1', 100, 0, 100, 0, 100, 0, '2026-01-01', 1),
               ('S2', 'C2', 2, 'completed', '${customer}', 'IL', 'p', 'medical', 'E1', 8500, 0, 8500, 85, 8585, 15, '2026-01-02', 2);
      INSERT INTO sale_lines (id, sale_id, line_no, product_id, name, trace_barcode, category, quantity, unit_price_cents, gross_cents, group_discount_cents,
        line_discount_cents, net_cents, tax_cents) VALUES
        ('L2B', 'S2', 2, 'P2', 'Gummies', '1111222233335555', 'edible', 1, 2500, 2500, 0, 0, 2500, 25),
        ('L2A', 'S2', 1, 'P1', 'Flower', '1111222233334444', 'flower', 2, 3000, 6000, 0, 0, 6000, 60);
      INSERT INTO sale_taxes (id, sale_id, sale_line_id, tax_id, label, kind, basis_points, base_cents, tax_cents) VALUES
        ('T1', 'S2', 'L2A', 'med', 'Medical 1%', 'state', 100, 6000, 60), ('T2', 'S2', 'L2B', 'med', 'Medical 1%', 'state', 100, 2500, 25);
      INSERT INTO sale_tenders (id, sale_id, kind, tendered_cents, applied_cents, change_cents) VALUES ('TE1', 'S2', 'cash', 8600, 8585, 15);
      INSERT INTO allotment_uses (id, sale_id, sale_line_id, holder_kind, holder_id, card_id, limit_id, unit, amount, at, business_date) VALUES
        ('U1', 'S2', 'L2A', 'customer', '${customer}', 'MP1', 'usable', 'mg', 7000, 2, '2026-01-02'),
        ('U2', 'S2', 'L2B', 'customer', '${customer}', 'MP1', 'usable', 'mg', 100, 2, '2026-01-02');
      INSERT INTO sale_returns (id, command_id, sale_id, kind, reason, employee_id, net_cents, tax_cents, refund_cents, refund_tender, at)
        VALUES ('RET1', 'C3', 'S2', 'return', 'test', 'E1', 3000, 30, 3030, 'cash', 3);
      INSERT INTO sale_return_lines (id, return_id, sale_line_id, quantity, net_cents, tax_cents) VALUES ('RL1', 'RET1', 'L2A', 1, 3000, 30);
      INSERT INTO allotment_uses (id, sale_id, sale_line_id, return_id, holder_kind, holder_id, card_id, limit_id, unit, amount, at, business_date)
        VALUES ('U3', 'S2', 'L2A', 'RET1', 'customer', '${customer}', 'MP1', 'usable', 'mg', -3500, 3, '2026-01-03');
    `);
    const balancesBefore = before.prepare('SELECT * FROM stock_on_hand ORDER BY product_id').all();
    before.close();

    const after = openAt(file, at + 1);
    expect(after.prepare('SELECT receipt_number, id, status FROM sales ORDER BY receipt_number').all()).toEqual([
      { receipt_number: 1, id: 'S1', status: 'voided' },
      { receipt_number: 2, id: 'S2', status: 'completed' },
    ]);
    const lines = after
      .prepare(
        `SELECT l.id, l.sale_no, l.line_no, v.product_id, v.name, v.unit_price_cents, l.quantity, l.net_cents, l.allotment_counts
           FROM sale_lines l JOIN product_versions v ON v.id = l.product_version_id ORDER BY l.id`,
      )
      .all();
    expect(lines).toEqual([
      { id: 1, sale_no: 2, line_no: 1, product_id: 'P1', name: 'Flower', unit_price_cents: 3000, quantity: 2, net_cents: 6000, allotment_counts: '{"usable":7000}' },
      { id: 2, sale_no: 2, line_no: 2, product_id: 'P2', name: 'Gummies', unit_price_cents: 2500, quantity: 1, net_cents: 2500, allotment_counts: '{"usable":100}' },
    ]);
    expect(after.prepare('SELECT t.sale_line_id, t.position, r.label, t.tax_cents FROM sale_taxes t JOIN tax_rates r ON r.id = t.rate_id ORDER BY 1, 2').all()).toEqual([
      { sale_line_id: 1, position: 1, label: 'Medical 1%', tax_cents: 60 },
      { sale_line_id: 2, position: 1, label: 'Medical 1%', tax_cents: 25 },
    ]);
    expect(after.prepare('SELECT sale_no, position, kind, applied_cents FROM sale_tenders').all()).toEqual([{ sale_no: 2, position: 1, kind: 'cash', applied_cents: 8585 }]);
    expect(after.prepare('SELECT sale_no, return_id, limit_id, amount FROM allotment_uses ORDER BY id').all()).toEqual([
      { sale_no: 2, return_id: null, limit_id: 'usable', amount: 7100 },
      { sale_no: 2, return_id: 'RET1', limit_id: 'usable', amount: -3500 },
    ]);
    expect(after.prepare('SELECT return_id, sale_line_id, quantity FROM sale_return_lines').all()).toEqual([{ return_id: 'RET1', sale_line_id: 1, quantity: 1 }]);
    // The sale's and the return's movements are now their lines: only the receipts stay in inventory_movements.
    expect(after.prepare('SELECT typeof(id) AS t, COUNT(*) AS n FROM inventory_movements GROUP BY 1').all()).toEqual([{ t: 'integer', n: 2 }]);
    expect(after.prepare('SELECT typeof(id) AS t, points FROM rewards_ledger').all()).toEqual([{ t: 'integer', points: 85 }]);
    expect(after.prepare('SELECT * FROM stock_on_hand ORDER BY product_id').all()).toEqual(balancesBefore);
    expect(verifyBalances(after)).toEqual([]);
    expect(after.pragma('foreign_key_check')).toEqual([]);
    // The balances' triggers were made again on the rebuilt ledgers.
    after.exec(`INSERT INTO inventory_movements (product_id, quantity_delta, reason, at) VALUES ('P2', -4, 'adjust', 5)`);
    expect(after.prepare(`SELECT quantity FROM stock_on_hand WHERE product_id = 'P2'`).get()).toEqual({ quantity: 5 });
    expect(verifyBalances(after)).toEqual([]);
    after.prepare(`UPDATE stock_on_hand SET quantity = 99 WHERE product_id = 'P1'`).run();
    expect(verifyBalances(after)).toEqual([{ balance: 'stock_on_hand', key: 'P1', kept: 99, ledger: 9 }]);
    after.close();
  });

  it('0014/0015 keep the outbox counters by trigger, backfilled from the rows already there', () => {
    const file = join(work.dir, 'trace-counters.sqlite');
    const at = journal.entries.findIndex((entry) => entry.tag === '0014_trace_fidelity_archive');
    expect(at).toBeGreaterThan(0);
    const previous = openAt(file, at);
    const insert = previous.prepare(
      `INSERT INTO trace_outbox (id, location, kind, sale_id, request, nonce, state, attempts, next_attempt_at, total_cents, item_count, sale_time, created_at, updated_at, remote_txn_id)
       VALUES (?, '600100', 'dispense', ?, '{}', ?, ?, 1, 0, 100, 1, 1, 1, 1, ?)`,
    );
    insert.run('A', 'S1', 'n1', 'acknowledged', '1005');
    insert.run('B', 'S2', 'n2', 'acknowledged', '1009');
    insert.run('C', 'S3', 'n3', 'pending', null);
    previous.close();
    const upgraded = openAt(file, at + 2);
    const counts = () => Object.fromEntries((upgraded.prepare('SELECT state, n FROM trace_outbox_counts').all() as Array<{ state: string; n: number }>).map((r) => [r.state, r.n]));
    expect(counts()).toEqual({ acknowledged: 2, pending: 1 });
    expect(upgraded.prepare('SELECT remote_high AS high FROM trace_sync_marks').get()).toEqual({ high: 1009 });
    upgraded.prepare(`UPDATE trace_outbox SET state = 'in_flight' WHERE id = 'C'`).run();
    upgraded.prepare(`UPDATE trace_outbox SET attempts = 2 WHERE id = 'C'`).run();
    expect(counts()).toEqual({ acknowledged: 2, pending: 0, in_flight: 1 });
    upgraded.close();
  });

  it('open_tickets (issue 13) adds the saved open tickets, one row per ticket, beside the old data', () => {
    const entry = journal.entries.find((item) => item.tag.endsWith('_open_tickets'))!;
    const file = join(work.dir, 'open-tickets.sqlite');
    const previous = openAt(file, entry.idx);
    seedPreviousVersion(previous);
    expect(previous.prepare("SELECT name FROM sqlite_master WHERE name = 'open_tickets'").all()).toEqual([]);
    previous.close();
    const sqlite = openAt(file, entry.idx + 1);
    const insert = sqlite.prepare(
      "INSERT INTO open_tickets (id, sale_command_id, customer_id, opened_at, saved_at, state) VALUES ('t1', 'c1', '01HZZZZZZZZZZZZZZZZZZZZZZZ', 1, 2, '{}')",
    );
    insert.run();
    expect(() => insert.run()).toThrow(/UNIQUE/);
    expect(sqlite.prepare('SELECT last_name FROM customers').all()).toEqual([{ last_name: 'Before' }]);
    sqlite.close();
  });
  it('caregiver_patient_birth_date keeps caregiver-patients and leaves their birth date empty until it is entered', () => {
    const entry = journal.entries.find((item) => item.tag.endsWith('_caregiver_patient_birth_date'))!;
    const file = join(work.dir, 'caregiver-patient-birth-date.sqlite');
    const previous = openAt(file, entry.idx);
    seedPreviousVersion(previous);
    previous
      .prepare(
        `INSERT INTO customers (id, customer_type, first_name, last_name, date_of_birth, created_at, updated_at)
         VALUES ('01HZZZZZZZZZZZZZZZZZZZZZZY', 'caregiver', 'Cara', 'Giver', '1970-01-01', 1, 1)`,
      )
      .run();
    previous
      .prepare(
        `INSERT INTO caregiver_patients (id, caregiver_id, first_name, last_name, medical_licence, licence_expires, created_at, updated_at)
         VALUES ('p1', '01HZZZZZZZZZZZZZZZZZZZZZZY', 'Pat', 'Ient', 'MP1', '2030-01-01', 1, 1)`,
      )
      .run();
    previous.close();
    const sqlite = openAt(file, entry.idx + 1);
    expect(sqlite.prepare('SELECT first_name, medical_licence, date_of_birth FROM caregiver_patients').all()).toEqual([
      { first_name: 'Pat', medical_licence: 'MP1', date_of_birth: null },
    ]);
    sqlite.close();
  });
  it('catalogue_stock keeps products and their stock, leaves them unarchived, and adds packages, barcodes and adjustments', () => {
    const entry = journal.entries.find((item) => item.tag.endsWith('_catalogue_stock'))!;
    const file = join(work.dir, 'catalogue-stock.sqlite');
    const previous = openAt(file, entry.idx);
    seedPreviousVersion(previous);
    previous.exec(`
      INSERT INTO employees (id, name, role, pin_hash, created_at) VALUES ('E1', 'Ed', 'manager', 'x', 1);
      INSERT INTO products (id, trace_barcode, name, category, unit_weight_mg, usable_weight_mg, thc_value, thc_unit, price_cents, sold_medical, sold_adult_use, created_at)
        VALUES ('P1', '1111222233334444', 'Flower', 'flower', 3500, 3500, 2000, 'pct_x100', 3000, 1, 1, 1);
      INSERT INTO inventory_movements (product_id, quantity_delta, reason, reference_id, at) VALUES ('P1', 10, 'receive', NULL, 1);
    `);
    previous.close();
    const sqlite = openAt(file, entry.idx + 1);
    expect(sqlite.prepare('SELECT name, archived_at, updated_at FROM products').all()).toEqual([{ name: 'Flower', archived_at: null, updated_at: null }]);
    expect(sqlite.prepare('SELECT quantity FROM stock_on_hand').all()).toEqual([{ quantity: 10 }]);
    sqlite.prepare("INSERT INTO trace_packages (label, product_id, provider, quantity_received, received_at, received_by) VALUES ('1111222233334444', 'P1', 'BioTrack', 10, 2, 'E1')").run();
    sqlite.prepare("INSERT INTO product_barcodes (barcode, product_id) VALUES ('SHELF-1', 'P1')").run();
    expect(() => sqlite.prepare("INSERT INTO product_barcodes (barcode, product_id) VALUES ('SHELF-1', 'P1')").run()).toThrow(/UNIQUE/);
    sqlite
      .prepare("INSERT INTO stock_adjustments (id, product_id, kind, expected, quantity_delta, reason, employee_id, approved_by, at) VALUES ('A1', 'P1', 'adjust', 10, -1, 'damaged', 'E1', 'E1', 3)")
      .run();
    expect(sqlite.prepare('SELECT COUNT(*) AS n FROM stock_adjustments').get()).toEqual({ n: 1 });
    sqlite.close();
  });
  it('employee_permissions_and_pin_change keeps employees on their role\'s permissions and their own PINs', () => {
    const entry = journal.entries.find((item) => item.tag.endsWith('_employee_permissions_and_pin_change'))!;
    const file = join(work.dir, 'employee-permissions.sqlite');
    const previous = openAt(file, entry.idx);
    seedPreviousVersion(previous);
    previous
      .prepare(
        `INSERT INTO employees (id, name, role, pin_hash, failed_pin_attempts, active, created_at)
         VALUES ('01HZZZZZZZZZZZZZZZZZZZZZZE', 'Ema Before', 'manager', 'scrypt$1$1$1$AA$BB', 0, 1, 1)`,
      )
      .run();
    previous.close();
    const sqlite = openAt(file, entry.idx + 1);
    expect(sqlite.prepare('SELECT name, role, permissions, pin_must_change FROM employees').all()).toEqual([
      { name: 'Ema Before', role: 'manager', permissions: null, pin_must_change: 0 },
    ]);
    sqlite.close();
  });

  it('tax_rates_in_parts_per_million converts past sales\' rates and the store\'s entered rates exactly (× 100), keeping their order', () => {
    const entry = journal.entries.find((item) => item.tag.endsWith('_tax_rates_in_parts_per_million'))!;
    const file = join(work.dir, 'rates-ppm.sqlite');
    const previous = openAt(file, entry.idx);
    seedPreviousVersion(previous);
    previous.exec(`
      INSERT INTO tax_rates (tax_id, label, kind, basis_points) VALUES ('il_excise', 'Cannabis excise', 'excise', 1000), ('il_state_rot', 'State ROT', 'state_sales', 625);
    `);
    const entered = [
      { from: '2024-01-01', to: '2026-03-31', basisPoints: 863, enteredAt: 5, enteredBy: 'E1' },
      { from: '2026-04-01', to: null, basisPoints: 1025, enteredAt: 6, enteredBy: 'E1' },
    ];
    const insert = previous.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 1)');
    insert.run('tax.rates.ca_sales_and_use', JSON.stringify(entered));
    insert.run('tax.rates.empty', '[]');
    insert.run('tax.rates.broken', 'not json');
    insert.run('checkout.groupDiscounts', JSON.stringify({ senior: 1000 }));
    previous.close();

    const sqlite = openAt(file, entry.idx + 1);
    expect(sqlite.prepare('SELECT tax_id, rate_ppm FROM tax_rates ORDER BY id').all()).toEqual([
      { tax_id: 'il_excise', rate_ppm: 100_000 },
      { tax_id: 'il_state_rot', rate_ppm: 62_500 },
    ]);
    const setting = (key: string) => (sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string }).value;
    expect(JSON.parse(setting('tax.rates.ca_sales_and_use'))).toEqual([
      { from: '2024-01-01', to: '2026-03-31', ratePpm: 86_300, enteredAt: 5, enteredBy: 'E1' },
      { from: '2026-04-01', to: null, ratePpm: 102_500, enteredAt: 6, enteredBy: 'E1' },
    ]);
    expect(setting('tax.rates.empty')).toBe('[]');
    expect(setting('tax.rates.broken')).toBe('not json');
    // Discounts stay in basis points.
    expect(JSON.parse(setting('checkout.groupDiscounts'))).toEqual({ senior: 1000 });
    // The unique rate index follows the renamed column: a rate is still stored once.
    expect(() => sqlite.prepare(`INSERT INTO tax_rates (tax_id, label, kind, rate_ppm) VALUES ('il_excise', 'Cannabis excise', 'excise', 100000)`).run()).toThrow(/UNIQUE/);
    expect(checkIntegrity(sqlite)).toBeNull();
    sqlite.close();
  });

  it('audit_archive_and_lean_indexes keeps the audit chain, adds its archive and moves old events only through it, and swaps the indexes without touching rows', () => {
    const entry = journal.entries.find((item) => item.tag.endsWith('_audit_archive_and_lean_indexes'))!;
    const file = join(work.dir, 'audit-archive.sqlite');
    const previous = openAt(file, entry.idx);
    seedPreviousVersion(previous);
    for (let i = 1; i <= 6; i++) appendAudit(previous, { employeeId: null, action: 'test.before', customerId: i % 2 === 0 ? '01HZZZZZZZZZZZZZZZZZZZZZZZ' : null, details: { i } }, 1_000 + i);
    previous.exec(`
      INSERT INTO products (id, trace_barcode, name, category, unit_weight_mg, usable_weight_mg, thc_value, thc_unit, price_cents, sold_medical, sold_adult_use, created_at)
        VALUES ('P1', '1111222233334444', 'Flower', 'flower', 3500, 3500, 2000, 'pct_x100', 3000, 1, 1, 1);
      INSERT INTO inventory_movements (product_id, quantity_delta, reason, at) VALUES ('P1', 5, 'receive', 10), ('P1', -1, 'adjust', 20);
    `);
    const indexNames = (db: Database.Database) =>
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('customer_group_members_group', 'customers_medical_id', 'trace_packages_product', 'inventory_movements_product_at') ORDER BY name").all() as Array<{ name: string }>).map((row) => row.name);
    expect(indexNames(previous)).toEqual(['customer_group_members_group', 'customers_medical_id', 'trace_packages_product']);
    previous.close();

    const sqlite = openAt(file, entry.idx + 1);
    expect(indexNames(sqlite)).toEqual(['inventory_movements_product_at']);
    expect(sqlite.prepare('SELECT quantity_delta FROM inventory_movements ORDER BY at').all()).toEqual([{ quantity_delta: 5 }, { quantity_delta: -1 }]);
    expect(verifyAuditChain(sqlite)).toEqual({ ok: true, checked: 6, firstBroken: null });
    // Still append-only: a DELETE without an archived copy is refused.
    expect(() => sqlite.prepare('DELETE FROM audit_events WHERE seq = 1').run()).toThrow(/append-only/);
    expect(archiveAuditEvents(sqlite, { before: 1_004 })).toBe(3);
    expect(sqlite.prepare('SELECT COUNT(*) AS n FROM audit_events_archive').get()).toEqual({ n: 3 });
    expect(verifyAuditChain(sqlite)).toEqual({ ok: true, checked: 6, firstBroken: null });
    expect(() => sqlite.prepare('DELETE FROM audit_events_archive').run()).toThrow(/append-only/);
    expect(checkIntegrity(sqlite)).toBeNull();
    sqlite.close();
  });
  it('queue_patient_customer keeps queue entries and leaves them with no customer patient; the new column refers to a customer', () => {
    const entry = journal.entries.find((item) => item.tag.endsWith('_queue_patient_customer'))!;
    const file = join(work.dir, 'queue-patient-customer.sqlite');
    const previous = openAt(file, entry.idx);
    seedPreviousVersion(previous);
    previous
      .prepare(
        `INSERT INTO queue_entries (id, customer_id, checked_in_as, position, checked_in_at, allotment_source, caregiver_patient_id)
         VALUES ('Q1', '01HZZZZZZZZZZZZZZZZZZZZZZZ', 'caregiver', 1, 1, 'state_system', 'p1')`,
      )
      .run();
    previous.close();
    const sqlite = openAt(file, entry.idx + 1);
    expect(sqlite.prepare('SELECT id, caregiver_patient_id, patient_customer_id FROM queue_entries').all()).toEqual([{ id: 'Q1', caregiver_patient_id: 'p1', patient_customer_id: null }]);
    expect(() => sqlite.prepare("UPDATE queue_entries SET patient_customer_id = 'nobody' WHERE id = 'Q1'").run()).toThrow(/FOREIGN KEY/);
    sqlite.close();
  });
});
