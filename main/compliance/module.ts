/** Compliance settings in the core: handlers for preload/contract/compliance.ts. */
import type { CallName } from '../../preload/api.js';
import type { complianceCalls } from '../../preload/contract/compliance.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { CoreError } from '../core/errors.js';
import { readSetting } from '../core/settings.js';
import { loadJurisdictionRules, type JurisdictionRules } from './rules.js';
import { saveTraceDownPolicy, traceDownPolicyView } from './trace-down.js';

type ComplianceCallName = keyof typeof complianceCalls;

export function createComplianceModule(services: CoreServices): CapabilityModule {
  let cache: { code: string; rules: JurisdictionRules } | null = null;
  const rules = (): JurisdictionRules => {
    const code = readSetting(services.sqlite(), 'store.jurisdiction') ?? 'IL';
    if (cache?.code !== code) {
      try {
        cache = { code, rules: loadJurisdictionRules(services.resourcesDir, code) };
      } catch (error) {
        throw new CoreError('unavailable', error instanceof Error ? error.message : String(error));
      }
    }
    return cache.rules;
  };
  const handlers: HandlersFor<ComplianceCallName> = {
    'compliance.traceDown.get': { access: 'manage_settings', run: () => traceDownPolicyView(services.sqlite(), rules()) },
    'compliance.traceDown.save': {
      access: 'manage_settings',
      run: (ctx, request) => saveTraceDownPolicy(services.sqlite(), rules(), ctx.actor, request, services.clock()),
    },
  };
  return { handlers: handlers as unknown as HandlersFor<CallName> };
}
