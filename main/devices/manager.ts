/**
 * The device manager: one supervised driver per configured device, their statuses pushed to
 * the screens (CoreServices.setDeviceStatuses), and every scan recognised by its content and
 * broadcast as `scan.received` (see preload/contract/devices.ts), whichever screen has focus.
 */
import type { DeviceStatus } from '../../preload/api.js';
import type {
  DeviceConfig,
  DevicesConfig,
  DocumentReceived,
  KeyStroke,
  LastRaw,
  ScanReceived,
} from '../../preload/contract/devices.js';
import type { Logger } from '../log/logger.js';
import { newId } from '../store/ids.js';
import { describeRecognised, recognise } from './decode/recognise.js';
import { defaultTiming, DeviceSupervisor, type DriverStatus, type RawScan, type SupervisorTiming, type Transport } from './driver.js';
import { classifyKeys } from './framing/wedge.js';
import { DocumentStore, runDocumentCommand, WatchedFolderTransport, type StoredDocument } from './transports/documents.js';
import { HidMsrTransport, HidPosTransport, nodeHidBackend, type HidBackend } from './transports/hid.js';
import { SerialTransport, serialportBackend, type SerialBackend } from './transports/serial.js';
import { makeVisible } from './visible.js';

export const SIMULATOR_DEVICE_ID = 'simulator';

export interface DeviceManagerOptions {
  logger: Logger;
  clock: () => number;
  documentsDir: string;
  publishStatuses(statuses: DeviceStatus[]): void;
  publishScan(scan: ScanReceived): void;
  publishDocument(document: DocumentReceived): void;
  hid?: HidBackend;
  serial?: SerialBackend;
  timing?: SupervisorTiming;
  /** Serial presence poll while connected (ms). */
  serialPresenceMs?: number;
}

type ScanTransport = ScanReceived['transport'];

interface Running {
  config: DeviceConfig;
  driver: DeviceSupervisor | null;
}

export class DeviceManager {
  private running = new Map<string, Running>();
  private readonly lastRaw = new Map<string, LastRaw>();
  private simulator = false;
  private configProblem: string | null = null;
  readonly documents: DocumentStore;
  private readonly hid: HidBackend;
  private readonly serial: SerialBackend;

  constructor(private readonly options: DeviceManagerOptions) {
    this.documents = new DocumentStore(options.documentsDir);
    this.hid = options.hid ?? nodeHidBackend();
    this.serial = options.serial ?? serialportBackend();
  }

  /** Replaces the running devices with this configuration. */
  async apply(config: DevicesConfig, problem: string | null = null): Promise<void> {
    await this.stopAll();
    this.configProblem = problem;
    if (problem) this.options.logger.log('warn', problem);
    for (const device of config.devices) {
      const entry: Running = { config: device, driver: null };
      this.running.set(device.id, entry);
      if (!device.enabled) continue;
      const transport = this.transportFor(device);
      if (!transport) continue;
      const driver = new DeviceSupervisor(device.id, transport, this.options.timing ?? defaultTiming, this.options.clock);
      driver.on('status', (status: DriverStatus) => {
        this.options.logger.log(status.state === 'connected' ? 'info' : 'debug', `device ${device.name}: ${status.state}`, { reason: status.reason });
        this.publishStatuses();
      });
      driver.on('data', (scan: RawScan) => this.handleScan(device, transportOfScan(device), scan));
      driver.on('error', (error: Error) => this.options.logger.log('warn', `device ${device.name}: ${error.message}`));
      entry.driver = driver;
      driver.start();
    }
    this.publishStatuses();
  }

  setSimulator(on: boolean): void {
    this.simulator = on;
    this.publishStatuses();
  }

  get simulatorOn(): boolean {
    return this.simulator;
  }

  async stopAll(): Promise<void> {
    const drivers = [...this.running.values()].map((entry) => entry.driver).filter((d): d is DeviceSupervisor => d !== null);
    this.running = new Map();
    await Promise.all(drivers.map((driver) => driver.stop()));
  }

  private transportFor(device: DeviceConfig): Transport | null {
    const clock = this.options.clock;
    switch (device.transport) {
      case 'serial':
        return new SerialTransport(
          { match: device.match, baudRate: device.baudRate, framing: device.framing },
          this.serial,
          this.options.serialPresenceMs ?? 1000,
          clock,
        );
      case 'hid-pos':
        return new HidPosTransport(device.match, this.hid, clock);
      case 'hid-msr':
        return new HidMsrTransport(device.match, this.hid, clock);
      case 'folder':
        return new WatchedFolderTransport(device.inboxDir, this.documents, (stored) => this.publishDocument(device, stored), undefined, clock);
      case 'keyboard':
      case 'command':
        return null; // no connection to keep: keys come from the screen, commands run on demand
    }
  }

