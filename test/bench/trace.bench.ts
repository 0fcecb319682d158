/**
 * Track-and-trace figures:
 *   sync.backlog_drain_ratio       drain a 2,000-sale backlog (an eight-hour outage) against the
 *                                  sandbox at 50 ms latency, divided by 2,000 × 50 ms. Sequential
 *                                  by design: one location's outbox goes in order, one at a time.
 *   sync.dispense_overhead_p95_ms  one dispense through the outbox and worker engine (mark in
 *                                  flight, send, commit the answer), minus the sandbox's latency.
 * Reference measured side by side: a bare HTTP POST of the same body to the same sandbox.
 */
import { performance } from 'node:perf_hooks';
import { postText } from '../../main/trace/biotrack/http.js';
import { dispenseBody } from '../../main/trace/biotrack/client.js';
import { engineFor, openTestStore, providerFor, queueSale, sandboxData, startSandbox } from '../support/trace.js';
import { percentile, type BenchLine, type BenchSuite } from './harness.js';

const BACKLOG = 2_000;
const LATENCY_MS = 50;

async function drainRatio(): Promise<BenchLine[]> {
  const sandbox = await startSandbox({ latencyMs: LATENCY_MS });
  const data = sandboxData();
  sandbox.state.reset({ ...data, patients: data.patients.map((patient) => ({ ...patient, limitGrams: 1e9 })) });
  const db = openTestStore();
  try {
    for (let i = 0; i < BACKLOG; i++) queueSale(db.store, { unitPriceCents: 1000 + i });
    const real = engineFor(db.store, sandbox, { provider: providerFor(sandbox, { timeoutMs: 10_000 }) });
    await real.probe(); // log in first, as a running worker would have
    const started = performance.now();
    const steps = await real.drain();
    const elapsed = performance.now() - started;
    if (steps !== BACKLOG) throw new Error(`drained ${steps} of ${BACKLOG}: ${JSON.stringify(db.store.sqlite.prepare("SELECT state, last_error, COUNT(*) n FROM trace_outbox GROUP BY 1, 2").all())}`);
    const ideal = BACKLOG * LATENCY_MS;
    return [
      {
        name: 'sync.backlog_drain_ratio',
        value: elapsed / ideal,
        target: '<= 1.2',
        note: `${BACKLOG} sales in ${(elapsed / 1000).toFixed(1)} s vs ${(ideal / 1000).toFixed(0)} s of sandbox latency`,
      },
    ];
  } finally {
    db.cleanup();
    await sandbox.close();
  }
}

async function dispenseOverhead(): Promise<BenchLine[]> {
  const sandbox = await startSandbox({ latencyMs: LATENCY_MS });
  const data = sandboxData();
  sandbox.state.reset({ ...data, patients: data.patients.map((patient) => ({ ...patient, limitGrams: 1e9 })) });
  const db = openTestStore();
  try {
    const engine = engineFor(db.store, sandbox, { provider: providerFor(sandbox, { timeoutMs: 10_000 }) });
    await engine.probe();
    const overhead: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < 200; i++) {
      queueSale(db.store, { unitPriceCents: 1000 + i });
      const t0 = performance.now();
      await engine.step();
      overhead.push(performance.now() - t0 - LATENCY_MS);
      // Reference: the same POST without the outbox (no session handling, no SQLite).
      const body = JSON.stringify({ API: '4.0', ...dispenseBody({ terminalId: '1', saleTime: Date.now(), cardId: 'MP7K2Q9X4D', lines: [{ barcode: '7194220405500100', quantity: 1, unitPriceCents: 1 }] }), nosession: 1, license_number: 'DEMO-600100200', username: 'demo.register', password: 'demo-sandbox-password', nonce: `ref-${i}` });
      const t1 = performance.now();
      await postText(sandbox.url, body, 5000);
      bare.push(performance.now() - t1 - LATENCY_MS);
    }
    return [
      {
        name: 'sync.dispense_overhead_p95_ms',
        value: percentile(overhead, 95),
        target: '< 10',
        note: `reference: bare POST to the sandbox minus latency p95 ${percentile(bare, 95).toFixed(2)} ms; p50 ${percentile(overhead, 50).toFixed(2)} ms`,
      },
    ];
  } finally {
    db.cleanup();
    await sandbox.close();
  }
}

export const suites: BenchSuite[] = [
  {
    prefix: 'sync',
    async run() {
      return [...(await drainRatio()), ...(await dispenseOverhead())];
    },
  },
];
