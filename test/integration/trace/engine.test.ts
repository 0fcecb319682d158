/** The sync engine on a real SQLite store against the sandbox: each fault ends in the right state. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { BioTrackSandbox, FaultKind } from '../../../main/trace/biotrack/sandbox/server.js';
import { enqueueRefund, enqueueVoid, syncCounts } from '../../../main/trace/outbox.js';
import type { Store } from '../../../main/store/db.js';
import { BIG_FLOWER, EXPIRED_PATIENT, FLOWER, engineFor, openTestStore, outboxRows, providerFor, queueSale, sandboxDispenses, settle, startSandbox } from '../../support/trace.js';

let sandbox: BioTrackSandbox;
let db: ReturnType<typeof openTestStore>;
let store: Store;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset();
  db = openTestStore();
  store = db.store;
});
afterEach(() => db.cleanup());

describe('each fault leads to the right state', () => {
  const cases: Array<[FaultKind, { state: string; sales: number; minAttempts?: number }]> = [
    ['offline', { state: 'acknowledged', sales: 1, minAttempts: 2 }],
    ['slow', { state: 'acknowledged', sales: 1 }],
    ['timeout_before_commit', { state: 'acknowledged', sales: 1, minAttempts: 2 }],
    ['timeout_after_commit', { state: 'acknowledged', sales: 1 }],
    ['http_5xx', { state: 'acknowledged', sales: 1, minAttempts: 2 }],
    ['html_error', { state: 'acknowledged', sales: 1, minAttempts: 2 }],
    ['malformed_json', { state: 'acknowledged', sales: 1 }],
    ['header_leak', { state: 'acknowledged', sales: 1 }],
    ['session_expired', { state: 'acknowledged', sales: 1 }],
    ['repeated_nonce', { state: 'acknowledged', sales: 1, minAttempts: 2 }],
    ['missing_privilege', { state: 'rejected', sales: 0 }],
    ['patient_not_found', { state: 'rejected', sales: 0 }],
    ['card_expired', { state: 'rejected', sales: 0 }],
    ['allotment_exceeded', { state: 'rejected', sales: 0 }],
    ['barcode_not_in_possession', { state: 'rejected', sales: 0 }],
  ];
  test.each(cases)('%s', async (fault, expected) => {
    const { nonce } = queueSale(store);
    sandbox.setFaults({ rules: [{ action: 'sale_dispense', fault, delayMs: fault === 'slow' ? 60 : undefined }] });
    const engine = engineFor(store, sandbox);
    await settle(engine);
    const [row] = outboxRows(store);
    expect(row!.state).toBe(expected.state);
    expect(row!.attempts).toBeGreaterThanOrEqual(expected.minAttempts ?? 1);
    // A fresh nonce for every request after the first (the session renewal's repeat included).
    const nonces = store.sqlite.prepare(`SELECT nonce FROM trace_attempts WHERE step = 'send'`).all() as Array<{ nonce: string }>;
    expect(nonces[0]!.nonce === nonce || fault === 'session_expired').toBe(true);
    expect(new Set(nonces.map((attempt) => attempt.nonce)).size).toBe(nonces.length);
    const sales = sandboxDispenses(sandbox);
    expect(sales).toHaveLength(expected.sales);
    if (expected.sales === 1) {
      expect(String(sales[0]!.transactionid)).toBe(row!.remoteTxnId);
      expect(sales[0]!.nonce).toBe(row!.nonce);
    }
  });

  test('a rejection is never retried by itself', async () => {
    queueSale(store, { cardId: EXPIRED_PATIENT });
    const engine = engineFor(store, sandbox);
    await settle(engine);
    const calls = sandbox.calls().sale_dispense;
    await settle(engine);
    await settle(engine);
    expect(sandbox.calls().sale_dispense).toBe(calls);
    expect(outboxRows(store)[0]).toMatchObject({ state: 'rejected', lastErrorCode: '605', attempts: 1 });
  });

  test('a refused connection leaves the sale pending, offline, and it goes when the state is back', async () => {
    queueSale(store);
    const statuses: Array<boolean | null> = [];
    const engine = engineFor(store, sandbox, { onStatus: (status) => statuses.push(status.online) });
    await sandbox.setOffline(true);
    await engine.step();
    expect(outboxRows(store)[0]).toMatchObject({ state: 'pending', attempts: 1 });
    expect(await engine.probe()).toBe(false);
    expect(engine.status()).toMatchObject({ online: false, backlog: 1 });
    await sandbox.setOffline(false);
    await settle(engine);
    expect(outboxRows(store)[0]!.state).toBe('acknowledged');
    expect(engine.status().online).toBe(true);
    expect(statuses).toContain(false);
    expect(sandboxDispenses(sandbox)).toHaveLength(1);
  });

  test('timeout after commit, with nonce_replay unavailable, is found by sync_sale: exactly one sale', async () => {
    queueSale(store);
    sandbox.setFaults({ rules: [{ action: 'sale_dispense', fault: 'timeout_after_commit' }, { action: 'nonce_replay', fault: 'missing_privilege', times: 0 }] });
    await settle(engineFor(store, sandbox));
    expect(outboxRows(store)[0]).toMatchObject({ state: 'acknowledged', attempts: 1 });
    expect(sandboxDispenses(sandbox)).toHaveLength(1);
    const how = store.sqlite.prepare(`SELECT step, outcome FROM trace_attempts ORDER BY at, id`).all();
    expect(how).toEqual([{ step: 'send', outcome: 'unknown' }, { step: 'find', outcome: 'found' }]);
  });

  test('nonces kept by the register but burned by BioTrack: after a refused repeat and an "absent" verdict, a fresh nonce gets the sale through once', async () => {
    const { nonce } = queueSale(store);
    sandbox.setFaults({ modes: { nonces: 'burned' }, rules: [{ action: 'sale_dispense', fault: 'timeout_before_commit', delayMs: 20 }] });
    const engine = engineFor(store, sandbox, { noncePolicy: 'kept', provider: providerFor(sandbox, { noncePolicy: 'kept' }) });
    await settle(engine);
    const [row] = outboxRows(store);
    expect(row).toMatchObject({ state: 'acknowledged' });
    expect(row!.nonce).not.toBe(nonce);
    expect(sandboxDispenses(sandbox)).toHaveLength(1);
    const sends = store.sqlite.prepare(`SELECT outcome, nonce FROM trace_attempts WHERE step = 'send' ORDER BY at, id`).all() as Array<{ outcome: string; nonce: string }>;
    // Lost, then the same nonce refused as used, then a fresh one accepted.
    expect(sends.map((send) => send.outcome)).toEqual(['unknown', 'unknown', 'accepted']);
    expect(sends.map((send) => send.nonce === nonce)).toEqual([true, true, false]);
  });

  test('one sale with an unknown outcome does not hold back the others; it is reconciled on its own', async () => {
    queueSale(store);
    for (let i = 1; i <= 5; i++) queueSale(store, { unitPriceCents: 4500 + i });
    sandbox.setFaults({ rules: [{ action: 'sale_dispense', fault: 'timeout_after_commit' }] });
    let shift = 0;
    const engine = engineFor(store, sandbox, { reconcileDelayMs: 60_000, clock: () => Date.now() + shift });
    const deadline = Date.now() + 5_000;
    while (outboxRows(store).filter((row) => row.state === 'acknowledged').length < 5 && Date.now() < deadline) {
      if ((await engine.step()) !== 'worked') await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // The later sales went while the first waits out its reconcile delay.
    expect(outboxRows(store).map((row) => row.state)).toEqual(['unknown', ...Array(5).fill('acknowledged')]);
    expect(sandboxDispenses(sandbox)).toHaveLength(6);
    shift += 60_000;
    await settle(engine);
    expect(outboxRows(store).map((row) => row.state)).toEqual(Array(6).fill('acknowledged'));
    expect(sandboxDispenses(sandbox)).toHaveLength(6); // found by its content, not sent again
    expect(new Set(outboxRows(store).map((row) => row.remoteTxnId)).size).toBe(6);
  });

  test('two equal sales, both answers lost: each waits for a person with both BioTrack sales shown, and neither is sent again', async () => {
    // Same card, register, item, quantity and price; BioTrack (default modes) stamps both at receipt, seconds apart.
    queueSale(store);
    queueSale(store);
    sandbox.setFaults({ rules: [{ action: 'sale_dispense', fault: 'timeout_after_commit', times: 2, delayMs: 20 }] });
    let shift = 0;
    const engine = engineFor(store, sandbox, { reconcileDelayMs: 60_000, clock: () => Date.now() + shift });
    const deadline = Date.now() + 5_000;
    while (outboxRows(store).some((row) => row.state !== 'unknown') && Date.now() < deadline) {
      if ((await engine.step()) !== 'worked') await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(outboxRows(store).map((row) => row.state)).toEqual(['unknown', 'unknown']);
    shift += 60_000;
    await settle(engine);
    await settle(engine);
    const rows = outboxRows(store);
    expect(rows.map((row) => row.state)).toEqual(['needs_person', 'needs_person']);
    expect(rows.map((row) => row.remoteTxnId)).toEqual([null, null]);
    expect(rows[0]!.lastError).toMatch(/2 sales that match this one equally: a manager must say which one it is/);
    const listedIds = sandboxDispenses(sandbox).map((sale) => String(sale.transactionid)).sort();
    expect(listedIds).toHaveLength(2);
    for (const row of rows) {
      const { candidates } = store.sqlite.prepare('SELECT candidates FROM trace_outbox WHERE id = ?').get(row.id) as { candidates: string };
      const shown = JSON.parse(candidates) as Array<{ remoteTxnId: string; lines: unknown[] }>;
      expect(shown.map((candidate) => candidate.remoteTxnId).sort()).toEqual(listedIds);
      expect(shown.every((candidate) => candidate.lines.length === 1)).toBe(true);
    }
    expect(sandbox.calls().sale_dispense).toBe(2);
    expect(sandboxDispenses(sandbox)).toHaveLength(2);
  });

  test('at start, a row left in flight becomes unknown and is reconciled before anything is sent', async () => {
    queueSale(store);
    store.sqlite.prepare(`UPDATE trace_outbox SET state = 'in_flight', attempts = 1, sent_at = ?`).run(Date.now());
    const engine = engineFor(store, sandbox);
    expect(engine.recoverInFlight()).toBe(1);
    expect(outboxRows(store)[0]!.state).toBe('unknown');
    await settle(engine);
    expect(outboxRows(store)[0]).toMatchObject({ state: 'acknowledged', attempts: 2 });
    expect(sandbox.calls().nonce_replay).toBe(1);
    expect(sandboxDispenses(sandbox)).toHaveLength(1);
  });
});

describe('voids and refunds', () => {
  test('wait for the dispense transaction id, then go in order', async () => {
    const saleId = store.sqlite.prepare('SELECT 1').get() && queueSale(store, { quantity: 2 });
    const { outboxId } = saleId as { outboxId: string };
    const dispenseSaleId = (store.sqlite.prepare('SELECT sale_id AS s FROM trace_outbox WHERE id = ?').get(outboxId) as { s: string }).s;
    store.sqlite.transaction(() => enqueueRefund(store.sqlite, { saleId: dispenseSaleId, refundTime: Date.now(), lines: [{ barcode: FLOWER, quantity: 1, unitPriceCents: 4500 }] }))();
    store.sqlite.transaction(() => enqueueVoid(store.sqlite, { saleId: dispenseSaleId }))();
    await sandbox.setOffline(true);
    const engine = engineFor(store, sandbox);
    await engine.step();
    // Offline: the dispense is pending, and its refund and void cannot go before it.
    expect(outboxRows(store).map((r) => r.state)).toEqual(['pending', 'pending', 'pending']);
    await sandbox.setOffline(false);
    await settle(engine);
    const rows = outboxRows(store);
    expect(rows.map((r) => [r.kind, r.state])).toEqual([
      ['dispense', 'acknowledged'],
      ['refund', 'acknowledged'],
      ['void', 'acknowledged'],
    ]);
    const sales = sandbox.state.sales;
    expect(sales.find((s) => s.kind === 'dispense')?.deleted).toBe(true);
    expect(sales.filter((s) => s.kind === 'refund')).toHaveLength(1);
  });

  test.each(['sale_void', 'sale_refund'] as const)('%s applied but its answer lost: found in BioTrack, not sent again', async (action) => {
    const { outboxId } = queueSale(store, { quantity: 2 });
    const engine = engineFor(store, sandbox);
    await settle(engine);
    const saleId = (store.sqlite.prepare('SELECT sale_id AS s FROM trace_outbox WHERE id = ?').get(outboxId) as { s: string }).s;
    store.sqlite
      .transaction(() =>
        action === 'sale_void'
          ? enqueueVoid(store.sqlite, { saleId })
          : enqueueRefund(store.sqlite, { saleId, refundTime: Date.now(), lines: [{ barcode: FLOWER, quantity: 1, unitPriceCents: 4500 }] }),
      )
      .immediate();
    sandbox.setFaults({ rules: [{ action, fault: 'timeout_after_commit', delayMs: 20 }] });
    await settle(engine);
    expect(outboxRows(store).map((row) => [row.kind, row.state])).toEqual([
      ['dispense', 'acknowledged'],
      [action === 'sale_void' ? 'void' : 'refund', 'acknowledged'],
    ]);
    expect(sandbox.calls()[action]).toBe(1);
    const how = store.sqlite.prepare(`SELECT step, outcome FROM trace_attempts WHERE outbox_id <> ? ORDER BY at, id`).all(outboxId);
    expect(how).toEqual([{ step: 'send', outcome: 'unknown' }, { step: 'find', outcome: 'found' }]);
    if (action === 'sale_refund') {
      const refunds = sandbox.state.sales.filter((sale) => sale.kind === 'refund');
      expect(refunds).toHaveLength(1);
      expect(outboxRows(store)[1]!.remoteTxnId).toBe(String(refunds[0]!.transactionid));
    } else expect(sandbox.state.sales[0]!.deleted).toBe(true);
  });

  test('a void whose dispense was rejected waits and does not block other sales', async () => {
    const { outboxId } = queueSale(store, { barcode: BIG_FLOWER, quantity: 5 });
    const saleId = (store.sqlite.prepare('SELECT sale_id AS s FROM trace_outbox WHERE id = ?').get(outboxId) as { s: string }).s;
    store.sqlite.transaction(() => enqueueVoid(store.sqlite, { saleId }))();
    queueSale(store);
    await settle(engineFor(store, sandbox));
    expect(outboxRows(store).map((r) => [r.kind, r.state])).toEqual([
      ['dispense', 'rejected'],
      ['void', 'pending'],
      ['dispense', 'acknowledged'],
    ]);
    expect(syncCounts(store.sqlite)).toMatchObject({ rejected: 1, pending: 1, acknowledged: 1 });
  });
});

describe('the archive', () => {
  test('settled rows leave the hot tables; counts, voids of archived sales and claims on their ids still hold', async () => {
    const first = queueSale(store);
    queueSale(store, { unitPriceCents: 4700 });
    const engine = engineFor(store, sandbox, { archiveAfterMs: 0 });
    await settle(engine);
    expect(engine.archive()).toBe(2);
    const count = (table: string) => (store.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count('trace_outbox'), count('trace_outbox_archive'), count('trace_attempts'), count('trace_attempts_archive')]).toEqual([0, 2, 0, 2]);
    expect(syncCounts(store.sqlite)).toMatchObject({ acknowledged: 2, pending: 0 });
    // A void of an archived sale finds its dispense and its BioTrack id there.
    const saleId = (store.sqlite.prepare('SELECT sale_id AS s FROM trace_outbox_archive WHERE id = ?').get(first.outboxId) as { s: string }).s;
    store.sqlite.transaction(() => enqueueVoid(store.sqlite, { saleId }))();
    // The same content as the archived second sale, its answer lost: the archived sale's id is claimed.
    sandbox.setFaults({ rules: [{ action: 'sale_dispense', fault: 'timeout_after_commit', delayMs: 20 }] });
    queueSale(store, { unitPriceCents: 4700 });
    await settle(engine);
    expect(outboxRows(store).map((row) => [row.kind, row.state])).toEqual([
      ['void', 'acknowledged'],
      ['dispense', 'acknowledged'],
    ]);
    const archived = store.sqlite.prepare(`SELECT remote_txn_id AS id FROM trace_outbox_archive WHERE json_extract(request, '$.sale.lines[0].unitPriceCents') = 4700`).get() as { id: string };
    expect(outboxRows(store)[1]!.remoteTxnId).not.toBe(archived.id);
    expect(sandboxDispenses(sandbox).filter((sale) => !sale.deleted)).toHaveLength(2);
    expect(syncCounts(store.sqlite)).toMatchObject({ acknowledged: 4 });
  });
});
