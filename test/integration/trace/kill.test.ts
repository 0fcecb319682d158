/**
 * The sync worker killed with SIGKILL at each step of a send, in a child process with its own
 * connection. After a restart the sale must reach the sandbox exactly once.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { BioTrackSandbox } from '../../../main/trace/biotrack/sandbox/server.js';
import { engineFor, openTestStore, outboxRows, queueSale, sandboxDispenses, settle, startSandbox } from '../../support/trace.js';
import { startChild } from './support/child.js';

let sandbox: BioTrackSandbox;
let db: ReturnType<typeof openTestStore>;
beforeAll(async () => {
  sandbox = await startSandbox({ holdMs: 5_000 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset();
  db = openTestStore();
});
afterEach(() => db.cleanup());

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function restartAndSettle(): Promise<void> {
  sandbox.setFaults({ clear: true });
  const engine = engineFor(db.store, sandbox);
  engine.recoverInFlight();
  await settle(engine);
}

/** One sale in BioTrack, the row's: sent under the first nonce, or under the fresh one of its last attempt. */
function expectExactlyOnce(firstNonce: string): void {
  const [row] = outboxRows(db.store);
  const sales = sandboxDispenses(sandbox);
  expect(sales).toHaveLength(1);
  expect([firstNonce, row!.nonce]).toContain(sales[0]!.nonce);
  expect(row).toMatchObject({ state: 'acknowledged', remoteTxnId: String(sales[0]!.transactionid) });
}

describe('SIGKILL at each step of a send', () => {
  test.each(['in_flight_committed', 'response_received', 'result_committed'] as const)('killed at %s', async (step) => {
    const { nonce } = queueSale(db.store);
    const { exited } = startChild({ TRACE_DB: db.file, TRACE_URL: sandbox.url, TRACE_KILL_AT: step });
    expect((await exited).signal).toBe('SIGKILL');
    const before = outboxRows(db.store)[0]!;
    expect(before.state).toBe(step === 'result_committed' ? 'acknowledged' : 'in_flight');
    await restartAndSettle();
    expectExactlyOnce(nonce);
  });

  test('killed after the request left, before BioTrack committed it', async () => {
    const { nonce } = queueSale(db.store);
    sandbox.setFaults({ rules: [{ action: 'sale_dispense', fault: 'timeout_before_commit' }] });
    const { child, exited } = startChild({ TRACE_DB: db.file, TRACE_URL: sandbox.url, TRACE_TIMEOUT_MS: '20000' });
    await until(() => (sandbox.calls().sale_dispense ?? 0) === 1);
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    expect(sandboxDispenses(sandbox)).toHaveLength(0);
    await restartAndSettle();
    expectExactlyOnce(nonce);
    expect(outboxRows(db.store)[0]!.attempts).toBe(2);
  });

  test('killed after BioTrack committed it, before the answer arrived', async () => {
    const { nonce } = queueSale(db.store);
    sandbox.setFaults({ rules: [{ action: 'sale_dispense', fault: 'timeout_after_commit' }] });
    const { child, exited } = startChild({ TRACE_DB: db.file, TRACE_URL: sandbox.url, TRACE_TIMEOUT_MS: '20000' });
    await until(() => sandboxDispenses(sandbox).length === 1);
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    await restartAndSettle();
    expectExactlyOnce(nonce);
    expect(outboxRows(db.store)[0]!.attempts).toBe(1);
  });
});
