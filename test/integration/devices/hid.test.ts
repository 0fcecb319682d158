/**
 * HID POS and MagTek reports through the real reassembler and supervisor, at the node-hid
 * boundary (no /dev/uhid here): a fake bus plugs devices in and out, plays recorded reports and
 * raises node-hid's read error, which must send the device back to searching and reconnect.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../../preload/api.js';
import type { ScanReceived } from '../../../preload/contract/devices.js';
import { encodeHidPosReports } from '../../../main/devices/framing/hid-pos.js';
import { encodeMagTekReport } from '../../../main/devices/framing/magtek.js';
import { DeviceManager } from '../../../main/devices/manager.js';
import { FakeHidBus } from '../../../main/devices/transports/fake-hid.js';
import { repoRoot, tempDir } from '../../support/paths.js';
import { until } from './until.js';

const licence = readFileSync(join(repoRoot, 'test/fixtures/aamva/CO-v07-1.txt'));
const HONEYWELL = 0x0c2e;

const scanner = { vendorId: HONEYWELL, productId: 0x0b8f, serialNumber: '21270B1234', product: 'Voyager 1400g', usagePage: 0x8c, usage: 0x02 };

describe('HID devices at the node-hid boundary', () => {
  const temp = tempDir('register-hid-');
  let bus: FakeHidBus;
  let manager: DeviceManager;
  let scans: ScanReceived[];
  let statuses: DeviceStatus[][];
  let problems: string[];

  beforeEach(async () => {
    bus = new FakeHidBus();
    scans = [];
    statuses = [];
    problems = [];
    manager = new DeviceManager({
      logger: { log: (level, message) => (level === 'warn' ? problems.push(message) : undefined) },
      clock: Date.now,
      documentsDir: join(temp.dir, 'documents'),
      publishStatuses: (list) => statuses.push(list),
      publishScan: (scan) => scans.push(scan),
      publishDocument: () => undefined,
      hid: bus,
      timing: { searchIntervalMs: 30, backoffInitialMs: 30, backoffMaxMs: 120 },
    });
  });

  afterEach(async () => {
    await manager.stopAll();
  });

  const state = (id: string) => statuses[statuses.length - 1]?.find((s) => s.id === id);

  it('reassembles a licence over several reports, survives a read error and reconnects', async () => {
    // The same scanner also shows a keyboard interface, which must not be opened.
    bus.plug({ ...scanner, usagePage: 0x01, usage: 0x06, path: '/dev/hidraw3' });
    bus.plug({ ...scanner, path: '/dev/hidraw4' });
    await manager.apply({ version: 1, devices: [{ id: 'pos', name: 'ID scanner', enabled: true, transport: 'hid-pos', match: { vendorId: HONEYWELL, serialNumber: '21270B1234' } }] });
    await until('connected', () => state('pos')?.state === 'connected');
    expect(state('pos')?.reason).toContain('Voyager 1400g #21270B1234');

    for (const report of encodeHidPosReports(licence, ']L0', 0x72)) bus.handle('/dev/hidraw4')!.report(report);
    await until('licence', () => scans[0]);
    expect(scans[0]).toMatchObject({ kind: 'licence', transport: 'hid-pos', deviceId: 'pos' });

    // A malformed report is logged; the device stays connected.
    bus.handle('/dev/hidraw4')!.report(Buffer.alloc(10));
    expect(problems.some((p) => p.includes('not a HID POS scanner report'))).toBe(true);
    expect(state('pos')?.state).toBe('connected');

    // Unplugged mid-scan: half a licence, then node-hid's read error.
    const reports = encodeHidPosReports(licence);
    bus.handle('/dev/hidraw4')!.report(reports[0]!);
    bus.unplug('/dev/hidraw4');
    await until('searching', () => state('pos')?.state === 'searching');
    expect(state('pos')?.reason).toMatch(/stopped answering \(unplugged/);
    expect(state('pos')?.reason).not.toMatch(/read error/);
    expect(problems.some((p) => p.includes('read error'))).toBe(true);

    // Plugged back in (new path): connected, the half scan is gone, the next scan arrives whole.
    bus.plug({ ...scanner, path: '/dev/hidraw7' });
    await until('reconnected', () => state('pos')?.state === 'connected');
    const upc = Buffer.alloc(64);
    upc[0] = 0x02;
    upc[1] = 12;
    upc.write(']E0012345678905', 2, 'latin1');
    upc[61] = 0x63;
    bus.handle('/dev/hidraw7')!.report(upc);
    await until('product', () => scans[1]);
    expect(scans[1]).toMatchObject({ kind: 'product', code: '012345678905', symbology: ']E0 UPC-A/EAN-13' });
    expect(scans).toHaveLength(2);
  });

  it('matches by vendor id and serial number, not by path: another scanner of the same model is left alone', async () => {
    bus.plug({ ...scanner, serialNumber: 'OTHER', path: '/dev/hidraw1' });
    await manager.apply({ version: 1, devices: [{ id: 'pos', name: 'ID scanner', enabled: true, transport: 'hid-pos', match: { vendorId: HONEYWELL, serialNumber: '21270B1234' } }] });
    await until('searching', () => state('pos')?.state === 'searching');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bus.opened).toHaveLength(0);
  });

  it('reads a MagTek swipe report as a card', async () => {
    bus.plug({ vendorId: 0x0801, productId: 0x0002, serialNumber: 'MT1', product: 'USB Swipe Reader', usagePage: 0xff00, usage: 1, path: '/dev/hidraw9' });
    await manager.apply({ version: 1, devices: [{ id: 'msr', name: 'Card reader', enabled: true, transport: 'hid-msr', match: { vendorId: 0x0801 } }] });
    await until('connected', () => state('msr')?.state === 'connected');
    bus.handle('/dev/hidraw9')!.report(encodeMagTekReport(['%B6012345678901234^MEMBER/REWARDS^4912101?', ';6012345678901234=4912101?', null]));
    await until('card', () => scans[0]);
    expect(scans[0]).toMatchObject({ kind: 'card', cardNumber: '6012345678901234', transport: 'hid-msr' });
    expect(manager.lastRawOf('msr')?.rawVisible).toBe('(magnetic stripe hidden)');
  });
});
