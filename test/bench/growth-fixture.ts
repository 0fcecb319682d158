/**
 * The growth bench's history: a register with 1,000,000 customers and 1,000,000 medical sales,
 * written through the project's own write paths in bulk. A real 5-line medical sale is rung first
 * through CheckoutService; every other sale repeats its lines, taxes, tenders and allotment use
 * for another customer and time through checkout's own prepared statements, inside applyCommand
 * (the command row and the hash-chained audit event), with its outbox row from the trace outbox
 * (enqueueDispense) and its points from the rewards ledger (earnPoints): the same schema, indexes
 * and triggers, thousands of sales per transaction. Then every outbox row is acknowledged, as
 * years of a connected register leave them.
 */
import type Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { applyCommand } from '../../main/core/commands.js';
import { localDate } from '../../main/checkout/service.js';
import { prepareCheckoutStatements } from '../../main/checkout/statements.js';
import { seedDemoStore } from '../../main/demo/seed.js';
import { earnPoints } from '../../main/rewards/index.js';
import { openStore } from '../../main/store/db.js';
import { newId } from '../../main/store/ids.js';
import { hashPin } from '../../main/staff/pins.js';
import { enqueueDispense } from '../../main/trace/outbox.js';
import { migrationsFolder, resourcesDir } from '../support/paths.js';
import { prepareStore, salesDriver } from '../support/sales-driver.js';

const FIRST = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan'];
const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Wilson', 'Anderson'];
export const HISTORY_START = Date.UTC(2026, 0, 2, 15);
const BATCH = 5000;

/** The fixture's customer i: every third one a medical patient (they buy the history's sales). */
export function fixtureCustomerId(i: number): string {
  return `01GROWTHCUST${String(i).padStart(14, '0')}`;
}

export function medicalCustomer(k: number): number {
  return k * 3 + 1;
}

export interface FixtureSummary {
  customers: number;
  sales: number;
  buildMs: number;
}

export async function buildGrowthFixture(dir: string, customers: number, sales: number, log: (text: string) => void): Promise<FixtureSummary> {
  const started = performance.now();
  const store = openStore({ file: join(dir, 'register.sqlite'), migrationsFolder });
  const sqlite = store.sqlite;
  try {
    await seedDemoStore(sqlite, resourcesDir, (pin) => hashPin(pin, { N: 1024, r: 8, p: 1 }), HISTORY_START - 86_400_000);
    prepareStore(sqlite);
    // Building only: the fixture is made once, then the bench measures it with synchronous=FULL.
    sqlite.pragma('synchronous = OFF');
    sqlite.pragma('cache_size = -262144');
    addCustomers(sqlite, customers, log);
    await addSales(sqlite, customers, sales, log);
    log(`acknowledging ${sales} outbox rows`);
    sqlite.exec(
      `UPDATE trace_outbox SET state = 'acknowledged', acknowledged_at = sale_time + 2000, sent_at = sale_time + 1000, remote_txn_id = CAST(rowid AS TEXT),
          updated_at = sale_time + 2000 WHERE state = 'pending'`,
    );
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    return { customers, sales, buildMs: performance.now() - started };
  } finally {
    store.close();
  }
}

