/**
 * Chaos: medical sales queued while the sandbox injects seeded random faults and the worker
 * process is SIGKILLed at seeded random moments, in every way the sandbox can disagree with the
 * client (sessiontime at receipt or the sale time, nonces burned / kept / ignored, nonce_replay in
 * either answer shape or refused, card_key required or not, odd card_lookup answers). Afterwards
 * BioTrack must hold exactly the register's sales, one for one: none lost, none doubled, each
 * matched to its own row, with the same content.
 *
 * One run is a 3-hour outage in the sessiontime = receipt mode: the sales are made over three
 * hours (back-dated sale times: a fake clock, not real hours) while BioTrack is unreachable, then
 * go through the storm; BioTrack stamps each at receipt, hours after its sale time, and the
 * register must still recognise its own sales by their content.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BioTrackSandbox } from '../../../main/trace/biotrack/sandbox/server.js';
import { seededRandom } from '../../../main/trace/sandbox-faults.js';
import type { SandboxModesInput } from '../../../main/trace/biotrack/sandbox/state.js';
import type { NoncePolicy, PatientLink } from '../../../main/trace/biotrack/client.js';
import { engineFor, openTestStore, outboxRows, providerFor, queueSale, sandboxData, sandboxDispenses, settle, startSandbox } from '../../support/trace.js';
import { startChild } from './support/child.js';

/**
 * The engine's precondition, as in production (120 s there): an unknown sale is reconciled only
 * once the server can no longer be working on it. The sandbox's slowest fault commits 30 ms after
 * the request even when the killed worker has gone; 400 ms covers that with room for a loaded machine.
 * With no delay at all a reconciliation can look before that late commit and send the sale again.
 */
const RECONCILE_DELAY_MS = 400;
const HOUR = 3600_000;
/**
 * The worker's own request timeout. The sandbox's faults drop or delay answers by 30 ms, so this
 * only decides how a loaded machine's slow (but correct) answer is read: as an answer, not as yet
 * another unknown that keeps the run from draining.
 */
const WORKER_TIMEOUT_MS = '1000';
/** The run is bounded by worker lives, not by the clock (a loaded machine is slower, not wrong). */
const MAX_KILLS = 150;

interface ChaosCase {
  name: string;
  seed: number;
  sales: number;
  modes: SandboxModesInput;
  client?: { noncePolicy?: NoncePolicy; patientLink?: PatientLink };
  /** Sales made over this long while BioTrack is unreachable (back-dated), then sent. */
  outageMs?: number;
  minKills: number;
}

const CASES: ChaosCase[] = [
  {
    name: 'the evidence default: sessiontime at receipt, nonces burned, nonce_replay refused, card_key required',
    seed: 20_260_101,
    sales: 80,
    modes: {},
    minKills: 4,
  },
  {
    name: '3-hour outage, sessiontime at receipt',
    seed: 20_260_303,
    sales: 80,
    modes: { sessiontime: 'receipt', nonces: 'burned', nonceReplay: 'refused', patientLink: 'card_key' },
    outageMs: 3 * HOUR,
    minKills: 4,
  },
  {
    name: 'sessiontime = sale_time, nonces ignored, nonce_replay under "response", card_id link',
    seed: 20_260_202,
    sales: 50,
    modes: { sessiontime: 'sale_time', nonces: 'off', nonceReplay: 'response', patientLink: 'card_id' },
    minKills: 4,
  },
  {
    name: 'nonces kept (and kept by the register), nonce_replay under "result", card_lookup without a status',
    seed: 20_260_404,
    sales: 50,
    modes: { nonces: 'kept', nonceReplay: 'result', patientLink: 'card_key', cardLookup: 'missing_status' },
    client: { noncePolicy: 'kept', patientLink: 'card_key' },
    minKills: 4,
  },
  {
    name: 'card_lookup with renamed fields, card_key required, nonces burned, register sends the key only',
    seed: 20_260_505,
    sales: 50,
    modes: { nonces: 'burned', patientLink: 'card_key', cardLookup: 'renamed' },
    client: { patientLink: 'card_key' },
    minKills: 3,
  },
  {
    name: 'the register keeps nonces but BioTrack burns them (a misconfiguration): still once each',
    seed: 20_260_606,
    sales: 40,
    modes: { nonces: 'burned', nonceReplay: 'refused' },
    client: { noncePolicy: 'kept' },
    minKills: 3,
  },
];

let sandbox: BioTrackSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ holdMs: 150 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('chaos in every sandbox mode', () => {
  test.each(CASES)('$name', { timeout: 600_000 }, async (chaos) => {
    const db = openTestStore();
    try {
      await runChaos(db, chaos);
    } finally {
      db.cleanup();
    }
  });
});

