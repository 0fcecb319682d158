/**
 * Serial scan latency through a socat pseudo-terminal pair with the real serialport binding:
 *   devices.serial_scan_latency_p95_ms   last byte of a licence written to the pty → the parsed
 *                                        `scan.received` licence event, minus the configured
 *                                        inter-byte timeout (our framer + recogniser + licence parser)
 *   reference: serialport's own InterByteTimeoutParser on the same pty, same timeout, to a raw
 *              frame (no parsing), measured the same way in alternating rounds.
 * "Last byte written" = the write callback and drain of the final piece on the scanner's end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort, InterByteTimeoutParser } from 'serialport';
import type { ScanReceived } from '../../preload/contract/devices.js';
import { DeviceManager } from '../../main/devices/manager.js';
import { silentLogger } from '../../main/log/logger.js';
import { repoRoot, tempDir } from '../support/paths.js';
import { socatAvailable, startPtyPair } from '../integration/devices/socat.js';
import { percentile, type BenchLine, type BenchSuite, notMeasured } from './harness.js';

const TIMEOUT_MS = 20;
const ROUNDS = 40;
const licence = readFileSync(join(repoRoot, 'test/fixtures/aamva/VA-v08-1.txt'));

function openPort(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  return new Promise((resolve, reject) => port.open((error) => (error ? reject(error) : resolve(port))));
}

/** Writes the payload in two pieces and resolves with the time its last byte was handed to the pty. */
async function writeScan(port: SerialPort): Promise<number> {
  const half = Math.floor(licence.length / 2);
  await new Promise<void>((resolve) => port.write(licence.subarray(0, half), () => port.drain(() => resolve())));
  await new Promise<void>((resolve) => port.write(licence.subarray(half), () => port.drain(() => resolve())));
  return performance.now();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(): Promise<BenchLine[]> {
  if (!socatAvailable()) {
    return [notMeasured('devices.serial_scan_latency_p95_ms', '< 5', 'socat is not installed: apt-get install socat')];
  }
  const temp = tempDir('register-bench-devices-');
  const pair = await startPtyPair(temp.dir);
  let pending: ((scan: ScanReceived) => void) | null = null;
  const manager = new DeviceManager({
    logger: silentLogger,
    clock: Date.now,
    documentsDir: join(temp.dir, 'documents'),
    publishStatuses: () => undefined,
    publishScan: (scan) => pending?.(scan),
    publishDocument: () => undefined,
    timing: { searchIntervalMs: 50, backoffInitialMs: 50, backoffMaxMs: 200 },
    serialPresenceMs: 1000,
  });
  const ours: number[] = [];
  const reference: number[] = [];
  try {
    await manager.apply({
      version: 1,
      devices: [{ id: 'bench', name: 'Bench scanner', enabled: true, transport: 'serial', match: { path: pair.device }, baudRate: 9600, framing: { mode: 'interByte', timeoutMs: TIMEOUT_MS } }],
    });
    const started = Date.now();
    while (manager.statuses()[0]?.state !== 'connected') {
      if (Date.now() - started > 5000) throw new Error('the bench scanner did not connect');
      await sleep(10);
    }
    const writer = await openPort(pair.scanner);
    for (let round = 0; round < ROUNDS; round++) {
      // Ours: the full path to a parsed licence event.
      const arrived = new Promise<number>((resolve, reject) => {
        pending = (scan) => (scan.kind === 'licence' ? resolve(performance.now()) : reject(new Error(`expected a licence, got ${scan.kind}`)));
      });
      const lastByte = await writeScan(writer);
      ours.push((await arrived) - lastByte - TIMEOUT_MS);
      pending = null;
      await sleep(TIMEOUT_MS + 10);

      // Reference: serialport's InterByteTimeoutParser on the device end (our driver paused).
      await manager.stopAll();
      const reader = await openPort(pair.device);
      const parser = reader.pipe(new InterByteTimeoutParser({ interval: TIMEOUT_MS }));
      const framed = new Promise<number>((resolve) => parser.once('data', () => resolve(performance.now())));
      const refLast = await writeScan(writer);
      reference.push((await framed) - refLast - TIMEOUT_MS);
      await new Promise<void>((resolve) => reader.close(() => resolve()));
      await manager.apply({
        version: 1,
        devices: [{ id: 'bench', name: 'Bench scanner', enabled: true, transport: 'serial', match: { path: pair.device }, baudRate: 9600, framing: { mode: 'interByte', timeoutMs: TIMEOUT_MS } }],
      });
      const again = Date.now();
      while (manager.statuses()[0]?.state !== 'connected') {
        if (Date.now() - again > 5000) throw new Error('the bench scanner did not reconnect');
        await sleep(5);
      }
    }
    await new Promise<void>((resolve) => writer.close(() => resolve()));
  } finally {
    await manager.stopAll();
    await pair.stop();
    temp.cleanup();
  }
  const p95 = percentile(ours, 95);
  const refP95 = percentile(reference, 95);
  return [
    {
      name: 'devices.serial_scan_latency_p95_ms',
      value: p95,
      target: '< 5',
      note: `reference serialport InterByteTimeoutParser to a raw frame, same pty and timeout: p95 ${refP95.toFixed(3)} ms; ${ROUNDS} scans of ${licence.length} bytes, inter-byte timeout ${TIMEOUT_MS} ms; median ours ${percentile(ours, 50).toFixed(3)} ms`,
    },
  ];
}

export const suites: BenchSuite[] = [{ prefix: 'devices', run: measure }];