function addCustomers(sqlite: Database.Database, count: number, log: (text: string) => void): void {
  const insert = sqlite.prepare(
    `INSERT INTO customers (id, customer_type, first_name, last_name, date_of_birth, identification_expires, medical_id, medical_id_expires, phone, email,
       licence_state, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, '2999-12-31', ?, ?, ?, ?, 'IL', ?, ?)`,
  );
  const batch = sqlite.transaction((start: number) => {
    for (let i = start; i < Math.min(start + 50_000, count); i++) {
      const medical = i % 3 === 1;
      const first = FIRST[i % FIRST.length]!;
      const last = `${LAST[(i >> 4) % LAST.length]}${(i % 997).toString(36)}`;
      const dob = `${1950 + (i % 50)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
      insert.run(
        fixtureCustomerId(i),
        medical ? 'medical' : 'adult_use',
        first,
        last,
        dob,
        medical ? `MG${String(i).padStart(8, '0')}` : null,
        medical ? '2999-12-31' : null,
        `+1 ${200 + (i % 800)} 555 ${String(i % 10_000).padStart(4, '0')}`,
        `${first.toLowerCase()}.${last.toLowerCase()}${i}@example.com`,
        HISTORY_START,
        HISTORY_START,
      );
    }
  });
  for (let start = 0; start < count; start += 50_000) {
    batch(start);
    if (start % 250_000 === 0) log(`customers: ${start}`);
  }
}

async function addSales(sqlite: Database.Database, customers: number, count: number, log: (text: string) => void): Promise<void> {
  // One real sale, rung through the checkout core: every bulk sale repeats its rows.
  const driver = salesDriver(sqlite, resourcesDir, HISTORY_START - 3_600_000);
  const template = (await driver.ringSale()).saleId;
  const saleRow = sqlite.prepare('SELECT * FROM sales WHERE id = ?').get(template) as Record<string, unknown>;
  const lines = sqlite.prepare('SELECT * FROM sale_lines WHERE sale_no = ? ORDER BY line_no').all(saleRow.receipt_number) as Array<Record<string, unknown>>;
  const taxes = sqlite
    .prepare('SELECT t.* FROM sale_taxes t JOIN sale_lines l ON l.id = t.sale_line_id WHERE l.sale_no = ? ORDER BY l.line_no, t.position')
    .all(saleRow.receipt_number) as Array<Record<string, unknown>>;
  const tenders = sqlite.prepare('SELECT * FROM sale_tenders WHERE sale_no = ? ORDER BY position').all(saleRow.receipt_number) as Array<Record<string, unknown>>;
  const uses = sqlite.prepare('SELECT * FROM allotment_uses WHERE sale_no = ?').all(saleRow.receipt_number) as Array<Record<string, unknown>>;
  const outboxLines = (
    JSON.parse((sqlite.prepare('SELECT request FROM trace_outbox WHERE sale_id = ?').get(template) as { request: string }).request) as {
      sale: { lines: Array<{ barcode: string; quantity: number; unitPriceCents: number }> };
    }
  ).sale.lines;
  const s = prepareCheckoutStatements(sqlite);
  const employeeId = driver.actor.id;
  const medicalCount = Math.floor(customers / 3);
  let receipt = (sqlite.prepare('SELECT MAX(receipt_number) AS n FROM sales').get() as { n: number }).n;
  const dates = new Map<number, string>();
  const writeOne = (i: number) => {
    const customerIndex = medicalCustomer(i % medicalCount);
    const customerId = fixtureCustomerId(customerIndex);
    const cardId = `MG${String(customerIndex).padStart(8, '0')}`;
    const at = HISTORY_START + i * 60_000;
    const day = Math.floor(at / 3_600_000);
    let date = dates.get(day);
    if (!date) {
      date = localDate(at, 'America/Chicago');
      dates.set(day, date);
    }
    const saleId = newId(at);
    const saleNo = ++receipt;
    applyCommand(
      sqlite,
      { commandId: newId(at), name: 'checkout.sale.complete', actorId: employeeId },
      () => {
        s.insertSale.run({
          id: saleId,
          commandId: newId(at),
          receiptNumber: saleNo,
          customerId,
          patientCustomerId: null,
          caregiverPatientId: null,
          patientName: null,
          patientLicence: cardId,
          caregiverLicence: null,
          jurisdiction: saleRow.jurisdiction,
          profileId: saleRow.profile_id,
          channel: 'medical',
          employeeId,
          grossCents: saleRow.gross_cents,
          discountCents: saleRow.discount_cents,
          netCents: saleRow.net_cents,
          taxCents: saleRow.tax_cents,
          totalCents: saleRow.total_cents,
          changeCents: saleRow.change_cents,
          groupDiscountLabel: saleRow.group_discount_label,
          businessDate: date,
          completedAt: at,
          queueEntryId: null,
        });
        lines.forEach((line, index) => {
          const lineId = s.insertLine.run({
            saleNo,
            lineNo: line.line_no,
            productVersionId: line.product_version_id,
            quantity: line.quantity,
            grossCents: line.gross_cents,
            groupDiscountCents: line.group_discount_cents,
            lineDiscountCents: line.line_discount_cents,
            rewardsDiscountCents: line.rewards_discount_cents,
            discountReason: null,
            discountApprovedBy: null,
            netCents: line.net_cents,
            taxCents: line.tax_cents,
            limitOverride: null,
            limitOverrideApprovedBy: null,
            allotmentCounts: line.allotment_counts,
          }).lastInsertRowid;
          for (const tax of taxes.filter((t) => t.sale_line_id === lines[index]!.id)) s.insertTax.run(lineId, tax.position, tax.rate_id, tax.base_cents, tax.tax_cents);
        });
        for (const use of uses) s.insertUse.run(saleNo, null, 'customer', customerId, cardId, use.limit_id, use.unit, use.amount, at, date);
        for (const tender of tenders) s.insertTender.run(saleNo, tender.position, tender.kind, tender.tendered_cents, tender.applied_cents, tender.change_cents, null);
        const { outboxId } = enqueueDispense(
          sqlite,
          { saleId, customerId, location: '600100', terminalId: '1', saleTime: at, cardId, caregiverCardId: null, lines: outboxLines },
          at,
        );
        s.setOutbox.run(outboxId, saleNo);
        const points = earnPoints(sqlite, { customerId, saleId, eligibleCents: saleRow.net_cents as number, employeeId, at });
        return {
          result: { saleId },
          audit: {
            action: 'sale.complete',
            customerId,
            saleId,
            details: {
              receiptNumber: saleNo,
              channel: 'medical',
              profile: saleRow.profile_id,
              totalCents: saleRow.total_cents,
              taxCents: saleRow.tax_cents,
              lines: lines.length,
              tenders: tenders.map((tender) => ({ kind: tender.kind, cents: tender.applied_cents })),
              traceOutboxId: outboxId,
              ...(points.points ? { rewardsPointsEarned: points.points } : {}),
            },
          },
        };
      },
      at,
    );
  };
  const batch = sqlite.transaction((start: number) => {
    for (let i = start; i < Math.min(start + BATCH, count); i++) writeOne(i);
  });
  const t0 = performance.now();
  for (let start = 0; start < count; start += BATCH) {
    batch(start);
    if (start % 100_000 === 0 && start > 0) log(`sales: ${start} (${Math.round(start / ((performance.now() - t0) / 1000))}/s)`);
  }
}
