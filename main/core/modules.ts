/**
 * The capabilities plugged into the core, beyond the foundation's own calls. Each adds its
 * contract in preload/contract/<capability>.ts and its factory here.
 */
import type { CapabilityFactory, CoreServices } from './handler.js';
import { createTraceModule, type TraceModule } from '../trace/module.js';
import { createDevicesModule } from '../devices/module.js';
import { createCustomersModule } from '../customers/module.js';
import { createQueueModule } from '../queue/module.js';
import { createCheckoutModule } from '../checkout/module.js';
import { createRewardsModule } from '../rewards/module.js';

/** Check-in looks allotments up through the demo sandbox the trace module runs. */
const traceModules = new WeakMap<CoreServices, TraceModule>();

export const capabilityFactories: CapabilityFactory[] = [
  (services) => {
    const trace = createTraceModule(services);
    traceModules.set(services, trace);
    return trace;
  },
  (services) => createDevicesModule(services),
  (services) => createCustomersModule(services),
  (services) => createQueueModule(services, { demoSandboxUrl: () => traceModules.get(services)?.sandbox()?.url ?? null }),
  (services) => createCheckoutModule(services, { trace: () => traceModules.get(services) ?? null }),
  (services) => createRewardsModule(services),
];
