/**
 * USB HID devices through node-hid: HID POS barcode scanners (usage page 0x8C, reports
 * reassembled) and MagTek-style swipe readers (vendor usage page, one report per swipe).
 * node-hid has no unplug event: a read error means the device is gone. Enumeration is costly,
 * so it runs only while the device is missing.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Connection, Found, Transport, TransportSink } from '../driver.js';
import { HID_POS_USAGE_PAGE, HidPosReassembler, symbologyLabel } from '../framing/hid-pos.js';
import { parseMagTekReport, swipeText } from '../framing/magtek.js';

export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  usagePage?: number;
  usage?: number;
}

/** An open HID device: node-hid's HIDAsync, or a fake one in tests and simulators. */
export interface HidHandle extends EventEmitter {
  close(): Promise<void> | void;
}

export interface HidBackend {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
}

/**
 * node-hid, loaded on first use (a machine without libusb/hidraw still starts the register).
 * With require, not import(): in the installed app this file is inside app.asar, whose native
 * modules Electron resolves for require (to app.asar.unpacked) but not for the ESM loader.
 */
export function nodeHidBackend(): HidBackend {
  let loaded: typeof import('node-hid') | null = null;
  const load = async (): Promise<typeof import('node-hid')> => {
    loaded ??= createRequire(import.meta.url)('node-hid') as typeof import('node-hid');
    return loaded;
  };
  return {
    devices: async () => (await load()).devicesAsync(),
    open: async (path) => (await load()).HIDAsync.open(path),
  };
}

export interface HidMatch {
  vendorId: number;
  productId?: number;
  serialNumber?: string;
}

export type HidRole = 'hid-pos' | 'keyboard' | 'msr' | 'other';

export const MAGTEK_USAGE_PAGE = 0xff00;

export function hidRole(device: HidDeviceInfo): HidRole {
  if (device.usagePage === HID_POS_USAGE_PAGE) return 'hid-pos';
  if (device.usagePage === 0x01 && device.usage === 0x06) return 'keyboard';
  if (device.usagePage === MAGTEK_USAGE_PAGE || device.usagePage === 0x8e) return 'msr';
  return 'other';
}

function matches(device: HidDeviceInfo, match: HidMatch): boolean {
  return (
    device.vendorId === match.vendorId &&
    (match.productId === undefined || device.productId === match.productId) &&
    (match.serialNumber === undefined || device.serialNumber === match.serialNumber)
  );
}

abstract class HidTransport implements Transport {
  readonly presenceIntervalMs = null;

  constructor(
    protected readonly match: HidMatch,
    protected readonly backend: HidBackend,
    protected readonly clock: () => number = Date.now,
  ) {}

  protected abstract accepts(device: HidDeviceInfo): boolean;
  protected abstract reader(sink: TransportSink): (report: Buffer) => void;

  async find(): Promise<Found | null> {
    const devices = await this.backend.devices();
    const device = devices.find((d) => d.path && matches(d, this.match) && this.accepts(d));
    if (!device?.path) return null;
    const name = device.product ?? `${hex4(device.vendorId)}:${hex4(device.productId)}`;
    return { key: device.path, label: `${name}${device.serialNumber ? ` #${device.serialNumber}` : ''}` };
  }

  async open(found: Found, sink: TransportSink): Promise<Connection> {
    const handle = await this.backend.open(found.key);
    const read = this.reader(sink);
    // node-hid reads nothing until a data listener is attached: attach at once.
    handle.on('data', (report: Buffer) => read(report));
    handle.on('error', (error: Error) => {
      // The system's message goes to the log; staff see what happened.
      sink.problem(new Error(`read error: ${error.message}`));
      sink.lost('it stopped answering (unplugged, or the cable is loose)');
    });
    return {
      async close() {
        handle.removeAllListeners('data');
        try {
          await handle.close();
        } catch {
          // Closing a device that is already gone can fail; it is closed either way.
        }
      },
    };
  }
}

export class HidPosTransport extends HidTransport {
  protected accepts(device: HidDeviceInfo): boolean {
    // hidraw and Windows report the usage page; libusb may not (0): then vendor id decides.
    return device.usagePage === undefined || device.usagePage === 0 || device.usagePage === HID_POS_USAGE_PAGE;
  }

  protected reader(sink: TransportSink): (report: Buffer) => void {
    const reassembler = new HidPosReassembler();
    return (report) => {
      try {
        const scan = reassembler.push(report);
        if (scan) sink.data({ bytes: scan.bytes, symbology: symbologyLabel(scan.aim), at: this.clock() });
      } catch (error) {
        sink.problem(error instanceof Error ? error : new Error(String(error)));
      }
    };
  }
}

export class HidMsrTransport extends HidTransport {
  protected accepts(device: HidDeviceInfo): boolean {
    return hidRole(device) !== 'keyboard';
  }

  protected reader(sink: TransportSink): (report: Buffer) => void {
    return (report) => {
      try {
        const swipe = parseMagTekReport(report);
        sink.data({ bytes: Buffer.from(swipeText(swipe), 'latin1'), at: this.clock() });
      } catch (error) {
        sink.problem(error instanceof Error ? error : new Error(String(error)));
      }
    };
  }
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
