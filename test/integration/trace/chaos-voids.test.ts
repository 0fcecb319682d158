/**
 * Chaos for voids and refunds: medical sales, then voids of some and partial refunds of others,
 * queued while the sandbox injects seeded random faults and the worker process is SIGKILLed at
 * seeded random moments. Afterwards BioTrack's ledger equals the register's, one for one: every
 * sale there once, voided there exactly when it was voided here, every refund there once with
 * its own lines, and nothing else.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BioTrackSandbox } from '../../../main/trace/biotrack/sandbox/server.js';
import { seededRandom } from '../../../main/trace/sandbox-faults.js';
import { enqueueRefund, enqueueVoid } from '../../../main/trace/outbox.js';
import { FLOWER, engineFor, openTestStore, outboxRows, queueSale, sandboxData, settle, startSandbox } from '../../support/trace.js';
import { startChild } from './support/child.js';

const SALES = 45;
const SEED = 20_261_313;
/** As in chaos.test.ts: no reconciliation before the sandbox's slowest late commit. */
const RECONCILE_DELAY_MS = 400;
/** A safety stop counted in worker lives, not in time: a loaded machine only makes the run longer. */
const MAX_WORKER_LIVES = 200;

let sandbox: BioTrackSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ holdMs: 150 });
});
afterAll(async () => {
  await sandbox.close();
});

