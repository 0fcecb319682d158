/** Make the provider a configuration names. Metrc or BioTrack v3 would be added here. */
import { BioTrackV1Provider } from './biotrack/client.js';
import type { EffectiveTraceConfig } from './config.js';
import type { TraceProvider } from './provider.js';

export function createProvider(config: EffectiveTraceConfig, options: { timeoutMs?: number } = {}): TraceProvider {
  switch (config.provider) {
    case 'biotrack_v1':
      return new BioTrackV1Provider({ ...config, timeoutMs: options.timeoutMs, noncePolicy: config.advanced?.noncePolicy, patientLink: config.advanced?.patientLink });
  }
}

export const PROVIDER_NAMES: Record<EffectiveTraceConfig['provider'], string> = { biotrack_v1: 'BioTrack' };