  statusOf(device: DeviceConfig): DeviceStatus {
    const base = { id: device.id, name: device.name };
    if (!device.enabled) return { ...base, state: 'disabled', reason: 'turned off in Settings > Devices' };
    const entry = this.running.get(device.id);
    if (entry?.driver) {
      const status = entry.driver.status();
      return { ...base, state: status.state, ...(status.reason ? { reason: status.reason } : {}) };
    }
    if (device.transport === 'keyboard') return { ...base, state: 'connected', reason: "listening to the register's keyboard" };
    if (device.transport === 'command') return { ...base, state: 'connected', reason: `ready: runs ${device.command[0]} when you press Scan` };
    return { ...base, state: 'searching' };
  }

  statuses(): DeviceStatus[] {
    const list = [...this.running.values()].map((entry) => this.statusOf(entry.config));
    if (this.simulator) list.push({ id: SIMULATOR_DEVICE_ID, name: 'Scan simulator', state: 'connected', reason: 'npm run scan hands scans to this register' });
    if (this.configProblem) list.push({ id: 'devices-config', name: 'Device settings', state: 'error', reason: this.configProblem });
    return list;
  }

  private publishStatuses(): void {
    this.options.publishStatuses(this.statuses());
  }

  configured(): DeviceConfig[] {
    return [...this.running.values()].map((entry) => entry.config);
  }

  lastRawOf(id: string): LastRaw | null {
    return this.lastRaw.get(id) ?? null;
  }

  /** Recognises one frame by its content and tells every screen. */
  handleScan(device: { id: string; name: string }, transport: ScanTransport, raw: RawScan): ScanReceived {
    const recognised = recognise({ bytes: raw.bytes, symbology: raw.symbology ?? null });
    const scan: ScanReceived = {
      ...recognised,
      scanId: newId(raw.at),
      at: raw.at,
      deviceId: device.id,
      deviceName: device.name,
      transport,
    } as ScanReceived;
    this.lastRaw.set(device.id, {
      at: raw.at,
      rawVisible: recognised.kind === 'card' || (recognised.kind === 'unrecognised' && recognised.rawVisible.startsWith('(magnetic')) ? '(magnetic stripe hidden)' : makeVisible(raw.bytes),
      byteCount: raw.bytes.length,
      recognisedAs: describeRecognised(recognised),
    });
    // Facts only: never the scanned content (licence data, card numbers).
    this.options.logger.log('info', 'scan received', { device: device.id, kind: scan.kind, bytes: raw.bytes.length });
    this.options.publishScan(scan);
    return scan;
  }

  /**
   * Key timelines from the page (browser host). Each enabled keyboard device classifies them
   * with its own timing; the first that finds scans takes them, so one burst is one scan.
   */
  handleKeys(keys: KeyStroke[]): number {
    for (const entry of this.running.values()) {
      const device = entry.config;
      if (device.transport !== 'keyboard' || !device.enabled) continue;
      const result = classifyKeys(keys, device);
      if (result.scans.length === 0) continue;
      for (const scan of result.scans) {
        this.handleScan(device, 'keyboard', { bytes: Buffer.from(scan.text, 'latin1'), at: this.options.clock() });
      }
      return result.scans.length;
    }
    return 0;
  }

  async captureDocument(id: string): Promise<DocumentReceived> {
    const device = this.running.get(id)?.config;
    if (!device || device.transport !== 'command') throw new Error(`There is no scan command named "${id}": add one in Settings > Devices.`);
    const stored = await runDocumentCommand(device.command, this.documents);
    return this.publishDocument(device, stored);
  }

  private publishDocument(device: DeviceConfig, stored: StoredDocument): DocumentReceived {
    const document: DocumentReceived = {
      deviceId: device.id,
      deviceName: device.name,
      at: this.options.clock(),
      file: stored.file,
      sha256: stored.sha256,
      mime: stored.mime,
      sizeBytes: stored.sizeBytes,
    };
    this.lastRaw.set(device.id, {
      at: document.at,
      rawVisible: `${stored.mime}, ${stored.sizeBytes} bytes`,
      byteCount: stored.sizeBytes,
      recognisedAs: `document sha256 ${stored.sha256.slice(0, 12)}…${stored.isNew ? '' : ' (seen before)'}`,
    });
    this.options.logger.log('info', 'document received', { device: device.id, sha256: stored.sha256, bytes: stored.sizeBytes });
    this.options.publishDocument(document);
    return document;
  }
}

function transportOfScan(device: DeviceConfig): ScanTransport {
  switch (device.transport) {
    case 'serial':
    case 'hid-pos':
    case 'hid-msr':
    case 'keyboard':
      return device.transport;
    default:
      return 'simulator';
  }
}