test(`${SALES} sales with voids and refunds through random faults and worker kills: BioTrack's ledger equals the register's`, { timeout: 600_000 }, async () => {
  const db = openTestStore();
  try {
    const random = seededRandom(SEED);
    const data = sandboxData();
    sandbox.reset();
    sandbox.state.reset({ ...data, patients: data.patients.map((patient) => ({ ...patient, limitGrams: 1e9 })), inventory: data.inventory.map((item) => ({ ...item, quantity: 1e6 })) });
    sandbox.setFaults({
      random: {
        seed: SEED,
        rate: 0.2,
        delayMs: 30,
        kinds: ['offline', 'slow', 'timeout_before_commit', 'timeout_after_commit', 'http_5xx', 'html_error', 'malformed_json', 'header_leak', 'session_expired', 'repeated_nonce'],
      },
    });
    // Each sale: 3 units at its own price. A third are voided, a third get 1 unit refunded.
    const sales: Array<{ saleId: string; cents: number; fate: 'kept' | 'voided' | 'refunded'; followed: boolean }> = [];
    let queued = 0;
    const produce = () => {
      for (let i = 0; i < 3 && queued < SALES; i++) {
        queued += 1;
        const cents = 2_000 + queued;
        const { outboxId } = queueSale(db.store, { unitPriceCents: cents, quantity: 3 });
        const saleId = (db.store.sqlite.prepare('SELECT sale_id AS s FROM trace_outbox WHERE id = ?').get(outboxId) as { s: string }).s;
        sales.push({ saleId, cents, fate: queued % 3 === 0 ? 'voided' : queued % 3 === 1 ? 'refunded' : 'kept', followed: false });
      }
      // Voids and refunds arrive later than their sales, some before the sale reached BioTrack.
      for (const sale of sales) {
        if (sale.followed || sale.fate === 'kept' || random() < 0.5) continue;
        sale.followed = true;
        db.store.sqlite
          .transaction(() =>
            sale.fate === 'voided'
              ? enqueueVoid(db.store.sqlite, { saleId: sale.saleId })
              : enqueueRefund(db.store.sqlite, { saleId: sale.saleId, refundTime: Date.now(), lines: [{ barcode: FLOWER, quantity: 1, unitPriceCents: sale.cents }] }),
          )
          .immediate();
      }
    };
    const producer = setInterval(produce, 100);
    let kills = 0;
    const started = Date.now();
    const unsettled = () => (db.store.sqlite.prepare(`SELECT COUNT(*) AS n FROM trace_outbox WHERE state <> 'acknowledged'`).get() as { n: number }).n;
    try {
      while (queued < SALES || sales.some((sale) => sale.fate !== 'kept' && !sale.followed) || kills < 5 || unsettled() > 8) {
        const { child, ready, exited } = startChild({ TRACE_DB: db.file, TRACE_URL: sandbox.url, TRACE_TIMEOUT_MS: '100', TRACE_RUN_MS: '60000', TRACE_RECONCILE_MS: String(RECONCILE_DELAY_MS) });
        // The kill clock starts once the worker is up, so each life does work however slow the start.
        await ready;
        await new Promise((resolve) => setTimeout(resolve, 300 + Math.floor(random() * 900)));
        child.kill('SIGKILL');
        await exited;
        kills += 1;
        if (kills >= MAX_WORKER_LIVES) throw new Error(`the chaos run did not settle in ${MAX_WORKER_LIVES} worker lives`);
      }
    } finally {
      clearInterval(producer);
    }
    const engine = engineFor(db.store, sandbox, { reconcileDelayMs: RECONCILE_DELAY_MS });
    engine.recoverInFlight();
    await settle(engine, 60_000);

    const rows = outboxRows(db.store);
    expect(rows.filter((row) => row.state !== 'acknowledged')).toEqual([]);
    expect(rows.filter((row) => row.kind === 'dispense')).toHaveLength(SALES);
    const remote = sandbox.state.sales.filter((sale) => !sale.training);
    const remoteDispenses = remote.filter((sale) => sale.kind === 'dispense');
    const remoteRefunds = remote.filter((sale) => sale.kind === 'refund');
    expect(remoteDispenses).toHaveLength(SALES);
    expect(remoteRefunds).toHaveLength(sales.filter((sale) => sale.fate === 'refunded').length);
    const dispenseRow = new Map(
      (db.store.sqlite.prepare(`SELECT sale_id AS saleId, remote_txn_id AS remoteTxnId FROM trace_outbox WHERE kind = 'dispense'`).all() as Array<{ saleId: string; remoteTxnId: string }>).map(
        (row) => [row.saleId, row.remoteTxnId],
      ),
    );
    expect(new Set(dispenseRow.values()).size).toBe(SALES);
    for (const sale of sales) {
      const there = remoteDispenses.find((candidate) => String(candidate.transactionid) === dispenseRow.get(sale.saleId));
      expect(there, `BioTrack sale for ${sale.saleId}`).toBeDefined();
      expect(there!.lines[0]).toMatchObject({ barcode: FLOWER, quantity: 3, priceCents: sale.cents });
      expect(there!.deleted, `voided there exactly when voided here (${sale.fate})`).toBe(sale.fate === 'voided');
      const refunds = remoteRefunds.filter((refund) => refund.original === there!.transactionid);
      expect(refunds.map((refund) => refund.lines.map((line) => [line.barcode, line.quantity, line.priceCents]))).toEqual(
        sale.fate === 'refunded' ? [[[FLOWER, 1, sale.cents]]] : [],
      );
    }
    // Each refund row holds its own BioTrack refund.
    const refundIds = rows.filter((row) => row.kind === 'refund').map((row) => row.remoteTxnId);
    expect(new Set(refundIds).size).toBe(refundIds.length);
    expect(refundIds.sort()).toEqual(remoteRefunds.map((refund) => String(refund.transactionid)).sort());
    const attempts = db.store.sqlite.prepare(`SELECT o.kind, a.outcome, COUNT(*) AS n FROM trace_attempts a JOIN trace_outbox o ON o.id = a.outbox_id GROUP BY 1, 2`).all();
    console.log(`chaos voids and refunds: ${kills} worker kills, ${Date.now() - started} ms, attempts ${JSON.stringify(attempts)}`);
    expect(kills).toBeGreaterThanOrEqual(5);
  } finally {
    db.cleanup();
  }
});
