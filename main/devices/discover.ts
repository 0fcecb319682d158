/** What is plugged in now: serial ports and HID devices, for Settings > Devices. */
import type { FoundHidDevice, FoundSerialPort } from '../../preload/contract/devices.js';
import { messageOf } from './driver.js';
import { hidRole, type HidBackend } from './transports/hid.js';
import { hexId, type SerialBackend } from './transports/serial.js';

export async function discoverDevices(
  serial: SerialBackend,
  hid: HidBackend,
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
      problems.push(`Serial ports could not be listed: ${messageOf(error)}`);
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
      problems.push(`USB HID devices could not be listed (${messageOf(error)}): on Linux, check the udev rules in resources/.`);
      return [];
    },
  );
  return { serialPorts, hidDevices, problems };
}
