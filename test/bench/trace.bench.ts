/**
 * Track-and-trace figures:
 *   sync.backlog_drain_ratio       drain a 2,000-sale backlog (an eight-hour outage) against the
 *                                  sandbox at 50 ms latency, divided by 2,000 × 50 ms. Sequential
 *                                  by design: one location's outbox goes in order, one at a time.
 *   sync.dispense_overhead_p95_ms  one dispense through the outbox and worker engine (mark in
 *                                  flight, send, commit the answer), minus the sandbox's latency.
 *   sync.metrc_backlog_drain_ratio the same 2,000-sale backlog through the Metrc sandbox at 50 ms
 *                                  latency (its default rate limits on: 50 GETs/s per facility),
 *                                  divided by 2,000 × 50 ms.
 * Reference measured side by side: a bare HTTP POST of the same body to the same sandbox.
 *
 *   growth.sync_drain_ratio        time to drain a 2,000-sale backlog from a register with 500k
 *                                  acknowledged sales in its history ÷ from one with none, both
 *                                  against the sandbox on loopback at 0 ms latency, in the same
 *                                  run, each store in its own per-run folder. The history is
 *                                  written as the register writes it (outbox rows through the
 *                                  counters' triggers, one attempt each), then moved to the archive
 *                                  by the worker's own archiving, as months of idle moments would.
 */
import { performance } from 'node:perf_hooks';
import { postText } from '../../main/trace/biotrack/http.js';
import { dispenseBody } from '../../main/trace/biotrack/client.js';
import { engineFor, openTestStore, providerFor, queueSale, sandboxData, startSandbox } from '../support/trace.js';
import { archiveSettled } from '../../main/trace/outbox.js';
import { DEMO_TRACE_ACCOUNT } from '../../main/trace/config.js';
import type { Store } from '../../main/store/db.js';
import { percentile, type BenchLine, type BenchSuite } from './harness.js';
import { metrcEngine, queueMetrcSale, startMetrc, unlimitedData } from '../support/metrc.js';

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

