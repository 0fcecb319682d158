/**
 * Serial through a socat pseudo-terminal pair with the REAL serialport binding: a licence
 * arriving in pieces at 9600 baud; socat ended (unplug) → searching; started again →
 * connected, and the next scan arrives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../../preload/api.js';
import type { ScanReceived } from '../../../preload/contract/devices.js';
import { DeviceManager } from '../../../main/devices/manager.js';
import { silentLogger } from '../../../main/log/logger.js';
import { repoRoot, tempDir } from '../../support/paths.js';
import { socatAvailable, startPtyPair, type PtyPair } from './socat.js';
import { until } from './until.js';

const licence = readFileSync(join(repoRoot, 'test/fixtures/aamva/VA-v08-1.txt'));

/** Writes like a 9600-baud scanner: 16-byte pieces, each as long on the wire as 16 bytes take (~17 ms). */
async function writeAt9600(path: string, payload: Buffer): Promise<void> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  for (let i = 0; i < payload.length; i += 16) {
    await new Promise<void>((resolve, reject) => port.write(payload.subarray(i, i + 16), (error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve) => port.drain(() => resolve()));
    await new Promise((resolve) => setTimeout(resolve, (16 * 10 * 1000) / 9600));
  }
  await new Promise<void>((resolve) => port.close(() => resolve()));
}

describe.skipIf(!socatAvailable())('serial scanner through a socat pty pair', () => {
  const temp = tempDir('register-serial-');
  let pair: PtyPair;
  const scans: ScanReceived[] = [];
  const statuses: DeviceStatus[][] = [];
  let manager: DeviceManager;

  // The pause that ends a scan is generous here so a loaded CI machine cannot split a licence;
  // the pieces still arrive ~17 ms apart, as at 9600 baud.
  beforeAll(async () => {
    pair = await startPtyPair(temp.dir);
    manager = new DeviceManager({
      logger: silentLogger,
      clock: Date.now,
      documentsDir: join(temp.dir, 'documents'),
      publishStatuses: (list) => statuses.push(list),
      publishScan: (scan) => scans.push(scan),
      publishDocument: () => undefined,
      timing: { searchIntervalMs: 100, backoffInitialMs: 100, backoffMaxMs: 400 },
      serialPresenceMs: 100,
    });
    await manager.apply({
      version: 1,
      devices: [
        { id: 'counter', name: 'Counter scanner', enabled: true, transport: 'serial', match: { path: pair.device }, baudRate: 9600, framing: { mode: 'interByte', timeoutMs: 300 } },
      ],
    });
  });

  afterAll(async () => {
    await manager.stopAll();
    await pair.stop();
    temp.cleanup();
  });

  const state = () => statuses[statuses.length - 1]?.find((s) => s.id === 'counter')?.state;

  it('connects, and a licence in pieces at 9600 baud arrives as one parsed licence', async () => {
    await until('connected', () => state() === 'connected');
    await writeAt9600(pair.scanner, licence);
    const scan = await until('a scan', () => scans[0]);
    expect(scans).toHaveLength(1);
    expect(scan.kind).toBe('licence');
    if (scan.kind === 'licence') {
      expect(scan.raw).toBe(licence.toString('latin1'));
      expect(scan.licence.lastName).toBe('SAMPLE');
    }
    expect(scan).toMatchObject({ deviceId: 'counter', transport: 'serial' });
    expect(manager.lastRawOf('counter')?.rawVisible).toContain('@⟨LF⟩⟨RS⟩⟨CR⟩ANSI ');
  });

  it('goes back to searching when socat ends, and reconnects and reads again when it restarts', async () => {
    await pair.stop();
    await until('searching after unplug', () => state() === 'searching');
    expect(statuses[statuses.length - 1]?.find((s) => s.id === 'counter')?.reason).toMatch(/lost|not plugged/);

    pair = await startPtyPair(temp.dir);
    await until('connected again', () => state() === 'connected');
    await writeAt9600(pair.scanner, Buffer.from('012345678905\r', 'latin1'));
    const scan = await until('the next scan', () => scans[1]);
    expect(scan).toMatchObject({ kind: 'product', code: '012345678905', symbology: 'UPC-A' });
  });
});
