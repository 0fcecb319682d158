/**
 * The store hub in the core: Settings › Store hub (find, pair, forget), the sync worker's life
 * (started when the database opens and the station is paired), its status for the banner on every
 * screen, and what screens refresh when the hub's changes land.
 */
import type { Bonjour } from 'bonjour-service';
import type { CallName } from '../../preload/api.js';
import type { hubCalls, FoundHub, HubStatus } from '../../preload/contract/hub.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { CoreError } from '../core/errors.js';
import { loadLater } from '../core/load-later.js';
import { HUB_SERVICE_TYPE } from '../../hub/protocol.js';
import { appendAudit } from '../audit/log.js';
import type { Applied } from './apply.js';
import { HubError, pairWithHub } from './connection.js';
import { forgetHub, readHubState, savePairing } from './state.js';
import { HubSync, type HubSyncOptions } from './sync.js';
import { HubGrants } from './grants.js';
import { hubConflicts } from './conflicts.js';

type HubCallName = keyof typeof hubCalls;

export interface HubModuleDeps {
  /** Pulled queue changes: the queue screens refresh. */
  queueChanged(): void;
  options?: HubSyncOptions;
}

export type HubModule = CapabilityModule & { sync: HubSync; grants: HubGrants };

const DISCOVER_MS = 1500;

async function discover(): Promise<FoundHub[]> {
  // Loaded when a manager looks for a hub, not at start (issue 12, start-up).
  const { Bonjour: BonjourService } = loadLater<typeof import('bonjour-service')>('bonjour-service');
  return new Promise((resolve) => {
    let bonjour: Bonjour;
    try {
      bonjour = new BonjourService({}, () => undefined);
    } catch {
      resolve([]);
      return;
    }
    const found = new Map<string, FoundHub>();
    const browser = bonjour.find({ type: HUB_SERVICE_TYPE }, (service) => {
      const address = service.addresses?.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a)) ?? service.host;
      const txt = (service.txt ?? {}) as Record<string, unknown>;
      const key = `${address}:${service.port}`;
      found.set(key, { name: service.name, address: key, fingerprint: typeof txt.fp === 'string' ? txt.fp.slice(0, 8).toUpperCase() : null });
    });
    setTimeout(() => {
      browser.stop();
      bonjour.destroy();
      resolve([...found.values()]);
    }, DISCOVER_MS).unref?.();
  });
}

export function createHubModule(services: CoreServices, deps: HubModuleDeps): HubModule {
  const sync = new HubSync(
    {
      sqlite: () => services.sqlite(),
      secretBox: services.secretBox,
      clock: () => services.clock(),
      logger: services.logger,
      applied(applied: Applied) {
        if (applied.queue || applied.grants) deps.queueChanged();
        for (const customerId of applied.customers) services.broadcast('customers.changed', { customerId, draftsChanged: false });
        for (const productId of applied.products) services.broadcast('catalogue.changed', { productId });
        for (const customerId of applied.rewards) services.broadcast('rewards.changed', { customerId });
      },
      statusChanged(status: HubStatus) {
        services.broadcast('hub.changed', status);
      },
      dataDir: services.dataDir,
      filesArrived(customerIds: string[]) {
        for (const customerId of customerIds) services.broadcast('customers.changed', { customerId, draftsChanged: false });
      },
    },
    deps.options,
  );

  const grants = new HubGrants(sync, { sqlite: () => services.sqlite(), clock: () => services.clock() });
  const status = (): HubStatus => sync.status();

  const handlers: HandlersFor<HubCallName> = {
    'hub.status': { access: 'logged_in', run: () => status() },
    'hub.discover': { access: 'manage_settings', run: () => discover() },
    'hub.pair': {
      access: 'manage_settings',
      async run(ctx, request) {
        let answer;
        try {
          answer = await pairWithHub(request.address, { code: request.code, deviceName: request.deviceName, role: request.role });
        } catch (error) {
          if (error instanceof HubError) {
            services.logger.log('warn', 'pairing with the store hub failed', { code: error.code, message: error.message });
            throw new CoreError(error.code === 'pairing_refused' ? 'conflict' : 'unavailable', error.message);
          }
          throw error;
        }
        const now = services.clock();
        const sqlite = services.sqlite();
        savePairing(
          sqlite,
          services.secretBox,
          {
            address: request.address.trim(),
            hubId: answer.hubId,
            hubEpoch: answer.hubEpoch,
            fingerprint: answer.fingerprint256,
            deviceId: answer.deviceId,
            deviceName: request.deviceName,
            role: request.role,
            deviceToken: answer.deviceToken,
            clockOffsetMs: Math.round(answer.hubTimeMs - now),
          },
          now,
        );
        sqlite
          .transaction(() =>
            appendAudit(
              sqlite,
              { employeeId: ctx.actor.id, action: 'hub.paired', details: { address: request.address.trim(), hubId: answer.hubId, deviceId: answer.deviceId, role: request.role, fingerprint: answer.fingerprint256 } },
              now,
            ),
          )
          .immediate();
        sync.reset();
        sync.start();
        return status();
      },
    },
    'hub.conflicts': { access: 'manage_settings', run: () => hubConflicts(services.sqlite()) },
    'hub.forget': {
      access: 'manage_settings',
      run(ctx) {
        const sqlite = services.sqlite();
        const state = readHubState(sqlite);
        if (state) {
          sqlite
            .transaction(() => {
              forgetHub(sqlite);
              appendAudit(sqlite, { employeeId: ctx.actor.id, action: 'hub.forgotten', details: { address: state.address, hubId: state.hubId, deviceId: state.deviceId } }, services.clock());
            })
            .immediate();
        }
        sync.reset();
        const now = status();
        services.broadcast('hub.changed', now);
        return now;
      },
    },
  };

  return {
    handlers: handlers as unknown as HandlersFor<CallName>,
    sync,
    grants,
    onOpen() {
      sync.start();
    },
    async onClose() {
      await sync.stop();
    },
  };
}
