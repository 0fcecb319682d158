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
import { createTillModule, type TillModule, type TillModuleOptions } from '../till/module.js';
import { createCatalogueModule } from '../catalogue/module.js';
import { createImportsModule } from '../imports/module.js';
import { createComplianceModule } from '../compliance/module.js';
import { createStoreSettingsModule } from '../setup/module.js';
import { createEmployeesModule } from '../staff/module.js';
import { createMailModule, type MailModule } from '../mail/module.js';
import type { MailSenderOptions } from '../mail/sender.js';
import { createTabletModule } from '../tablet/module.js';
import { createHubModule, type HubModule } from '../hub-sync/module.js';
import type { HubSyncOptions } from '../hub-sync/sync.js';
import type { QueueModule } from '../queue/module.js';
import { createAuditModule, type AuditArchiveJob, type AuditArchiveOptions } from '../audit/module.js';

/** Check-in looks allotments up through the demo sandbox the trace module runs. */
const traceModules = new WeakMap<CoreServices, TraceModule>();
/** Checkout hands each sale's cash and receipt to the till in its transaction. */
const tillModules = new WeakMap<CoreServices, TillModule>();
/** The till's print-queue timings (tests shorten them before a register starts). */
export const tillOptions: TillModuleOptions = {};
/** The email sender's backoff and timeouts (tests shorten them before a register starts). */
export const mailOptions: MailSenderOptions = {};
/** The signed agreement's copy is queued by the tablet and sent by the mail module. */
const mailModules = new WeakMap<CoreServices, MailModule>();
/** Changes pulled from the store hub refresh the queue screens. */
const queueModules = new WeakMap<CoreServices, QueueModule>();
/** The store hub's sync worker, per register (tests reach it to wait for sync). */
export const hubModules = new WeakMap<CoreServices, HubModule>();
/** The hub-sync worker's timings (tests shorten them before a register starts). */
export const hubSyncOptions: HubSyncOptions = {};
/** The audit archive job's timings (tests change them before a register starts). */
export const auditArchiveOptions: AuditArchiveOptions = {};
/** Each open store's audit archive job, by data folder (tests run the job through it). */
export const auditArchiveJobs = new Map<string, AuditArchiveJob>();

export const capabilityFactories: CapabilityFactory[] = [
  (services) => {
    const audit = createAuditModule(services, auditArchiveOptions);
    return {
      ...audit,
      onOpen() {
        audit.onOpen?.();
        auditArchiveJobs.set(services.dataDir, audit.archive);
      },
      onClose() {
        audit.onClose?.();
        if (auditArchiveJobs.get(services.dataDir) === audit.archive) auditArchiveJobs.delete(services.dataDir);
      },
    };
  },
  (services) => {
    const trace = createTraceModule(services);
    traceModules.set(services, trace);
    return trace;
  },
  (services) => createDevicesModule(services),
  (services) => createCustomersModule(services),
  (services) => {
    const queue = createQueueModule(services, { demoSandboxUrl: () => traceModules.get(services)?.demoUrls() ?? null });
    queueModules.set(services, queue);
    return queue;
  },
  (services) =>
    createCheckoutModule(services, {
      trace: () => traceModules.get(services) ?? null,
      till: () => tillModules.get(services)?.link ?? null,
      hub: () => hubModules.get(services)?.grants ?? null,
    }),
  (services) => createRewardsModule(services),
  (services) => {
    const till = createTillModule(services, tillOptions);
    tillModules.set(services, till);
    return till;
  },
  (services) => createCatalogueModule(services, { trace: () => traceModules.get(services) ?? null }),
  (services) => createImportsModule(services),
  (services) => createComplianceModule(services),
  (services) => createStoreSettingsModule(services),
  (services) => createEmployeesModule(services),
  (services) => {
    const mail = createMailModule(services, mailOptions);
    mailModules.set(services, mail);
    return mail;
  },
  (services) => createTabletModule(services, { listen: services.tabletListen, mail: () => mailModules.get(services) ?? null }),
  (services) => {
    const hub = createHubModule(services, {
      queueChanged: () => {
        const queue = queueModules.get(services);
        if (!queue) return;
        queue.service.bump();
        services.broadcast('queue.changed', queue.service.view());
      },
      options: hubSyncOptions,
    });
    hubModules.set(services, hub);
    return hub;
  },
];
