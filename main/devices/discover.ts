/** What is plugged in now: serial ports and HID devices, for Settings > Devices. */
import type { FoundHidDevice, FoundSerialPort } from '../../preload/contract/devices.js';
import { explainDeviceProblem } from './explain.js';
import { hidRole, type HidBackend } from './transports/hid.js';
import { hexId, type SerialBackend } from './transports/serial.js';

/** `log` receives the system's own message for each problem; the screen gets plain words. */
export async function discoverDevices(
  serial: SerialBackend,
  hid: HidBackend,
  log: (problem: string, detail: string) => void = () => undefined,
): Promise<{ serialPorts: FoundSerialPort[]; hidDevices: FoundHidDevice[]; problems: string[] }> {
  const problems: string[] = [];
  const serialPorts = await serial.list().then(
    (ports) =>
      ports.map((port) => ({
        path: port.path,
        vendorId: hexId(port.vendorId),
        productId: hexId(port.productId),
        serialNumber: port.serialNumber ?? null,
        manufacturer: port.manufacturer ?? null,
      })),
    (error: unknown) => {
      const explained = explainDeviceProblem('list-serial', error);
      log(explained.text, explained.detail);
      problems.push(explained.text);
      return [];
    },
  );
  const hidDevices = await hid.devices().then(
    (devices) =>
      devices.map((device) => ({
        vendorId: device.vendorId,
        productId: device.productId,
        serialNumber: device.serialNumber || null,
        manufacturer: device.manufacturer || null,
        product: device.product || null,
        usagePage: device.usagePage ?? null,
        usage: device.usage ?? null,
        role: hidRole(device),
      })),
    (error: unknown) => {
      const explained = explainDeviceProblem('list-hid', error);
      log(explained.text, explained.detail);
      problems.push(explained.text);
      return [];
    },
  );
  return { serialPorts, hidDevices, problems };
}