async function runChaos(db: ReturnType<typeof openTestStore>, chaos: ChaosCase): Promise<void> {
  const random = seededRandom(chaos.seed);
  // A patient who may buy without limit, so every sale is one the state accepts.
  const data = sandboxData();
  sandbox.reset();
  sandbox.state.reset({ ...data, patients: data.patients.map((patient) => ({ ...patient, limitGrams: 1e9 })) });
  sandbox.setFaults({
    modes: chaos.modes,
    random: {
      seed: chaos.seed,
      rate: 0.2,
      delayMs: 30,
      kinds: ['offline', 'slow', 'timeout_before_commit', 'timeout_after_commit', 'http_5xx', 'html_error', 'malformed_json', 'header_leak', 'session_expired', 'repeated_nonce'],
    },
  });
  const clientEnv = {
    TRACE_NONCE_POLICY: chaos.client?.noncePolicy ?? 'fresh',
    TRACE_PATIENT_LINK: chaos.client?.patientLink ?? 'both',
  };
  let queued = 0;
  const started = Date.now();
  const queueSome = (n: number) => {
    for (let i = 0; i < n && queued < chaos.sales; i++) {
      queued += 1;
      // Unique prices make every sale distinguishable, so the one-for-one check below is exact.
      const saleTime = chaos.outageMs ? started - chaos.outageMs + Math.floor((queued / chaos.sales) * chaos.outageMs) : Date.now();
      queueSale(db.store, { unitPriceCents: 1_000 + queued, quantity: 1 + (queued % 3), saleTime });
    }
  };
  if (chaos.outageMs) {
    // The outage: every sale is made while BioTrack cannot be reached, and a worker tries meanwhile.
    await sandbox.setOffline(true);
    queueSome(chaos.sales);
    const { child, ready, exited } = startChild({ TRACE_DB: db.file, TRACE_URL: sandbox.url, TRACE_TIMEOUT_MS: WORKER_TIMEOUT_MS, TRACE_RUN_MS: '60000', TRACE_RECONCILE_MS: String(RECONCILE_DELAY_MS), ...clientEnv });
    await ready;
    await new Promise((resolve) => setTimeout(resolve, 400));
    child.kill('SIGKILL');
    await exited;
    await sandbox.setOffline(false);
  }
  const producer = setInterval(() => queueSome(10), 100);
  let kills = 0;
  try {
    const backlog = () => (db.store.sqlite.prepare(`SELECT COUNT(*) AS n FROM trace_outbox WHERE state <> 'acknowledged'`).get() as { n: number }).n;
    // Kill the worker again and again while sales arrive and until most of them went through the storm.
    while (queued < chaos.sales || kills < chaos.minKills || backlog() > 10) {
      const { child, ready, exited } = startChild({
        TRACE_DB: db.file,
        TRACE_URL: sandbox.url,
        TRACE_TIMEOUT_MS: WORKER_TIMEOUT_MS,
        TRACE_RUN_MS: '60000',
        TRACE_RECONCILE_MS: String(RECONCILE_DELAY_MS),
        ...clientEnv,
      });
      const lifeMs = 300 + Math.floor(random() * 900);
      await ready;
      await new Promise((resolve) => setTimeout(resolve, lifeMs));
      child.kill('SIGKILL');
      await exited;
      kills += 1;
      if (process.env.TRACE_CHAOS_DEBUG) console.log(`kill ${kills} after ${lifeMs} ms: queued ${queued}, backlog ${backlog()}`);
      if (kills >= MAX_KILLS) throw new Error(`the backlog did not drain in ${MAX_KILLS} worker lives (backlog ${backlog()})`);
    }
  } finally {
    clearInterval(producer);
  }
  queueSome(chaos.sales);
  // A last worker, not killed, finishes the backlog under the same faults.
  const engine = engineFor(db.store, sandbox, {
    reconcileDelayMs: RECONCILE_DELAY_MS,
    noncePolicy: clientEnv.TRACE_NONCE_POLICY,
    provider: providerFor(sandbox, { noncePolicy: clientEnv.TRACE_NONCE_POLICY, patientLink: clientEnv.TRACE_PATIENT_LINK }),
  });
  engine.recoverInFlight();
  await settle(engine, 300_000);
  const faultyCalls = sandbox.calls();

  const rows = outboxRows(db.store);
  expect(rows).toHaveLength(chaos.sales);
  expect(rows.filter((row) => row.state !== 'acknowledged')).toEqual([]);
  // One for one: every BioTrack sale belongs to exactly one row, with that row's content.
  const sales = sandboxDispenses(sandbox);
  expect(sales).toHaveLength(chaos.sales);
  const byId = new Map(sales.map((sale) => [String(sale.transactionid), sale]));
  const prices = db.store.sqlite.prepare(`SELECT id, json_extract(request, '$.sale.lines[0].unitPriceCents') AS cents FROM trace_outbox`).all() as Array<{ id: string; cents: number }>;
  const priceOf = new Map(prices.map((row) => [row.id, row.cents]));
  expect(new Set(rows.map((row) => row.remoteTxnId)).size).toBe(chaos.sales);
  for (const row of rows) {
    const sale = byId.get(row.remoteTxnId!);
    expect(sale, `sale for row ${row.id}`).toBeDefined();
    expect(sale!.lines[0]!.priceCents).toBe(priceOf.get(row.id));
  }
  if (chaos.outageMs) {
    // BioTrack stamped the sales at receipt, long after they were made.
    const late = sales.filter((sale) => sale.sessiontime * 1000 - started > -60_000).length;
    expect(late).toBe(chaos.sales);
  }
  expect(kills).toBeGreaterThanOrEqual(chaos.minKills);
  const attempts = db.store.sqlite.prepare(`SELECT outcome, COUNT(*) AS n FROM trace_attempts GROUP BY outcome`).all();
  console.log(`chaos (${chaos.name}): ${kills} worker kills, ${Date.now() - started} ms, attempts by outcome ${JSON.stringify(attempts)}, calls ${JSON.stringify(faultyCalls)}`);
  expect(attempts.find((a) => (a as { outcome: string }).outcome === 'unknown')).toBeDefined();
}
