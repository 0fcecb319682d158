/**
 * Running balances (issue 12): stock on hand, allotment used per day, points and the trace
 * outbox's counters are kept by the ledgers' triggers in the sale's own transaction, agree with a rebuild from the ledgers after
 * real sales, voids and returns, and `npm run verify:balances` names a figure that drifted.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../main/store/db.js';
import { verifyBalances } from '../../../main/store/balances.js';
import { archiveSettled } from '../../../main/trace/outbox.js';
import { seedDemoStore } from '../../../main/demo/seed.js';
import { hashPin } from '../../../main/staff/pins.js';
import { toEmployee } from '../../../main/staff/service.js';
import { migrationsFolder, repoRoot, resourcesDir, tempDir } from '../../support/paths.js';
import { prepareStore, salesDriver } from '../../support/sales-driver.js';

const work = tempDir('register-balances-');
afterAll(() => work.cleanup());

const DAY = 86_400_000;

describe('running balances', () => {
  it('agree with their ledgers after sales, a void and a return, and the rolling window counts what the ledger counts', async () => {
    const store = openStore({ file: join(work.dir, 'register.sqlite'), migrationsFolder });
    const sqlite = store.sqlite;
    await seedDemoStore(sqlite, resourcesDir, (pin) => hashPin(pin, { N: 1024, r: 8, p: 1 }), Date.UTC(2026, 0, 1));
    prepareStore(sqlite);
    // 10:00 in Chicago: every sale below lands at a different hour of the store's day.
    const driver = salesDriver(sqlite, resourcesDir, Date.UTC(2026, 0, 2, 16));
    const manager = toEmployee(sqlite.prepare(`SELECT id, name, role, active FROM employees WHERE role = 'manager'`).get() as { id: string; name: string; role: 'manager'; active: number });
    const sales: string[] = [];
    for (let i = 0; i < 12; i++) {
      sales.push((await driver.ringSale()).saleId);
      driver.advanceDays(0.37);
    }
    driver.service.voidSale(manager, { commandId: `void-${sales[11]}`, saleId: sales[11]!, reason: 'test' });
    const line = sqlite.prepare('SELECT l.id FROM sale_lines l JOIN sales s ON s.receipt_number = l.sale_no WHERE s.id = ? ORDER BY l.line_no LIMIT 1').get(sales[5]) as { id: number };
    driver.service.returnLines(manager, { commandId: `return-${sales[5]}`, saleId: sales[5]!, reason: 'test', refundTender: 'cash', lines: [{ saleLineId: String(line.id), quantity: 1 }] });

    // The outbox counters: rows reported and moved to the archive still count where they were.
    const reported = sqlite.prepare(`SELECT id, location FROM trace_outbox WHERE kind = 'dispense' ORDER BY id LIMIT 4`).all() as Array<{ id: string; location: string }>;
    expect(reported.length).toBe(4);
    const acknowledge = sqlite.prepare(`UPDATE trace_outbox SET state = 'acknowledged', acknowledged_at = ?, updated_at = ? WHERE id = ?`);
    for (const row of reported) acknowledge.run(driver.now(), driver.now(), row.id);
    expect(archiveSettled(sqlite, { location: reported[0]!.location, before: driver.now() + DAY, limit: 100 })).toBe(4);
    expect(verifyBalances(sqlite)).toEqual([]);
    const counted = sqlite.prepare(`SELECT n FROM trace_outbox_counts WHERE location = ? AND state = 'acknowledged'`).get(reported[0]!.location) as { n: number };
    expect(counted.n).toBe(4);
    // A counter that drifted is named.
    sqlite.prepare(`UPDATE trace_outbox_counts SET n = n + 1 WHERE location = ? AND state = 'acknowledged'`).run(reported[0]!.location);
    expect(verifyBalances(sqlite)).toEqual([{ balance: 'trace_outbox_counts', key: `${reported[0]!.location} acknowledged`, kept: 5, ledger: 4 }]);
    sqlite.prepare(`UPDATE trace_outbox_counts SET n = n - 1 WHERE location = ? AND state = 'acknowledged'`).run(reported[0]!.location);

    expect(verifyBalances(sqlite)).toEqual([]);
    const onHand = sqlite.prepare('SELECT p.trace_barcode AS code, s.quantity FROM stock_on_hand s JOIN products p ON p.id = s.product_id WHERE p.trace_barcode = ?');
    // The stock ledger: receipts and adjustments, sale lines out, return lines back.
    const ledger = sqlite.prepare(
      `SELECT (SELECT SUM(m.quantity_delta) FROM inventory_movements m WHERE m.product_id = p.id)
            - (SELECT COALESCE(SUM(l.quantity), 0) FROM sale_lines l JOIN product_versions v ON v.id = l.product_version_id WHERE v.product_id = p.id)
            + (SELECT COALESCE(SUM(r.quantity), 0) FROM sale_return_lines r JOIN sale_lines l ON l.id = r.sale_line_id
                 JOIN product_versions v ON v.id = l.product_version_id WHERE v.product_id = p.id) AS total
         FROM products p WHERE p.trace_barcode = ?`,
    );
    for (const code of driver.codes) {
      expect((onHand.get(code) as { quantity: number }).quantity).toBe((ledger.get(code) as { total: number }).total);
      expect(driver.service.findByBarcode(code)!.onHand).toBe((ledger.get(code) as { total: number }).total);
    }
    const points = sqlite.prepare('SELECT points FROM rewards_balances WHERE customer_id = ?').get(driver.customerIds[0]) as { points: number };
    expect(points.points).toBeGreaterThan(0);

    // The allotment meter's prior use, read from the kept days, equals the ledger's sum over the
    // exact rolling window, wherever in the day the window opens.
    const customerId = driver.customerIds[0]!;
    const ticket = driver.service.openTicket(driver.actor, { saleCommandId: 'probe', customerId });
    const rolling = ticket.context!.profile.limits.filter((limit) => limit.window.kind === 'rolling_days');
    expect(rolling.length).toBeGreaterThan(0);
    driver.service.discard(ticket.id);
    for (let hour = 0; hour < 48; hour += 5) {
      driver.advanceDays(hour / 24);
      const probe = driver.service.openTicket(driver.actor, { saleCommandId: `probe-${hour}`, customerId });
      for (const limit of rolling) {
        if (limit.window.kind !== 'rolling_days') continue;
        const since = driver.now() - limit.window.days * DAY;
        const expected = sqlite
          .prepare(`SELECT COALESCE(SUM(amount), 0) AS total FROM allotment_uses WHERE holder_kind = 'customer' AND holder_id = ? AND limit_id = ? AND at >= ?`)
          .get(customerId, limit.id, since) as { total: number };
        expect(probe.context!.usage.get(limit.id)!.priorUsed).toBe(expected.total);
      }
      driver.service.discard(probe.id);
    }
    store.close();
  });

  it('npm run verify:balances names the figure that differs and exits non-zero', async () => {
    const dir = join(work.dir, 'drift');
    mkdirSync(dir);
    const store = openStore({ file: join(dir, 'register.sqlite'), migrationsFolder });
    await seedDemoStore(store.sqlite, resourcesDir, (pin) => hashPin(pin, { N: 1024, r: 8, p: 1 }), Date.UTC(2026, 0, 1));
    const cli = () => spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'main/store/balances-cli.ts'), '--data-dir', dir], { encoding: 'utf8' });
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const agree = cli();
    expect(agree.stdout + agree.stderr).toMatch(/Balances agree with their ledgers/);
    expect(agree.status).toBe(0);
    const product = store.sqlite.prepare('SELECT product_id FROM stock_on_hand LIMIT 1').get() as { product_id: string };
    store.sqlite.prepare('UPDATE stock_on_hand SET quantity = quantity + 1 WHERE product_id = ?').run(product.product_id);
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const drift = cli();
    expect(drift.status).toBe(1);
    expect(drift.stderr).toContain(`stock_on_hand ${product.product_id}: kept`);
    store.sqlite.prepare(`INSERT INTO trace_outbox_counts (location, state, n) VALUES ('LOC-1', 'pending', 2)`).run();
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const counters = cli();
    expect(counters.status).toBe(1);
    expect(counters.stderr).toContain('trace_outbox_counts LOC-1 pending: kept 2, ledger says 0');
    store.close();
  });
});
