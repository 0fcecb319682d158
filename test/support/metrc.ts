/** Shared pieces for the Metrc tests: the sandbox, a provider, sales queued as checkout queues them. */
import { join } from 'node:path';
import type { Store } from '../../main/store/db.js';
import { MetrcV2Provider, type MetrcV2Config } from '../../main/trace/metrc/client.js';
import { loadMetrcSandboxData, startMetrcSandbox, type MetrcSandbox, type MetrcSandboxOptions } from '../../main/trace/metrc/sandbox/server.js';
import type { MetrcSandboxData } from '../../main/trace/metrc/sandbox/state.js';
import { DEMO_METRC_ACCOUNTS } from '../../main/trace/config.js';
import { enqueueDispense } from '../../main/trace/outbox.js';
import { SyncEngine, type SyncEngineOptions } from '../../main/trace/sync.js';
import { resourcesDir } from './paths.js';

export const IL = DEMO_METRC_ACCOUNTS.IL;
export const OK = DEMO_METRC_ACCOUNTS.OK;
/** Illinois: Rosa Delgado; Lily Chen and her caregiver Grace Chen; Walter Briggs (expired). */
export const IL_PATIENT = 'MP7K2Q9X4D';
export const IL_CAREGIVER = 'CG4M7P2W9Q';
export const IL_CAREGIVER_PATIENT = 'MP9R4C7V2L';
export const IL_EXPIRED = 'MP5T2J8K1Z';
export const IL_FLOWER = '7194220405500100'; // 3.5 g
export const IL_BIG_FLOWER = '7194220405500359'; // 28 g
export const IL_CONCENTRATE = '7194220405500544'; // 1 g
/** Oklahoma: June Whitaker; Della Harjo, caregiver of Nora Harjo. */
export const OK_PATIENT = 'PAAA-K7M2-Q9X4';
export const OK_CAREGIVER = 'CAAA-H3W1-N6T2';
export const OK_CAREGIVER_PATIENT = 'PAAA-M9P4-W2Q7';
export const OK_FLOWER = '1A40A0100001000000500100'; // 3.5 g

export function metrcData(): MetrcSandboxData {
  return loadMetrcSandboxData(join(resourcesDir, 'demo', 'metrc-sandbox.json'));
}

/** The demo data with allowances nobody reaches, so every sale of a chaos run is one Metrc accepts. */
export function unlimitedData(): MetrcSandboxData {
  const data = metrcData();
  return { ...data, patients: data.patients.map((p) => ({ ...p, allowances: [{ days: 14, Flower: 1e9, Thc: 1e9, Concentrate: 1e9, Infused: 1e9 }] })) };
}

export function startMetrc(options: Partial<MetrcSandboxOptions> = {}): Promise<MetrcSandbox> {
  return startMetrcSandbox({ data: metrcData(), holdMs: 400, ...options });
}

export function metrcProvider(sandbox: MetrcSandbox, state: 'IL' | 'OK' = 'IL', overrides: Partial<MetrcV2Config> = {}): MetrcV2Provider {
  const account = DEMO_METRC_ACCOUNTS[state];
  return new MetrcV2Provider({
    baseUrl: sandbox.url,
    vendorKey: account.vendorKey,
    userKey: account.userKey,
    licenseNumber: account.licenseNumber,
    timeZone: 'America/Chicago',
    timeoutMs: 250,
    ...overrides,
  });
}

export function metrcEngine(store: Store, sandbox: MetrcSandbox, state: 'IL' | 'OK' = 'IL', options: Partial<SyncEngineOptions> = {}): SyncEngine {
  return new SyncEngine({
    sqlite: store.sqlite,
    provider: metrcProvider(sandbox, state),
    location: DEMO_METRC_ACCOUNTS[state].licenseNumber,
    backoffBaseMs: 5,
    backoffMaxMs: 40,
    reconcileDelayMs: 0,
    random: () => 0.5,
    ...options,
  });
}

let counter = 0;
/** Queue one medical sale for a Metrc facility (as checkout would, inside its transaction). */
export function queueMetrcSale(
  store: Store,
  overrides: { state?: 'IL' | 'OK'; cardId?: string; caregiverCardId?: string | null; lines?: Array<{ barcode: string; quantity: number; unitPriceCents: number }>; saleTime?: number; timeZone?: string | null } = {},
) {
  counter += 1;
  const state = overrides.state ?? 'IL';
  return store.sqlite.transaction(() =>
    enqueueDispense(store.sqlite, {
      saleId: `MSALE-${counter}-${Math.random().toString(36).slice(2, 8)}`,
      location: DEMO_METRC_ACCOUNTS[state].licenseNumber,
      terminalId: '1',
      saleTime: overrides.saleTime ?? Date.now(),
      // As checkout passes it: the facility's time zone from Settings › Track & Trace.
      timeZone: overrides.timeZone === undefined ? 'America/Chicago' : overrides.timeZone,
      cardId: overrides.cardId ?? (state === 'IL' ? IL_PATIENT : OK_PATIENT),
      caregiverCardId: overrides.caregiverCardId ?? null,
      lines: overrides.lines ?? [{ barcode: state === 'IL' ? IL_FLOWER : OK_FLOWER, quantity: 1, unitPriceCents: 4500 }],
    }),
  ).immediate();
}

/** Metrc's live (not archived) receipts of a facility. */
export function liveReceipts(sandbox: MetrcSandbox, licenseNumber: string) {
  return sandbox.state.receipts.filter((r) => r.facility === licenseNumber && !r.ArchivedDate);
}