async function metrcDrainRatio(): Promise<BenchLine[]> {
  const sandbox = await startMetrc({ latencyMs: LATENCY_MS });
  sandbox.reset(unlimitedData());
  const db = openTestStore();
  try {
    for (let i = 0; i < BACKLOG; i++) queueMetrcSale(db.store, { lines: [{ barcode: '7194220405500100', quantity: 1, unitPriceCents: 1000 + i }] });
    const engine = metrcEngine(db.store, sandbox, 'IL');
    await engine.probe(); // the keys checked first, as a running worker would have
    const started = performance.now();
    const steps = await engine.drain();
    const elapsed = performance.now() - started;
    const calls = sandbox.calls();
    if (steps !== BACKLOG) throw new Error(`drained ${steps} of ${BACKLOG}: ${JSON.stringify(db.store.sqlite.prepare('SELECT state, last_error, COUNT(*) n FROM trace_outbox GROUP BY 1, 2').all())}`);
    const receipts = sandbox.state.receipts.length;
    if (receipts !== BACKLOG) throw new Error(`Metrc holds ${receipts} receipts for ${BACKLOG} sales`);
    const ideal = BACKLOG * LATENCY_MS;
    const gets = Object.entries(calls).filter(([route]) => route.startsWith('GET')).reduce((sum, [, n]) => sum + n, 0);
    return [
      {
        name: 'sync.metrc_backlog_drain_ratio',
        value: elapsed / ideal,
        target: '<= 1.2',
        note: `${BACKLOG} sales in ${(elapsed / 1000).toFixed(1)} s vs ${(ideal / 1000).toFixed(0)} s of sandbox latency; ${calls['POST /sales/v2/receipts'] ?? 0} POSTs, ${gets} GETs under the 50/s limit, ${calls['429'] ?? 0} answered 429`,
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

const HISTORY = 500_000;

/** 500k acknowledged sales with one attempt each, as the sync worker leaves them, an hour or more ago. */
function writeHistory(store: Store, rows: number): void {
  const sqlite = store.sqlite;
  const old = Date.now() - 90 * 24 * 3600_000;
  const insertRow = sqlite.prepare(
    `INSERT INTO trace_outbox (id, location, kind, sale_id, customer_id, depends_on, request, nonce, state, attempts, next_attempt_at,
       remote_txn_id, sent_at, acknowledged_at, total_cents, item_count, sale_time, created_at, updated_at, watermark)
     VALUES (?, ?, 'dispense', ?, NULL, NULL, ?, ?, 'acknowledged', 1, ?, ?, ?, ?, ?, 1, ?, ?, ?, NULL)`,
  );
  const insertAttempt = sqlite.prepare(
    `INSERT INTO trace_attempts (id, outbox_id, at, step, outcome, detail, duration_ms, nonce) VALUES (?, ?, ?, 'send', 'accepted', ?, 40, ?)`,
  );
  const batch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const at = old + i * 10;
      const id = `01H${String(i).padStart(23, '0')}`;
      const request = JSON.stringify({ kind: 'dispense', sale: { terminalId: '1', saleTime: at, cardId: 'MP7K2Q9X4D', caregiverCardId: null, lines: [{ barcode: '7194220405500100', quantity: 1, unitPriceCents: 4500 }] } });
      insertRow.run(id, DEMO_TRACE_ACCOUNT.location, `HIST-${i}`, request, `N${id}`, at, String(i + 1), at, at, 4500, at, at, at);
      insertAttempt.run(`A${id}`, id, at, `transaction ${i + 1}`, `N${id}`);
    }
  });
  for (let from = 0; from < rows; from += 20_000) batch(from, Math.min(rows, from + 20_000));
  sqlite.prepare('INSERT INTO trace_sync_marks (location, remote_high) VALUES (?, ?) ON CONFLICT (location) DO UPDATE SET remote_high = excluded.remote_high').run(DEMO_TRACE_ACCOUNT.location, rows);
}

/** Time to drain `BACKLOG` queued sales through the real engine against a fresh sandbox at 0 ms. */
async function drainOnce(store: Store, round: number): Promise<number> {
  const sandbox = await startSandbox({ latencyMs: 0 });
  try {
    const data = sandboxData();
    sandbox.state.reset({ ...data, patients: data.patients.map((patient) => ({ ...patient, limitGrams: 1e9 })) });
    for (let i = 0; i < BACKLOG; i++) queueSale(store, { unitPriceCents: 1000 + round * BACKLOG + i });
    const engine = engineFor(store, sandbox, { provider: providerFor(sandbox, { timeoutMs: 10_000 }) });
    await engine.probe();
    const started = performance.now();
    let steps = 0;
    // As the worker's loop runs: a step, then the status the screens get after every send.
    for (;;) {
      const result = await engine.step();
      if (result !== 'worked') break;
      engine.status();
      steps += 1;
    }
    const elapsed = performance.now() - started;
    if (steps !== BACKLOG) throw new Error(`drained ${steps} of ${BACKLOG}`);
    return elapsed;
  } finally {
    await sandbox.close();
  }
}

async function growthDrain(): Promise<BenchLine[]> {
  const empty = openTestStore();
  const grown = openTestStore();
  try {
    const built = performance.now();
    writeHistory(grown.store, HISTORY);
    const writtenMs = performance.now() - built;
    const archiveStarted = performance.now();
    let moved = 0;
    for (;;) {
      const n = archiveSettled(grown.store.sqlite, { location: DEMO_TRACE_ACCOUNT.location, before: Date.now() - 3600_000, limit: 5_000 });
      moved += n;
      if (n === 0) break;
    }
    const archiveMs = performance.now() - archiveStarted;
    const hot = (grown.store.sqlite.prepare('SELECT COUNT(*) AS n FROM trace_outbox').get() as { n: number }).n;
    // The fixture is finished before anything is timed: its write-ahead log goes into the file
    // first (the register checkpoints as it goes; a fixture written in one burst has not yet).
    grown.store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    empty.store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    // Three rounds each, alternating, the best of each (the machine is shared).
    const withNone: number[] = [];
    const withHistory: number[] = [];
    for (let round = 0; round < 3; round++) {
      const fresh = round === 0 ? empty : openTestStore();
      try {
        withNone.push(await drainOnce(fresh.store, round));
      } finally {
        if (fresh !== empty) fresh.cleanup();
      }
      withHistory.push(await drainOnce(grown.store, round));
    }
    const none = Math.min(...withNone);
    const history = Math.min(...withHistory);
    return [
      {
        name: 'growth.sync_drain_ratio',
        value: history / none,
        target: '<= 1.2',
        note: `${BACKLOG} sales at 0 ms latency: ${(history / 1000).toFixed(2)} s with ${HISTORY.toLocaleString('en-US')} acknowledged sales in the history vs ${(none / 1000).toFixed(2)} s with none; history written in ${(writtenMs / 1000).toFixed(1)} s, ${moved.toLocaleString('en-US')} rows archived in ${(archiveMs / 1000).toFixed(1)} s, ${hot} rows left in the hot outbox before the drain`,
      },
    ];
  } finally {
    empty.cleanup();
    grown.cleanup();
  }
}

export const suites: BenchSuite[] = [
  {
    prefix: 'growth',
    run: growthDrain,
  },
  {
    prefix: 'sync',
    async run() {
      return [...(await drainRatio()), ...(await metrcDrainRatio()), ...(await dispenseOverhead())];
    },
  },
];
