/**
 * Chaos against the Metrc sandbox, as chaos.test.ts and chaos-voids.test.ts against BioTrack's:
 * medical sales (Illinois patients and caregivers, Oklahoma patients and caregivers), voids of
 * some, one or two partial refunds of others, queued while the sandbox injects seeded random
 * faults on every route (a timeout after the commit on every kind of write among them: POST,
 * PUT and DELETE) and the worker process is SIGKILLed at seeded random moments.
 *
 * Metrc has no idempotency key: exactly once rests on the outbox row's id frozen as
 * ExternalReceiptNumber and on reconciling before any resend. Afterwards Metrc's receipts equal
 * the register's sales one for one: every sale there once under its own external number (none
 * doubled, none missing), archived exactly when voided here, and holding exactly what stays sold
 * after its refunds.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seededRandom } from '../../../main/trace/sandbox-faults.js';
import type { MetrcSandbox } from '../../../main/trace/metrc/sandbox/server.js';
import { enqueueRefund, enqueueVoid } from '../../../main/trace/outbox.js';
import { openTestStore, outboxRows, settle } from '../../support/trace.js';
import {
  IL,
  IL_CAREGIVER,
  IL_CAREGIVER_PATIENT,
  IL_FLOWER,
  IL_PATIENT,
  OK,
  OK_CAREGIVER,
  OK_CAREGIVER_PATIENT,
  OK_FLOWER,
  OK_PATIENT,
  metrcEngine,
  queueMetrcSale,
  startMetrc,
  unlimitedData,
} from '../../support/metrc.js';
import { startChild } from './support/child.js';

/** As in chaos.test.ts: no reconciliation before the sandbox's slowest late commit (30 ms here). */
const RECONCILE_DELAY_MS = 400;
const SALES = 24;

interface Case {
  state: 'IL' | 'OK';
  seed: number;
  patient: string;
  caregiver: string;
  caregiverPatient: string;
  label: string;
}

const CASES: Case[] = [
  { state: 'IL', seed: 20_261_601, patient: IL_PATIENT, caregiver: IL_CAREGIVER, caregiverPatient: IL_CAREGIVER_PATIENT, label: IL_FLOWER },
  { state: 'OK', seed: 20_261_602, patient: OK_PATIENT, caregiver: OK_CAREGIVER, caregiverPatient: OK_CAREGIVER_PATIENT, label: OK_FLOWER },
];

let sandbox: MetrcSandbox;
beforeAll(async () => {
  sandbox = await startMetrc({ holdMs: 150 });
});
afterAll(async () => {
  await sandbox.close();
});

/**
 * The worker's own request timeout: the sandbox's faults drop or delay answers by 30 ms, so this only
 * decides whether a loaded machine's slow (but correct) answer is read as an answer or as yet another
 * unknown outcome.
 */
const WORKER_TIMEOUT_MS = '1000';
/** The run is bounded by worker lives, not by the clock (a loaded machine is slower, not wrong). */
const MAX_KILLS = 150;

type Fate = 'kept' | 'voided' | 'refunded' | 'refunded_twice';

