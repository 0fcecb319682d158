/**
 * The track-and-trace providers the register can report to: the one list Settings › Track & Trace
 * and first-run setup offer, and the factory that makes the one a configuration names.
 */
import { BioTrackV1Provider } from './biotrack/client.js';
import { MetrcV2Provider } from './metrc/client.js';
import type { EffectiveTraceConfig, TraceProviderId } from './config.js';
import type { TraceProvider } from './provider.js';
import type { Logger } from '../log/logger.js';

export interface ProviderChoice {
  id: TraceProviderId;
  /** What staff see (status bar, Sync screen). */
  name: string;
  /** The choice as Settings and setup list it. */
  label: string;
  /** The states whose system it is (rules' traceSystem.provider names it too). */
  states: string[];
}

export const PROVIDER_CHOICES: readonly ProviderChoice[] = [
  { id: 'biotrack_v1', name: 'BioTrack', label: 'BioTrack v1', states: [] },
  { id: 'metrc_v2', name: 'Metrc', label: 'Metrc', states: ['IL', 'OK', 'CA'] },
];

export function createProvider(config: EffectiveTraceConfig, options: { timeoutMs?: number; logger?: Logger } = {}): TraceProvider {
  switch (config.provider) {
    case 'biotrack_v1':
      return new BioTrackV1Provider({ ...config, timeoutMs: options.timeoutMs, logger: options.logger, noncePolicy: config.advanced?.noncePolicy, patientLink: config.advanced?.patientLink });
    case 'metrc_v2':
      return new MetrcV2Provider({
        baseUrl: config.endpoint,
        vendorKey: config.vendorKey,
        userKey: config.userKey,
        licenseNumber: config.licenseNumber,
        timeZone: config.timeZone,
        timeoutMs: options.timeoutMs,
        logger: options.logger,
      });
  }
}

export const PROVIDER_NAMES: Record<TraceProviderId, string> = Object.fromEntries(PROVIDER_CHOICES.map((choice) => [choice.id, choice.name])) as Record<TraceProviderId, string>;
