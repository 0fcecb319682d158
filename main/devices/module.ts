/** The devices capability: its calls, its manager's lifecycle, and the optional scan simulator. */
import { join } from 'node:path';
import type { DevicesConfig } from '../../preload/contract/devices.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import type { CallName } from '../../preload/api.js';
import type { devicesCalls } from '../../preload/contract/devices.js';
import { readDevicesConfig, writeDevicesConfig } from './config.js';
import { discoverDevices } from './discover.js';
import { messageOf, type SupervisorTiming } from './driver.js';
import { DeviceManager, SIMULATOR_DEVICE_ID } from './manager.js';
import { simulatedBytes, startSimulatorEndpoint, type SimulatorEndpoint } from './simulator.js';
import { nodeHidBackend, type HidBackend } from './transports/hid.js';
import { serialportBackend, type SerialBackend } from './transports/serial.js';

export interface DevicesModuleOptions {
  hid?: HidBackend;
  serial?: SerialBackend;
  timing?: SupervisorTiming;
  serialPresenceMs?: number;
  /** Open the loopback scan simulator endpoint (default: REGISTER_SCAN_SIMULATOR=1). */
  simulator?: boolean;
}

export function createDevicesModule(services: CoreServices, options: DevicesModuleOptions = {}): CapabilityModule & { manager: DeviceManager } {
  const hid = options.hid ?? nodeHidBackend();
  const serial = options.serial ?? serialportBackend();
  const manager = new DeviceManager({
    logger: services.logger,
    clock: () => services.clock(),
    documentsDir: join(services.dataDir, 'documents'),
    publishStatuses: (statuses) => services.setDeviceStatuses(statuses),
    publishScan: (scan) => services.broadcast('scan.received', scan),
    publishDocument: (document) => services.broadcast('document.received', document),
    hid,
    serial,
    timing: options.timing,
    serialPresenceMs: options.serialPresenceMs,
  });
  const simulatorWanted = options.simulator ?? process.env.REGISTER_SCAN_SIMULATOR === '1';
  let endpoint: SimulatorEndpoint | null = null;

  async function reload(): Promise<void> {
    const { config, problem } = readDevicesConfig(services.sqlite());
    await manager.apply(config, problem);
  }

  function currentConfig(): DevicesConfig {
    return readDevicesConfig(services.sqlite()).config;
  }

  const handlers: HandlersFor<keyof typeof devicesCalls> = {
    'devices.list': {
      access: 'manage_settings',
      run: () => ({
        devices: currentConfig().devices.map((config) => ({ config, status: manager.statusOf(config), lastRaw: manager.lastRawOf(config.id) })),
        simulator: manager.simulatorOn,
      }),
    },
    'devices.discover': { access: 'manage_settings', run: () => discoverDevices(serial, hid, (problem, detail) => services.logger.log('warn', problem, { detail })) },
    'devices.save': {
      access: 'manage_settings',
      async run(ctx, request) {
        if (request.device.id === SIMULATOR_DEVICE_ID) throw new CoreError('conflict', `"${SIMULATOR_DEVICE_ID}" is reserved: choose another device id.`);
        const { result } = applyCommand(
          services.sqlite(),
          { commandId: request.commandId, name: 'devices.save', actorId: ctx.actor.id },
          () => {
            const config = currentConfig();
            const others = config.devices.filter((device) => device.id !== request.device.id);
            const added = others.length === config.devices.length;
            writeDevicesConfig(services.sqlite(), { version: 1, devices: [...others, request.device] }, services.clock());
            return {
              result: request.device,
              audit: { details: { deviceId: request.device.id, transport: request.device.transport, change: added ? 'added' : 'changed' } },
            };
          },
          services.clock(),
        );
        await reload();
        return result;
      },
    },
    'devices.remove': {
      access: 'manage_settings',
      async run(ctx, request) {
        const { result } = applyCommand(
          services.sqlite(),
          { commandId: request.commandId, name: 'devices.remove', actorId: ctx.actor.id },
          () => {
            const config = currentConfig();
            if (!config.devices.some((device) => device.id === request.id)) {
              throw new CoreError('not_found', 'That device is not configured (someone may have removed it already).');
            }
            writeDevicesConfig(services.sqlite(), { version: 1, devices: config.devices.filter((d) => d.id !== request.id) }, services.clock());
            return { result: { removed: true as const }, audit: { details: { deviceId: request.id } } };
          },
          services.clock(),
        );
        await reload();
        return result;
      },
    },
    'devices.keys': {
      access: 'logged_in',
      run: (_ctx, request) => ({ scans: manager.handleKeys(request.keys) }),
    },
    'devices.documentSources': {
      access: 'logged_in',
      run: () => currentConfig().devices.flatMap((device) => (device.transport === 'command' && device.enabled ? [{ id: device.id, name: device.name }] : [])),
    },
    'devices.captureDocument': {
      access: 'logged_in',
      async run(_ctx, request) {
        try {
          return await manager.captureDocument(request.id);
        } catch (error) {
          throw new CoreError('unavailable', `The document was not scanned: ${messageOf(error)}`);
        }
      },
    },
  };

  return {
    manager,
    // The core merges every module's handlers; this module owns only the devices.* calls.
    handlers: handlers as unknown as HandlersFor<CallName>,
    async onOpen() {
      await reload();
      if (simulatorWanted && !endpoint) {
        endpoint = await startSimulatorEndpoint(services.dataDir, (scan) => {
          const { bytes, symbology } = simulatedBytes(scan);
          const result = manager.handleScan({ id: SIMULATOR_DEVICE_ID, name: 'Scan simulator' }, 'simulator', { bytes, symbology, at: services.clock() });
          return { kind: result.kind, ...(result.kind === 'unrecognised' ? { message: result.message } : {}) };
        });
        manager.setSimulator(true);
        services.logger.log('info', 'scan simulator listening on 127.0.0.1', { port: endpoint.port });
      }
    },
    async onClose() {
      await manager.stopAll();
      if (endpoint) {
        await endpoint.close();
        endpoint = null;
        manager.setSimulator(false);
      }
    },
  };
}
