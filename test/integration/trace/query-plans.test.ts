/**
 * The sync worker's queries never scan the outbox or its attempts (hot or archived): every
 * statement the engine prepares while it sends, is refused, reconciles (found, absent, ambiguous),
 * waits on a void's dispense, archives and reports its status is recorded, and its plan
 * (EXPLAIN QUERY PLAN) may only SEARCH those tables by an index, never SCAN them. The same for a
 * store on Metrc: sales accepted, refused (400), lost answers found by their external number or
 * absent and sent again, a void (DELETE) and a refund (PUT) of an archived sale.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import Database from 'better-sqlite3';
import type { BioTrackSandbox } from '../../../main/trace/biotrack/sandbox/server.js';
import { enqueueRefund, enqueueVoid, syncCounts } from '../../../main/trace/outbox.js';
import type { MetrcSandbox } from '../../../main/trace/metrc/sandbox/server.js';
import { IL_BIG_FLOWER, IL_FLOWER, metrcEngine, queueMetrcSale, startMetrc } from '../../support/metrc.js';
import { EXPIRED_PATIENT, engineFor, openTestStore, queueSale, settle, startSandbox } from '../../support/trace.js';

const GROWING = ['trace_outbox', 'trace_attempts', 'trace_outbox_archive', 'trace_attempts_archive'];

let sandbox: BioTrackSandbox;
let metrc: MetrcSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
  metrc = await startMetrc();
});
afterAll(async () => {
  await sandbox.close();
  await metrc.close();
});

/** Record every SQL text prepared on this connection from now on. */
function recordStatements(sqlite: Database.Database): { statements: Set<string>; stop(): void } {
  const statements = new Set<string>();
  const original = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    statements.add(source);
    return original(source);
  }) as typeof sqlite.prepare;
  return { statements, stop: () => (sqlite.prepare = original) };
}

function scansOf(sqlite: Database.Database, source: string): string[] {
  const named = [...source.matchAll(/@(\w+)/g)].map((match) => match[1]!);
  const parameters = named.length > 0 ? [Object.fromEntries(named.map((name) => [name, null]))] : Array((source.match(/\?/g) ?? []).length).fill(null);
  const plan = sqlite.prepare(`EXPLAIN QUERY PLAN ${source}`).all(...parameters) as Array<{ detail: string }>;
  // A SCAN reads the whole table; a seek bounded only by the location (one per register) or an
  // open range of transaction ids reads the whole history just the same.
  return plan
    .map((row) => row.detail)
    .filter((detail) =>
      GROWING.some((table) => new RegExp(`^SCAN ${table}\\b`).test(detail) || new RegExp(`^SEARCH ${table} .*\\((location=\\?|remote_txn_id>\\?)\\)$`).test(detail)),
    );
}

test('every statement the sync worker runs searches the outbox and attempts by index', async () => {
  const db = openTestStore();
  try {
    const { store } = db;
    // History: sales reported long ago (to be archived), a void of one of them still to send.
    const engine = engineFor(store, sandbox, { archiveAfterMs: 0 });
    const first = queueSale(store);
    queueSale(store, { unitPriceCents: 4501 });
    await settle(engine);
    const saleId = (store.sqlite.prepare('SELECT sale_id AS s FROM trace_outbox WHERE id = ?').get(first.outboxId) as { s: string }).s;

    const recorder = recordStatements(store.sqlite);
    engine.archive();
    store.sqlite.transaction(() => enqueueVoid(store.sqlite, { saleId }))();
    // A refusal, an unknown found by content, an unknown absent then resent, two equal matches.
    sandbox.setFaults({ modes: { sessiontime: 'sale_time' } });
    engine.recoverInFlight();
    queueSale(store, { cardId: EXPIRED_PATIENT });
    await settle(engine);
    for (const fault of ['timeout_after_commit', 'timeout_before_commit'] as const) {
      sandbox.setFaults({ rules: [{ action: 'sale_dispense', fault, delayMs: 20 }] });
      queueSale(store, { unitPriceCents: fault === 'timeout_after_commit' ? 4502 : 4503 });
      await settle(engine);
    }
    const twin = Date.now();
    sandbox.setFaults({ rules: [{ action: 'sale_dispense', fault: 'timeout_after_commit', times: 2, delayMs: 20 }] });
    queueSale(store, { unitPriceCents: 4600, saleTime: twin });
    queueSale(store, { unitPriceCents: 4600, saleTime: twin });
    // Both are sent before either is reconciled: BioTrack then lists two equal sales for each.
    await settle(engineFor(store, sandbox, { reconcileDelayMs: 300, archiveAfterMs: 0 }));
    engine.status();
    syncCounts(store.sqlite);
    // Read by the test on its own connection, so only the engine's statements are recorded.
    const reader = new Database(db.file, { readonly: true });
    const states = (reader.prepare('SELECT state FROM trace_outbox').all() as Array<{ state: string }>).map((row) => row.state).sort();
    reader.close();
    engine.archive();
    recorder.stop();

    expect(states).toEqual(['acknowledged', 'acknowledged', 'acknowledged', 'needs_person', 'needs_person', 'rejected']);
    const steps = store.sqlite.prepare(`SELECT DISTINCT outcome FROM trace_attempts UNION SELECT DISTINCT outcome FROM trace_attempts_archive`).all().map((row) => (row as { outcome: string }).outcome).sort();
    expect(steps).toEqual(expect.arrayContaining(['absent', 'accepted', 'ambiguous', 'found', 'rejected', 'unknown']));
    expect(recorder.statements.size).toBeGreaterThan(15);
    const scanning = [...recorder.statements].map((source) => ({ source, scans: scansOf(store.sqlite, source) })).filter((entry) => entry.scans.length > 0);
    expect(scanning).toEqual([]);
  } finally {
    db.cleanup();
  }
});

