/**
 * Serial scanners (serialport, real binding; MockBinding for the simulator). The port is found
 * by USB vendor id + serial number in SerialPort.list() (COM names and /dev paths change), or,
 * for a virtual port without USB ids, by its path. `close` is not reliable on unplug, so the
 * supervisor also polls the port list while connected.
 */
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { SerialFraming } from '../../../preload/contract/devices.js';
import type { Connection, Found, Transport, TransportSink } from '../driver.js';
import { InterByteTimeoutFramer, parseSuffixHex, SuffixFramer, type Framer } from '../framing/serial.js';

export interface SerialPortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
}

export type SerialMatch = { vendorId: number; productId?: number; serialNumber?: string } | { path: string };

export interface SerialSettings {
  match: SerialMatch;
  baudRate: number;
  framing: SerialFraming;
}

/** The parts of serialport the transport uses, so the simulator can swap the binding. */
export interface SerialBackend {
  list(): Promise<SerialPortInfo[]>;
  open(path: string, baudRate: number): Promise<SerialStream>;
}

export interface SerialStream {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close', listener: (error?: Error | null) => void): unknown;
  close(): Promise<void>;
}

type PortConstructorOptions = ConstructorParameters<typeof SerialPort>[0];

/** serialport with its real native binding, or another binding (MockBinding) for simulators. */
export function serialportBackend(binding?: PortConstructorOptions['binding']): SerialBackend {
  return {
    list: () => (binding ? binding.list() : SerialPort.list()),
    open: (path, baudRate) =>
      new Promise((resolve, reject) => {
        const port = new SerialPort({ path, baudRate, autoOpen: false, ...(binding ? { binding } : {}) } as PortConstructorOptions);
        port.open((error) => {
          if (error) {
            reject(error);
            return;
          }
          const stream: SerialStream = {
            on: (event: 'data' | 'error' | 'close', listener: (arg: never) => void) => port.on(event, listener as (arg: unknown) => void),
            close: () =>
              new Promise<void>((done) => {
                if (!port.isOpen) return done();
                port.close(() => done());
              }),
          };
          resolve(stream);
        });
      }),
  };
}

export function hexId(value: string | undefined): number | null {
  if (!value) return null;
  const n = parseInt(value, 16);
  return Number.isFinite(n) ? n : null;
}

export function matchSerialPort(ports: SerialPortInfo[], match: SerialMatch): SerialPortInfo | null {
  if ('path' in match) return ports.find((port) => port.path === match.path) ?? null;
  return (
    ports.find(
      (port) =>
        hexId(port.vendorId) === match.vendorId &&
        (match.productId === undefined || hexId(port.productId) === match.productId) &&
        (match.serialNumber === undefined || port.serialNumber === match.serialNumber),
    ) ?? null
  );
}

export function createFramer(framing: SerialFraming, onFrame: (frame: Uint8Array) => void): Framer {
  return framing.mode === 'suffix'
    ? new SuffixFramer(parseSuffixHex(framing.suffixHex), onFrame)
    : new InterByteTimeoutFramer(framing.timeoutMs, onFrame);
}

export class SerialTransport implements Transport {
  constructor(
    private readonly settings: SerialSettings,
    private readonly backend: SerialBackend = serialportBackend(),
    readonly presenceIntervalMs: number | null = 1000,
    private readonly clock: () => number = Date.now,
  ) {}

  async find(): Promise<Found | null> {
    const { match } = this.settings;
    const ports = await this.backend.list().catch(() => [] as SerialPortInfo[]);
    const port = matchSerialPort(ports, match);
    if (port) return { key: port.path, label: port.path };
    // A virtual port (socat pty, com0com) is not in the USB list: its path is its identity.
    if ('path' in match && existsSync(match.path)) return { key: match.path, label: match.path };
    return null;
  }

  async open(found: Found, sink: TransportSink): Promise<Connection> {
    const stream = await this.backend.open(found.key, this.settings.baudRate);
    const framer = createFramer(this.settings.framing, (bytes) => sink.data({ bytes, at: this.clock() }));
    stream.on('data', (chunk) => framer.push(chunk));
    stream.on('error', (error) => {
      // The system's message goes to the log; staff see what happened.
      sink.problem(new Error(`read error: ${error.message}`));
      sink.lost('it stopped answering (unplugged, or the cable is loose)');
    });
    stream.on('close', () => sink.lost('the port closed'));
    return {
      async close() {
        framer.dispose();
        await stream.close();
      },
    };
  }
}
