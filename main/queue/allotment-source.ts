/**
 * Where check-in gets a patient's remaining allotment: the state system, through the
 * track-and-trace provider interface (main/trace/provider.ts). Check-in must not wait long: a
 * lookup that does not answer within a few seconds is "Offline", whatever the provider's own
 * (much longer) timeout for sales.
 */
import type Database from 'better-sqlite3';
import type { SecretBox } from '../core/secret-box.js';
import { effectiveConfig, readTraceConfig, type DemoSandboxUrls } from '../trace/config.js';
import type { TraceProvider } from '../trace/provider.js';
import { createProvider } from '../trace/providers.js';

export type AllotmentLookup =
  /** `asOf`: the figure may be this old (Metrc's cache): sales made since count against it too. */
  | { kind: 'found'; cardId: string; statedAmount: string; statedUnit: string; expiresOn: string | null; asOf?: number }
  /** The state system does not know the card (or not with this caregiver's card). */
  | { kind: 'not_found'; message: string }
  /** The state system knows the card but refuses it (expired, inactive). */
  | { kind: 'refused'; message: string }
  /** No answer in time, the provider is down, or track-and-trace is not set up. */
  | { kind: 'offline'; message: string }
  /** The state system answered, but not in a form the register understands: never read as active. */
  | { kind: 'unreadable'; message: string; raw: Record<string, string> };

export const UNREADABLE_ANSWER = 'BioTrack answered, but not in a form the register understands.';

export interface AllotmentSource {
  lookup(query: { cardId: string; caregiverCardId: string | null }): Promise<AllotmentLookup>;
}

export const DEFAULT_LOOKUP_TIMEOUT_MS = 4_000;

/** An AllotmentSource over any TraceProvider, with check-in's short timeout. */
export function providerAllotmentSource(
  provider: () => TraceProvider | { problem: string },
  timeoutMs = DEFAULT_LOOKUP_TIMEOUT_MS,
): AllotmentSource {
  return {
    async lookup(query) {
      const current = provider();
      if ('problem' in current) return { kind: 'offline', message: current.problem };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      try {
        const result = await Promise.race([current.lookupPatient({ cardId: query.cardId, caregiverCardId: query.caregiverCardId }), timeout]);
        const name = current.displayName;
        if (result === 'timeout') return { kind: 'offline', message: `${name} did not answer within ${Math.round(timeoutMs / 1000)} seconds.` };
        if (!result.ok) {
          if (result.kind === 'rejected') return { kind: 'refused', message: result.message };
          return { kind: 'offline', message: result.kind === 'auth_failed' ? `${name} refused the register's login (${result.message}).` : result.message };
        }
        const value = result.value;
        if (value.status === 'unreadable') return { kind: 'unreadable', message: name === 'BioTrack' ? UNREADABLE_ANSWER : `${name} answered, but not in a form the register understands.`, raw: value.raw ?? {} };
        if (value.status === 'not_found') return { kind: 'not_found', message: `The patient licence number ${query.cardId} was not found in ${name}.` };
        if (value.status !== 'active') return { kind: 'refused', message: `${name} says the card ${value.cardId} is ${value.status}.` };
        if (!value.allotment) return { kind: 'refused', message: `${name} answered without a remaining allotment: check the card in ${name}.` };
        return { kind: 'found', cardId: value.cardId, statedAmount: value.allotment.amount, statedUnit: value.allotment.unit, expiresOn: value.expiresOn, ...(value.asOf !== undefined ? { asOf: value.asOf } : {}) };
      } catch (error) {
        return { kind: 'offline', message: error instanceof Error ? error.message : String(error) };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The provider the store's Track & Trace settings name (the same settings the sync worker uses).
 * `demoSandboxUrl` gives the embedded demo sandbox's address when the trace module runs it.
 */
export function settingsAllotmentSource(
  deps: { sqlite: () => Database.Database; secretBox: SecretBox; demoSandboxUrl: () => string | null | DemoSandboxUrls },
  timeoutMs = DEFAULT_LOOKUP_TIMEOUT_MS,
): AllotmentSource {
  let cached: { key: string; provider: TraceProvider } | null = null;
  return providerAllotmentSource(() => {
    const resolved = effectiveConfig(readTraceConfig(deps.sqlite()), deps.secretBox, deps.demoSandboxUrl());
    if (!resolved.ok) return { problem: resolved.reason };
    const key = JSON.stringify(resolved.config);
    if (cached?.key !== key) cached = { key, provider: createProvider(resolved.config, { timeoutMs }) };
    return cached.provider;
  }, timeoutMs);
}

/** The state's figure in milligrams, rounded down; null when the unit is not a weight we know. */
export function statedToMilligrams(amount: string, unit: string, gramsPerOunce: number): number | null {
  const value = Number(amount);
  if (!Number.isFinite(value) || value < 0) return null;
  const factor: Record<string, number> = { mg: 1, g: 1000, gram: 1000, grams: 1000, oz: gramsPerOunce * 1000, ounce: gramsPerOunce * 1000, ounces: gramsPerOunce * 1000 };
  const perUnit = factor[unit.trim().toLowerCase()];
  if (perUnit === undefined) return null;
  return Math.floor(value * perUnit + 1e-6);
}