test('every statement the sync worker runs for a store on Metrc searches the outbox and attempts by index', async () => {
  const db = openTestStore();
  try {
    const { store } = db;
    const engine = metrcEngine(store, metrc, 'IL', { archiveAfterMs: 0 });
    const first = queueMetrcSale(store, { lines: [{ barcode: IL_FLOWER, quantity: 2, unitPriceCents: 4500 }] });
    queueMetrcSale(store);
    await settle(engine);
    const saleIdOf = (outboxId: string) => (store.sqlite.prepare('SELECT sale_id AS s FROM trace_outbox WHERE id = ? UNION ALL SELECT sale_id FROM trace_outbox_archive WHERE id = ?').get(outboxId, outboxId) as { s: string }).s;
    const refunded = saleIdOf(first.outboxId);

    const recorder = recordStatements(store.sqlite);
    // The reported sales leave for the archive; a refund of one and a void of the other follow.
    engine.archive();
    store.sqlite.transaction(() => enqueueRefund(store.sqlite, { saleId: refunded, refundTime: Date.now(), lines: [{ barcode: IL_FLOWER, quantity: 1, unitPriceCents: 4500 }] }))();
    const voided = queueMetrcSale(store);
    await settle(engine);
    store.sqlite.transaction(() => enqueueVoid(store.sqlite, { saleId: saleIdOf(voided.outboxId) }))();
    // Over the allotment: Metrc refuses it (400), a person decides.
    queueMetrcSale(store, { lines: [{ barcode: IL_BIG_FLOWER, quantity: 3, unitPriceCents: 20000 }] });
    await settle(engine);
    // Lost answers: found by the external receipt number, or absent and sent again.
    for (const fault of ['timeout_after_commit', 'timeout_before_commit'] as const) {
      metrc.setFaults({ rules: [{ route: 'POST /sales/v2/receipts', fault, delayMs: 20 }] });
      queueMetrcSale(store, { lines: [{ barcode: IL_FLOWER, quantity: 1, unitPriceCents: fault === 'timeout_after_commit' ? 4502 : 4503 }] });
      await settle(engine);
      await new Promise((resolve) => setTimeout(resolve, 60));
      await settle(engine);
    }
    metrc.setFaults({});
    engine.status();
    syncCounts(store.sqlite);
    const reader = new Database(db.file, { readonly: true });
    const rows = reader.prepare('SELECT kind, state FROM trace_outbox UNION ALL SELECT kind, state FROM trace_outbox_archive').all() as Array<{ kind: string; state: string }>;
    reader.close();
    engine.archive();
    recorder.stop();

    expect(rows.map((row) => `${row.kind} ${row.state}`).sort()).toEqual([
      'dispense acknowledged', 'dispense acknowledged', 'dispense acknowledged', 'dispense acknowledged', 'dispense acknowledged', 'dispense rejected',
      'refund acknowledged', 'void acknowledged',
    ]);
    const steps = store.sqlite.prepare(`SELECT DISTINCT outcome FROM trace_attempts UNION SELECT DISTINCT outcome FROM trace_attempts_archive`).all().map((row) => (row as { outcome: string }).outcome);
    expect(steps).toEqual(expect.arrayContaining(['absent', 'accepted', 'found', 'rejected', 'unknown']));
    expect(recorder.statements.size).toBeGreaterThan(15);
    const scanning = [...recorder.statements].map((source) => ({ source, scans: scansOf(store.sqlite, source) })).filter((entry) => entry.scans.length > 0);
    expect(scanning).toEqual([]);
  } finally {
    db.cleanup();
  }
});
