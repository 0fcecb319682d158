/** Shared pieces for the track-and-trace tests: a migrated store, the sandbox, a provider, sales. */
import { join } from 'node:path';
import { openStore, type Store } from '../../main/store/db.js';
import { databaseFileIn } from '../../main/store/db.js';
import { BioTrackV1Provider } from '../../main/trace/biotrack/client.js';
import { loadSandboxData, startBioTrackSandbox, type BioTrackSandbox, type SandboxOptions } from '../../main/trace/biotrack/sandbox/server.js';
import type { SandboxData } from '../../main/trace/biotrack/sandbox/state.js';
import { DEMO_TRACE_ACCOUNT } from '../../main/trace/config.js';
import { enqueueDispense } from '../../main/trace/outbox.js';
import { SyncEngine, type SyncEngineOptions } from '../../main/trace/sync.js';
import { migrationsFolder, resourcesDir, tempDir } from './paths.js';

export const PATIENT = 'MP7K2Q9X4D'; // Rosa Delgado, active to 2029
export const EXPIRED_PATIENT = 'MP5T2J8K1Z'; // Walter Briggs, expired 2025
export const CAREGIVER_OF_LILY = 'CG4M7P2W9Q';
export const LILY = 'MP9R4C7V2L';
export const FLOWER = '7194220405500100'; // 3.5 g usable
export const BIG_FLOWER = '7194220405500359'; // 28 g usable

export function sandboxData(): SandboxData {
  return loadSandboxData(join(resourcesDir, 'demo', 'biotrack-sandbox.json'));
}

export function startSandbox(options: Partial<SandboxOptions> = {}): Promise<BioTrackSandbox> {
  return startBioTrackSandbox({ data: sandboxData(), holdMs: 400, ...options });
}

export function providerFor(sandbox: BioTrackSandbox, overrides: Partial<ConstructorParameters<typeof BioTrackV1Provider>[0]> = {}): BioTrackV1Provider {
  return new BioTrackV1Provider({
    endpoint: sandbox.url,
    licenseNumber: DEMO_TRACE_ACCOUNT.licenseNumber,
    username: DEMO_TRACE_ACCOUNT.username,
    password: DEMO_TRACE_ACCOUNT.password,
    location: DEMO_TRACE_ACCOUNT.location,
    training: false,
    nosession: false,
    timeoutMs: 250,
    ...overrides,
  });
}

export function openTestStore(): { store: Store; file: string; dir: string; cleanup(): void } {
  const temp = tempDir('trace-test-');
  const file = databaseFileIn(temp.dir);
  const store = openStore({ file, migrationsFolder });
  return { store, file, dir: temp.dir, cleanup: () => {
    store.close();
    temp.cleanup();
  } };
}

let saleCounter = 0;
/** Queue one medical sale (as checkout would, inside its transaction). */
export function queueSale(store: Store, overrides: { cardId?: string; barcode?: string; quantity?: number; unitPriceCents?: number; saleTime?: number } = {}) {
  saleCounter += 1;
  return store.sqlite.transaction(() =>
    enqueueDispense(store.sqlite, {
      saleId: `SALE-${saleCounter}-${Math.random().toString(36).slice(2, 8)}`,
      location: DEMO_TRACE_ACCOUNT.location,
      terminalId: '1',
      saleTime: overrides.saleTime ?? Date.now(),
      cardId: overrides.cardId ?? PATIENT,
      lines: [{ barcode: overrides.barcode ?? FLOWER, quantity: overrides.quantity ?? 1, unitPriceCents: overrides.unitPriceCents ?? 4500 }],
    }),
  ).immediate();
}

export function engineFor(store: Store, sandbox: BioTrackSandbox, options: Partial<SyncEngineOptions> = {}): SyncEngine {
  return new SyncEngine({
    sqlite: store.sqlite,
    provider: providerFor(sandbox),
    location: DEMO_TRACE_ACCOUNT.location,
    backoffBaseMs: 5,
    backoffMaxMs: 40,
    reconcileDelayMs: 0,
    random: () => 0.5,
    ...options,
  });
}

/** Run the engine until nothing is left to do now (waiting out short backoffs). */
export async function settle(engine: SyncEngine, maxMs = 10_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const result = await engine.step();
    if (result === 'idle') return;
    if (result === 'waiting') await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the outbox did not settle in time');
}

export function outboxRows(store: Store): Array<{ id: string; state: string; attempts: number; remoteTxnId: string | null; nonce: string; lastErrorCode: string | null; lastError: string | null; kind: string }> {
  return store.sqlite
    .prepare('SELECT id, state, attempts, remote_txn_id AS remoteTxnId, nonce, last_error_code AS lastErrorCode, last_error AS lastError, kind FROM trace_outbox ORDER BY id')
    .all() as never;
}

/** Live (not voided), non-training dispenses in the sandbox. */
export function sandboxDispenses(sandbox: BioTrackSandbox) {
  return sandbox.state.sales.filter((sale) => sale.kind === 'dispense' && !sale.training);
}
