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
    expect(verifyBalances(after)).toEqual([]);
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
    expect(verifyBalances(after)).toEqual([]);
    after.prepare('UPDATE stock_on_hand SET quantity = 99').run();
    expect(verifyBalances(after)).toEqual([{ balance: 'stock_on_hand', key: 'P1', kept: 99, ledger: 5 }]);
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
});
