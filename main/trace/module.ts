/**
 * The track-and-trace capability in the core: Settings › Track & Trace, the Sync screen's calls,
 * patient lookup, the sync worker's life, and, in the demo stores, the embedded BioTrack and Metrc sandboxes.
 */
import { join } from 'node:path';
import type { CallName } from '../../preload/api.js';
import type { CallContext, CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { appendAudit } from '../audit/log.js';
import { isDemoSeeded } from '../demo/seed.js';
import { newId } from '../store/ids.js';
import type { traceCalls } from '../../preload/contract/trace.js';
import type { SyncStatus, TraceSettingsView } from '../../preload/contract/trace.js';
import { loadSandboxData, startBioTrackSandbox, type BioTrackSandbox } from './biotrack/sandbox/server.js';
import { loadMetrcSandboxData, startMetrcSandbox, type MetrcSandbox } from './metrc/sandbox/server.js';
import { EMPTY_TRACE_CONFIG, storedFromRequest } from './settings.js';
import {
  DEFAULT_TRACE_ADVANCED,
  demoMetrcConfig,
  demoTraceConfig,
  type DemoSandboxUrls,
  effectiveConfig,
  readTraceConfig,
  writeTraceConfig,
  type EffectiveTraceConfig,
  type StoredTraceConfig,
} from './config.js';
import { backlogOf, enqueueDispense, syncCounts } from './outbox.js';
import { createProvider, PROVIDER_CHOICES, PROVIDER_NAMES } from './providers.js';
import type { ProviderResult, TracePackage, TraceProvider } from './provider.js';
import type { EngineStatus } from './sync.js';
import { startSyncWorker, type SyncWorkerHandle } from './worker-host.js';
import { syncCallHandlers } from './sync-calls.js';

/** The longest the demo store waits before asking its sandbox about an unknown outcome. */
const DEMO_RECONCILE_DELAY_MS = 15_000;

type TraceCallName = keyof typeof traceCalls;

export interface TraceModuleOptions {
  /** Worker tuning (tests use short timeouts). */
  timeoutMs?: number;
  reconcileDelayMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  probeIntervalMs?: number;
  idlePollMs?: number;
  /** Run the embedded sandbox for the demo store (default true). */
  demoSandbox?: boolean;
}

export interface TraceModule extends CapabilityModule {
  /** Tell the worker there is something new in the outbox (checkout calls it after commit). */
  wake(): void;
  /** The embedded demo sandbox, when it runs. */
  sandbox(): BioTrackSandbox | null;
  /** The embedded Metrc sandbox of the demo stores, when it runs. */
  metrcSandbox(): MetrcSandbox | null;
  /** The embedded sandboxes' addresses by provider (for the other modules' patient lookups). */
  demoUrls(): DemoSandboxUrls;
  /** The store's packages at the state (receiving), from the provider Settings name. */
  listPackages(): Promise<{ provider: string; result: ProviderResult<TracePackage[]> }>;
}

export function createTraceModule(services: CoreServices, options: TraceModuleOptions = {}): TraceModule {
  let sandbox = null as BioTrackSandbox | null;
  let metrcSandbox = null as MetrcSandbox | null;
  const demoUrls = (): DemoSandboxUrls => ({ biotrack_v1: sandbox ? sandbox.url : null, metrc_v2: metrcSandbox ? metrcSandbox.url : null });
  const storeTimeZone = () => {
    const row = sqlite().prepare(`SELECT value FROM settings WHERE key = 'store.timeZone'`).get() as { value: string } | undefined;
    try {
      return row ? String(JSON.parse(row.value)) : 'America/Chicago';
    } catch {
      return 'America/Chicago';
    }
  };
  let worker: SyncWorkerHandle | null = null;
  let isDemo = false;
  let engineStatus: EngineStatus | null = null;
  let configProblem: string | null = null;
  let lookupProvider: { key: string; provider: TraceProvider } | null = null;
  let statusTimer: NodeJS.Timeout | null = null;

  const sqlite = () => services.sqlite();
  const log = services.logger;

  function stored(): StoredTraceConfig | null {
    return readTraceConfig(sqlite());
  }

  function resolveConfig(config: StoredTraceConfig | null) {
    return effectiveConfig(config, services.secretBox, demoUrls());
  }

  function syncStatus(): SyncStatus {
    const config = stored();
    const counts = syncCounts(sqlite());
    const configured = !!config && config.provider !== 'none';
    return {
      provider: config && config.provider !== 'none' ? PROVIDER_NAMES[config.provider] : 'BioTrack',
      configured,
      demo: !!(config?.provider === 'metrc_v2' ? metrcSandbox : sandbox) && !!config?.useDemoSandbox,
      online: configured && worker ? (engineStatus?.online ?? null) : null,
      lastContactAt: engineStatus?.lastContactAt ?? null,
      problem: configured ? (configProblem ?? engineStatus?.problem ?? null) : null,
      counts: {
        pending: counts.pending,
        inFlight: counts.inFlight,
        unknown: counts.unknown,
        rejected: counts.rejected,
        needsPerson: counts.needsPerson,
        acknowledged: counts.acknowledged,
        dismissed: counts.dismissed,
      },
      backlog: backlogOf(counts),
      oldestPendingAt: counts.oldestPendingAt,
    };
  }

  /** Push the status to the status bar and the Sync screen (at most a few times a second). */
  function publish(): void {
    if (statusTimer) return;
    statusTimer = setTimeout(() => {
      statusTimer = null;
      let status: SyncStatus;
      try {
        status = syncStatus();
      } catch {
        return; // the database closed meanwhile
      }
      services.setTraceStatus({
        provider: status.provider,
        state: !status.configured ? 'not_configured' : status.online === true ? 'online' : status.online === false ? 'offline' : 'unknown',
        backlog: status.backlog,
        lastContactAt: status.lastContactAt,
      });
      services.broadcast('trace.syncChanged', status);
    }, 50);
    statusTimer.unref?.();
  }

  async function stopWorker(): Promise<void> {
    const running = worker;
    worker = null;
    if (running) await running.stop();
  }

  async function startWorker(): Promise<void> {
    await stopWorker();
    engineStatus = null;
    const resolved = resolveConfig(stored());
    if (!resolved.ok) {
      configProblem = stored() ? resolved.reason : null;
      publish();
      return;
    }
    configProblem = null;
    const demoTuning = (sandbox || metrcSandbox) && stored()?.useDemoSandbox;
    // The store's setting (Settings › Track & Trace › Advanced); the demo sandbox answers fast, so
    // the demo store waits at most DEMO_RECONCILE_DELAY_MS (a shorter setting is kept).
    const storeDelayMs = (resolved.config.advanced ?? DEFAULT_TRACE_ADVANCED).reconcileDelaySeconds * 1000;
    worker = startSyncWorker(
      {
        databaseFile: services.databaseFile,
        config: resolved.config,
        timeoutMs: options.timeoutMs ?? (demoTuning ? 10_000 : 60_000),
        reconcileDelayMs: options.reconcileDelayMs ?? (demoTuning ? Math.min(storeDelayMs, DEMO_RECONCILE_DELAY_MS) : storeDelayMs),
        backoffBaseMs: options.backoffBaseMs,
        backoffMaxMs: options.backoffMaxMs,
        probeIntervalMs: options.probeIntervalMs,
        idlePollMs: options.idlePollMs,
      },
      {
        onStatus(status) {
          engineStatus = status;
          publish();
        },
        onExit(problem) {
          if (problem) {
            log.log('error', 'track-and-trace sync worker stopped', { problem });
            configProblem = `The sync worker stopped (${problem}): restart the register.`;
            publish();
          }
        },
      },
    );
    publish();
  }

  function settingsView(config: StoredTraceConfig | null, ctx?: CallContext): TraceSettingsView {
    const value: StoredTraceConfig = config ?? EMPTY_TRACE_CONFIG;
    return {
      provider: value.provider,
      useDemoSandbox: value.useDemoSandbox && !!(value.provider === 'metrc_v2' ? metrcSandbox : sandbox),
      demoSandboxUrl: sandbox ? sandbox.url : null,
      endpoint: value.endpoint,
      licenseNumber: value.licenseNumber,
      username: value.username,
      hasPassword: !!value.passwordSealed,
      location: value.location,
      terminalId: value.terminalId,
      training: value.training,
      nosession: value.nosession,
      secretStorage: services.secretBox.kind,
      advanced: value.advanced,
      canEditAdvanced: ctx?.actor.role === 'admin',
      choices: PROVIDER_CHOICES.map((choice) => ({ id: choice.id, label: choice.label })),
      hasVendorKey: !!value.vendorKeySealed,
      hasUserKey: !!value.userKeySealed,
      demoMetrcSandboxUrl: metrcSandbox ? metrcSandbox.url : null,
    };
  }

  function providerFor(config: EffectiveTraceConfig, timeoutMs: number): TraceProvider {
    const key = JSON.stringify(config);
    if (lookupProvider?.key !== key) lookupProvider = { key, provider: createProvider(config, { timeoutMs, logger: log }) };
    return lookupProvider.provider;
  }

  const handlers: HandlersFor<TraceCallName> = {
    'trace.settings.get': { access: 'manage_settings', run: (ctx) => settingsView(stored(), ctx) },
    'trace.settings.advanced.save': {
      access: 'manage_settings',
      async run(ctx, request) {
        if (ctx.actor.role !== 'admin') throw new CoreError('forbidden', 'Only an admin may change the advanced Track & Trace settings.');
        const previous = stored();
        if (!previous) throw new CoreError('conflict', 'Save the Track & Trace settings first, then the advanced ones.');
        const next: StoredTraceConfig = {
          ...previous,
          advanced: { noncePolicy: request.noncePolicy, patientLink: request.patientLink, reconcileDelaySeconds: request.reconcileDelaySeconds },
        };
        const { result } = applyCommand(
          sqlite(),
          { commandId: request.commandId, name: 'trace.settings.advanced.save', actorId: ctx.actor.id },
          () => {
            writeTraceConfig(sqlite(), next, services.clock());
            return { result: settingsView(next, ctx), audit: { details: { before: previous.advanced, after: next.advanced } } };
          },
          services.clock(),
        );
        lookupProvider = null;
        await startWorker();
        return result;
      },
    },
    'trace.settings.save': {
      access: 'manage_settings',
      async run(ctx, request) {
        const previous = stored();
        const demoAvailable = !!(request.provider === 'metrc_v2' ? metrcSandbox : sandbox);
        const next = storedFromRequest(request, previous, { secretBox: services.secretBox, storeTimeZone: storeTimeZone(), demoAvailable }, true);
        const { result } = applyCommand(
          sqlite(),
          { commandId: request.commandId, name: 'trace.settings.save', actorId: ctx.actor.id },
          () => {
            writeTraceConfig(sqlite(), next, services.clock());
            // Never a secret: only whether it changed.
            const { passwordSealed: _sealed, vendorKeySealed: _vendor, userKeySealed: _user, ...visible } = next;
            return {
              result: settingsView(next, ctx),
              audit: { details: { ...visible, passwordChanged: !!request.password, vendorKeyChanged: !!request.vendorKey, userKeyChanged: !!request.userKey } },
            };
          },
          services.clock(),
        );
        lookupProvider = null;
        await startWorker();
        return result;
      },
    },
    'trace.testConnection': {
      access: 'manage_settings',
      async run(_ctx, request) {
        const previous = stored();
        const draft = storedFromRequest(request, previous, { secretBox: services.secretBox, storeTimeZone: storeTimeZone(), demoAvailable: true }, false);
        if (draft.provider === 'none') return { ok: false, message: 'Choose a provider first.', latencyMs: null };
        const resolved = resolveConfig(draft);
        if (!resolved.ok) return { ok: false, message: resolved.reason, latencyMs: null };
        const provider = createProvider(resolved.config, { timeoutMs: 15_000, logger: log });
        const login = resolved.config.provider === 'biotrack_v1' && resolved.config.nosession ? null : await provider.login();
        if (login && !login.ok) return { ok: false, message: login.message, latencyMs: null };
        const ping = await provider.ping();
        return { ok: ping.ok, message: ping.ok ? `Connected to ${PROVIDER_NAMES[resolved.config.provider]}: ${ping.message}` : ping.message, latencyMs: ping.latencyMs };
      },
    },
    'trace.sync.status': { access: 'logged_in', run: () => syncStatus() },
    ...syncCallHandlers({ services, syncStatus, publish, wake: () => worker?.wake() }),
    'trace.lookupPatient': {
      access: 'sell',
      async run(_ctx, request) {
        const resolved = resolveConfig(stored());
        if (!resolved.ok) throw new CoreError('unavailable', `${resolved.reason} Ask a manager to set up Track & Trace in Settings.`);
        const provider = providerFor(resolved.config, 15_000);
        const result = await provider.lookupPatient({ cardId: request.cardId, caregiverCardId: request.caregiverCardId ?? null });
        if (!result.ok) {
          throw new CoreError(
            result.kind === 'rejected' ? 'conflict' : 'unavailable',
            result.kind === 'unavailable'
              ? `${provider.displayName} did not answer (${result.message}). Follow the store's rule for selling while the state system is down.`
              : result.message,
          );
        }
        const now = services.clock();
        const value = result.value;
        sqlite()
          .prepare(
            `INSERT INTO trace_patient_lookups (card_id, status, expires_on, allotment_amount, allotment_unit, fetched_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT(card_id) DO UPDATE SET status = excluded.status, expires_on = excluded.expires_on,
               allotment_amount = excluded.allotment_amount, allotment_unit = excluded.allotment_unit, fetched_at = excluded.fetched_at`,
          )
          // Metrc's figure may be a minute old: it is kept as of then, so later sales count against it.
          .run(value.cardId, value.status, value.expiresOn, value.allotment?.amount ?? null, value.allotment?.unit ?? null, Math.min(now, value.asOf ?? now));
        return { cardId: value.cardId, status: value.status, expiresOn: value.expiresOn, allotment: value.allotment, raw: value.raw, fetchedAt: now };
      },
    },
    'trace.demo.enqueueSale': {
      access: 'sell',
      run(ctx, request) {
        const config = stored();
        if (!(config?.provider === 'metrc_v2' ? metrcSandbox : sandbox) || !config?.useDemoSandbox) {
          throw new CoreError('conflict', 'Test sales can be queued only in the demo store, against its sandbox.');
        }
        // The screen shows the button to the demo store's admin only; the core holds the same line.
        if (ctx.actor.role !== 'admin') throw new CoreError('forbidden', 'Only an admin may queue a test sale in the demo store.');
        const db = sqlite();
        const now = services.clock();
        const { result } = applyCommand(
          db,
          { commandId: request.commandId, name: 'trace.demo.enqueueSale', actorId: ctx.actor.id },
          () => {
            const customer = db
              .prepare(
                `SELECT id, medical_id AS medicalId FROM customers WHERE customer_type = 'medical' AND medical_id IS NOT NULL
                   AND (? IS NULL OR medical_id = ?) ORDER BY medical_id_expires DESC LIMIT 1`,
              )
              .get(request.cardId ?? null, request.cardId ?? null) as { id: string; medicalId: string } | undefined;
            const products = db
              .prepare(`SELECT trace_barcode AS barcode, price_cents AS priceCents FROM products WHERE sold_medical = 1 ORDER BY trace_barcode LIMIT 2`)
              .all() as Array<{ barcode: string; priceCents: number }>;
            if (products.length === 0) throw new CoreError('not_found', 'The demo store has no medical products.');
            const saleId = newId(now);
            const { outboxId } = enqueueDispense(
              db,
              {
                saleId,
                customerId: customer?.id ?? null,
                location: config.location,
                terminalId: config.terminalId,
                saleTime: now,
                timeZone: config.timeZone || null,
                cardId: request.cardId ?? customer?.medicalId ?? 'UNKNOWN',
                lines: products.map((product) => ({ barcode: product.barcode, quantity: 1, unitPriceCents: product.priceCents })),
              },
              now,
            );
            return { result: { outboxId }, audit: { saleId, customerId: customer?.id ?? null, details: { outboxId, demo: true } } };
          },
          now,
        );
        worker?.wake();
        publish();
        return result;
      },
    },
  };

  return {
    // The core merges every module's handlers; this module owns only the trace.* calls.
    handlers: handlers as unknown as HandlersFor<CallName>,
    wake: () => worker?.wake(),
    sandbox: () => sandbox,
    metrcSandbox: () => metrcSandbox,
    demoUrls,
    async onOpen() {
      const db = sqlite();
      isDemo = isDemoSeeded(db);
      if (isDemo && options.demoSandbox !== false && !sandbox) {
        try {
          sandbox = await startBioTrackSandbox({ port: 0, data: loadSandboxData(join(services.resourcesDir, 'demo', 'biotrack-sandbox.json')) });
          log.log('info', 'demo BioTrack sandbox started', { url: sandbox.url });
        } catch (error) {
          log.log('warn', `the demo BioTrack sandbox could not start: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (isDemo && options.demoSandbox !== false && !metrcSandbox) {
        try {
          metrcSandbox = await startMetrcSandbox({ port: 0, data: loadMetrcSandboxData(join(services.resourcesDir, 'demo', 'metrc-sandbox.json')) });
          log.log('info', 'demo Metrc sandbox started', { url: metrcSandbox.url });
        } catch (error) {
          log.log('warn', `the demo Metrc sandbox could not start: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      // The Oklahoma demo store reports to Metrc; the Illinois one starts on BioTrack and may switch.
      const oklahoma = (db.prepare(`SELECT value FROM settings WHERE key = 'store.jurisdiction'`).get() as { value: string } | undefined)?.value === '"OK"';
      const demoConfig = oklahoma ? (metrcSandbox ? demoMetrcConfig(services.secretBox, 'OK', storeTimeZone()) : null) : sandbox ? demoTraceConfig(services.secretBox) : null;
      if (isDemo && demoConfig && !stored()) {
        const now = services.clock();
        db.transaction(() => {
          writeTraceConfig(db, demoConfig, now);
          appendAudit(db, { employeeId: null, action: 'trace.demo_configured', details: { provider: demoConfig.provider, sandbox: true } }, now);
        })();
      }
      await startWorker();
    },
    async listPackages() {
      const config = stored();
      if (!config || config.provider === 'none') {
        return { provider: 'Track & Trace', result: { ok: false, kind: 'unavailable', message: 'No track-and-trace system is set up: a manager sets it up in Settings › Track & Trace.' } };
      }
      const name = PROVIDER_NAMES[config.provider];
      const resolved = resolveConfig(config);
      if (!resolved.ok) return { provider: name, result: { ok: false, kind: 'unavailable', message: `${resolved.reason} Ask a manager to check Settings › Track & Trace.` } };
      const provider = providerFor(resolved.config, 15_000);
      if (!provider.listPackages) return { provider: name, result: { ok: false, kind: 'unavailable', message: `The register cannot list ${name} packages yet.` } };
      return { provider: name, result: await provider.listPackages() };
    },
    async onClose() {
      if (statusTimer) clearTimeout(statusTimer);
      statusTimer = null;
      await stopWorker();
      if (sandbox) {
        await sandbox.close();
        sandbox = null;
      }
      if (metrcSandbox) {
        await metrcSandbox.close();
        metrcSandbox = null;
      }
    },
  };
}
