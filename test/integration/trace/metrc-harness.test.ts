/**
 * More of the Metrc provider and worker against the sandbox, driven through its HTTP harness
 * (/__faults, /__clock, /__state, /__reset) as the standalone `npm run sandbox:metrc` is: a key
 * without "Manage Sales" (403) halts the queue, an hours-long outage holds sales until it ends and
 * then posts each once, and a void waits for its sale's Metrc id before its DELETE.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import type { MetrcSandbox } from '../../../main/trace/metrc/sandbox/server.js';
import { enqueueVoid } from '../../../main/trace/outbox.js';
import { openTestStore, outboxRows, settle } from '../../support/trace.js';
import { metrcEngine, metrcProvider, queueMetrcSale, startMetrc } from '../../support/metrc.js';

let sandbox: MetrcSandbox;
beforeAll(async () => {
  sandbox = await startMetrc();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await harness('/__reset', {});
});

async function harness(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function harnessState(): Promise<{ receipts: Array<{ ExternalReceiptNumber: string; ArchivedDate: string | null }>; calls: Record<string, number>; outageUntil: number | null }> {
  return (await (await fetch(`${sandbox.url}/__state`)).json()) as never;
}

test('403 on a sale (the user key lacks Manage Sales): the queue halts with what to fix, nothing is posted', async () => {
  const db = openTestStore();
  try {
    const engine = metrcEngine(db.store, sandbox, 'IL', { provider: metrcProvider(sandbox, 'IL', { userKey: 'demo-user-key-viewer' }) });
    queueMetrcSale(db.store);
    queueMetrcSale(db.store);
    await engine.step();
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(await engine.step()).toBe('waiting');
    }
    expect(engine.status().problem).toMatch(/Metrc refused the credentials.*Manage Sales/);
    const state = await harnessState();
    expect(state.receipts).toHaveLength(0);
    expect(state.calls['POST /sales/v2/receipts'] ?? 0).toBeLessThanOrEqual(1);
    expect(outboxRows(db.store).map((row) => row.state)).not.toContain('acknowledged');
  } finally {
    db.cleanup();
  }
});

test('an hours-long outage (503 pages): sales wait, and post once each when Metrc is back', async () => {
  const db = openTestStore();
  try {
    const { now } = (await harness('/__clock', {})) as { now: number };
    await harness('/__faults', { outageUntil: now + 3 * 3600_000 });
    const queued = [queueMetrcSale(db.store), queueMetrcSale(db.store), queueMetrcSale(db.store)];
    const engine = metrcEngine(db.store, sandbox);
    for (let i = 0; i < 20; i++) {
      await engine.step();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await harnessState()).receipts).toHaveLength(0);
    expect(outboxRows(db.store).map((row) => row.state)).not.toContain('acknowledged');
    // Three hours later on Metrc's clock the outage is over.
    await harness('/__clock', { advanceMs: 3 * 3600_000 + 1000 });
    await settle(engine, 20_000);
    expect(outboxRows(db.store).map((row) => row.state)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
    const receipts = (await harnessState()).receipts;
    for (const { outboxId } of queued) expect(receipts.filter((r) => r.ExternalReceiptNumber === outboxId)).toHaveLength(1);
    expect(receipts).toHaveLength(3);
  } finally {
    db.cleanup();
  }
});

test("a void waits for its sale's Metrc id, then archives that receipt with one DELETE", async () => {
  const db = openTestStore();
  try {
    // The sale's first two posts never reach Metrc.
    await harness('/__faults', { rules: [{ route: 'POST /sales/v2/receipts', fault: 'offline', times: 2 }] });
    const { outboxId } = queueMetrcSale(db.store);
    const saleId = (db.store.sqlite.prepare('SELECT sale_id AS saleId FROM trace_outbox WHERE id = ?').get(outboxId) as { saleId: string }).saleId;
    db.store.sqlite.transaction(() => enqueueVoid(db.store.sqlite, { saleId })).immediate();
    const engine = metrcEngine(db.store, sandbox);
    // Until the sale has its Metrc id, the void is not tried at all.
    for (let i = 0; i < 50 && outboxRows(db.store)[0]!.state !== 'acknowledged'; i++) {
      expect(outboxRows(db.store)[1]).toMatchObject({ kind: 'void', state: 'pending', attempts: 0 });
      expect((await harnessState()).calls['DELETE /sales/v2/receipts/{id}'] ?? 0).toBe(0);
      if ((await engine.step()) === 'waiting') await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await harnessState()).calls['POST /sales/v2/receipts']).toBeGreaterThanOrEqual(1);
    await settle(engine);
    const rows = outboxRows(db.store);
    expect(rows.map((row) => [row.kind, row.state])).toEqual([
      ['dispense', 'acknowledged'],
      ['void', 'acknowledged'],
    ]);
    const state = await harnessState();
    expect(state.receipts).toHaveLength(1);
    expect(state.receipts[0]!.ArchivedDate).not.toBeNull();
    expect(state.calls['DELETE /sales/v2/receipts/{id}']).toBe(1);
    expect(rows[1]!.remoteTxnId).toBe(rows[0]!.remoteTxnId);
  } finally {
    db.cleanup();
  }
});