describe('Metrc chaos', () => {
  test.each(CASES)('$state: sales, voids and refunds through random faults and worker kills, once each in Metrc', { timeout: 150_000 }, async (chaos) => {
    const db = openTestStore();
    const account = chaos.state === 'IL' ? IL : OK;
    try {
      const random = seededRandom(chaos.seed);
      sandbox.reset(unlimitedData());
      sandbox.setFaults({
        // A timeout after the commit on every kind of write, at least once, whatever the dice say.
        rules: [
          { route: 'POST /sales/v2/receipts', fault: 'timeout_after_commit', nth: 2, delayMs: 30 },
          { route: 'PUT /sales/v2/receipts', fault: 'timeout_after_commit', nth: 1, delayMs: 30 },
          { route: 'DELETE /sales/v2/receipts/{id}', fault: 'timeout_after_commit', nth: 1, delayMs: 30 },
        ],
        random: { seed: chaos.seed, rate: 0.2, delayMs: 30, kinds: ['offline', 'slow', 'timeout_before_commit', 'timeout_after_commit', 'http_5xx_html', 'empty_answer'] },
      });
      const sales: Array<{ saleId: string; outboxId: string; cents: number; fate: Fate; followed: number }> = [];
      let queued = 0;
      const produce = () => {
        for (let i = 0; i < 3 && queued < SALES; i++) {
          queued += 1;
          const cents = 2_000 + queued;
          const caregiverSale = queued % 2 === 0;
          const { outboxId } = queueMetrcSale(db.store, {
            state: chaos.state,
            cardId: caregiverSale ? chaos.caregiverPatient : chaos.patient,
            caregiverCardId: caregiverSale ? chaos.caregiver : null,
            lines: [{ barcode: chaos.label, quantity: 3, unitPriceCents: cents }],
          });
          const saleId = (db.store.sqlite.prepare('SELECT sale_id AS s FROM trace_outbox WHERE id = ?').get(outboxId) as { s: string }).s;
          const fates: Fate[] = ['voided', 'refunded', 'kept', 'refunded_twice'];
          sales.push({ saleId, outboxId, cents, fate: fates[queued % 4]!, followed: 0 });
        }
        // Voids and refunds come later than their sales, some before the sale reached Metrc.
        for (const sale of sales) {
          const wanted = sale.fate === 'voided' || sale.fate === 'refunded' ? 1 : sale.fate === 'refunded_twice' ? 2 : 0;
          if (sale.followed >= wanted || random() < 0.5) continue;
          sale.followed += 1;
          db.store.sqlite
            .transaction(() =>
              sale.fate === 'voided'
                ? enqueueVoid(db.store.sqlite, { saleId: sale.saleId })
                : enqueueRefund(db.store.sqlite, { saleId: sale.saleId, refundTime: Date.now(), lines: [{ barcode: chaos.label, quantity: 1, unitPriceCents: sale.cents }] }),
            )
            .immediate();
        }
      };
      const wanted = (sale: (typeof sales)[number]) => (sale.fate === 'kept' ? 0 : sale.fate === 'refunded_twice' ? 2 : 1);
      const producer = setInterval(produce, 100);
      let kills = 0;
      const started = Date.now();
      const unsettled = () => (db.store.sqlite.prepare(`SELECT COUNT(*) AS n FROM trace_outbox WHERE state <> 'acknowledged'`).get() as { n: number }).n;
      try {
        while (queued < SALES || sales.some((sale) => sale.followed < wanted(sale)) || kills < 5 || unsettled() > 12) {
          const { child, ready, exited } = startChild({
            TRACE_PROVIDER: 'metrc',
            TRACE_METRC_STATE: chaos.state,
            TRACE_DB: db.file,
            TRACE_URL: sandbox.url,
            TRACE_TIMEOUT_MS: WORKER_TIMEOUT_MS,
            TRACE_RUN_MS: '60000',
            TRACE_RECONCILE_MS: String(RECONCILE_DELAY_MS),
          });
          // A worker's life counts from its start-up, so a loaded machine does not kill it before it works.
          await ready;
          await new Promise((resolve) => setTimeout(resolve, 500 + Math.floor(random() * 1000)));
          child.kill('SIGKILL');
          await exited;
          kills += 1;
          if (process.env.TRACE_CHAOS_DEBUG) {
            console.log(`kill ${kills}: queued ${queued}, ${JSON.stringify(db.store.sqlite.prepare('SELECT kind, state, COUNT(*) n, MAX(attempts) a FROM trace_outbox GROUP BY 1, 2').all())}`);
          }
          if (kills >= MAX_KILLS) throw new Error(`the backlog did not drain in ${MAX_KILLS} worker lives (${unsettled()} unsettled)`);
        }
      } finally {
        clearInterval(producer);
      }
      // A last worker, not killed, finishes the backlog under the same faults.
      const engine = metrcEngine(db.store, sandbox, chaos.state, { reconcileDelayMs: RECONCILE_DELAY_MS });
      engine.recoverInFlight();
      await settle(engine, 60_000);
      const calls = sandbox.calls();

      const rows = outboxRows(db.store);
      expect(rows.filter((row) => row.state !== 'acknowledged')).toEqual([]);
      expect(rows.filter((row) => row.kind === 'dispense')).toHaveLength(SALES);
      const receipts = sandbox.state.receipts.filter((receipt) => receipt.facility === account.licenseNumber);
      // One for one: no duplicate external numbers, none missing, nothing else.
      expect(receipts).toHaveLength(SALES);
      expect(new Set(receipts.map((receipt) => receipt.ExternalReceiptNumber)).size).toBe(SALES);
      for (const sale of sales) {
        const row = rows.find((candidate) => candidate.id === sale.outboxId)!;
        const receipt = receipts.find((candidate) => candidate.ExternalReceiptNumber === sale.outboxId);
        expect(receipt, `Metrc receipt for ${sale.outboxId}`).toBeDefined();
        expect(row.remoteTxnId).toBe(String(receipt!.Id));
        expect(!!receipt!.ArchivedDate, `archived exactly when voided here (${sale.fate})`).toBe(sale.fate === 'voided');
        const left = sale.fate === 'voided' ? 3 : 3 - wanted(sale);
        expect(receipt!.Transactions).toEqual([{ PackageLabel: chaos.label, Quantity: left, UnitOfMeasure: 'Each', TotalAmount: (left * sale.cents) / 100 }]);
        const caregiverSale = receipt!.SalesCustomerType === 'Caregiver';
        expect(receipt!.PatientLicenseNumber).toBe(caregiverSale ? chaos.caregiverPatient : chaos.patient);
        expect(receipt!.CaregiverLicenseNumber).toBe(caregiverSale ? chaos.caregiver : null);
      }
      expect(receipts.filter((receipt) => receipt.SalesCustomerType === 'Caregiver')).toHaveLength(SALES / 2);
      // Every void and refund row is tied to its sale's Metrc receipt.
      for (const row of rows.filter((candidate) => candidate.kind !== 'dispense')) {
        expect(receipts.some((receipt) => String(receipt.Id) === row.remoteTxnId)).toBe(true);
      }
      // Stock follows: 3 units per sale taken, given back by voids and refunds.
      const sold = receipts.reduce((sum, receipt) => sum + (receipt.ArchivedDate ? 0 : receipt.Transactions[0]!.Quantity), 0);
      const start = unlimitedData().packages.find((pkg) => pkg.facility === account.licenseNumber && pkg.label === chaos.label)!.quantity;
      expect(sandbox.state.packageOf(account.licenseNumber, chaos.label)!.quantity).toBeCloseTo(start - sold, 6);
      const attempts = db.store.sqlite.prepare(`SELECT o.kind, a.outcome, COUNT(*) AS n FROM trace_attempts a JOIN trace_outbox o ON o.id = a.outbox_id GROUP BY 1, 2`).all();
      console.log(`Metrc chaos (${chaos.state}): ${kills} worker kills, ${Date.now() - started} ms, attempts ${JSON.stringify(attempts)}, calls ${JSON.stringify(calls)}`);
      expect(kills).toBeGreaterThanOrEqual(5);
      // The storm did hit writes after their commit: some outcomes had to be reconciled.
      expect((attempts as Array<{ outcome: string }>).some((attempt) => attempt.outcome === 'unknown')).toBe(true);
    } finally {
      db.cleanup();
    }
  });
});
