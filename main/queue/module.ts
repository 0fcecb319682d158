/** Check-in and the queue in the core: handlers for preload/contract/queue.ts and the live event. */
import type { CallName } from '../../preload/api.js';
import type { queueCalls } from '../../preload/contract/queue.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { settingsAllotmentSource, DEFAULT_LOOKUP_TIMEOUT_MS, type AllotmentSource } from './allotment-source.js';
import { QueueService } from './service.js';
import type { DemoSandboxUrls } from '../trace/config.js';

type QueueCallName = keyof typeof queueCalls;

export interface QueueModuleOptions {
  /** Where allotments come from; default: the provider named in Settings › Track & Trace. */
  allotments?: AllotmentSource;
  /** The embedded demo sandbox's address, when the trace module runs it. */
  demoSandboxUrl?: () => string | null | DemoSandboxUrls;
  /** Check-in waits this long for the state system before showing "Offline". */
  lookupTimeoutMs?: number;
}

export type QueueModule = CapabilityModule & { service: QueueService };

export function createQueueModule(services: CoreServices, options: QueueModuleOptions = {}): QueueModule {
  const allotments =
    options.allotments ??
    settingsAllotmentSource(
      { sqlite: () => services.sqlite(), secretBox: services.secretBox, demoSandboxUrl: options.demoSandboxUrl ?? (() => null) },
      options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS,
    );
  const service = new QueueService({ sqlite: () => services.sqlite(), clock: () => services.clock(), resourcesDir: services.resourcesDir, allotments });

  /** Every change reaches every open screen at once, with the whole queue. */
  const changed = () => {
    service.bump();
    const view = service.view();
    services.broadcast('queue.changed', view);
    return view;
  };

  const handlers: HandlersFor<QueueCallName> = {
    'queue.list': { access: 'logged_in', run: () => service.view() },
    'queue.findCustomers': { access: 'logged_in', run: (_ctx, request) => service.findCustomers(request.query, request.limit) },
    'queue.checkIn.prepare': { access: 'sell', run: (_ctx, request) => service.prepare(request.customerId, request.as, request.patientId, request.patientKind) },
    'queue.checkIn': {
      access: 'sell',
      run(ctx, request) {
        const entry = service.checkIn(ctx.actor, request);
        changed();
        return entry;
      },
    },
    'queue.reorder': {
      access: 'sell',
      run(ctx, request) {
        service.reorder(ctx.actor, request.commandId, request.order);
        return changed();
      },
    },
    'queue.remove': {
      access: 'sell',
      run(ctx, request) {
        service.remove(ctx.actor, request.commandId, request.entryId);
        return changed();
      },
    },
    'queue.clear': {
      access: 'sell',
      run(ctx, request) {
        service.clear(ctx.actor, request.commandId);
        return changed();
      },
    },
    // A store-floor choice for managers (the "Settings for managers"), not a system setting.
    'queue.settings.save': {
      access: 'manager_override',
      run(ctx, request) {
        service.saveSettings(ctx.actor, request.commandId, request.showClearButton);
        return changed();
      },
    },
  };

  // The core merges every capability's handlers into one table keyed by call name.
  return { handlers: handlers as unknown as HandlersFor<CallName>, service };
}
