/**
 * The HID simulator: a fake node-hid boundary. Tests and the demo plug devices in and out and
 * play recorded reports through the real reassembler; `failRead` is a node-hid read error.
 */
import { EventEmitter } from 'node:events';
import type { HidBackend, HidDeviceInfo, HidHandle } from './hid.js';

export class FakeHidDevice extends EventEmitter implements HidHandle {
  closed = false;

  constructor(readonly info: HidDeviceInfo) {
    super();
  }

  /** One input report, as node-hid's 'data' event delivers it. */
  report(bytes: Uint8Array): void {
    if (!this.closed) this.emit('data', Buffer.from(bytes));
  }

  /** What node-hid does when the device is unplugged mid-read. */
  failRead(message = 'could not read from HID device'): void {
    if (!this.closed) this.emit('error', new Error(message));
  }

  close(): void {
    this.closed = true;
  }
}

export class FakeHidBus implements HidBackend {
  private readonly plugged = new Map<string, HidDeviceInfo>();
  readonly opened: FakeHidDevice[] = [];

  plug(info: HidDeviceInfo & { path: string }): void {
    this.plugged.set(info.path, info);
  }

  unplug(path: string): void {
    this.plugged.delete(path);
    for (const device of this.opened) if (device.info.path === path && !device.closed) device.failRead();
  }

  /** The most recently opened handle for this path. */
  handle(path: string): FakeHidDevice | undefined {
    return [...this.opened].reverse().find((device) => device.info.path === path && !device.closed);
  }

  async devices(): Promise<HidDeviceInfo[]> {
    return [...this.plugged.values()];
  }

  async open(path: string): Promise<HidHandle> {
    const info = this.plugged.get(path);
    if (!info) throw new Error(`cannot open device with path ${path}`);
    const device = new FakeHidDevice(info);
    this.opened.push(device);
    return device;
  }
}
