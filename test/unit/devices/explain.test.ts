/**
 * Device problems reach staff in plain words with what to do; the system's own message goes to
 * the log only. The serial case runs the real serialport list with no udevadm on PATH.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { discoverDevices } from '../../../main/devices/discover.js';
import { explainDeviceProblem } from '../../../main/devices/explain.js';
import type { HidBackend } from '../../../main/devices/transports/hid.js';
import { serialportBackend, type SerialBackend } from '../../../main/devices/transports/serial.js';

const raw = /ENOENT|spawn|udevadm |\.so\.|errno|shared object/;

const noHid: HidBackend = { devices: async () => [], open: async () => Promise.reject(new Error('not used')) };
const noSerial: SerialBackend = { list: async () => [], open: async () => Promise.reject(new Error('not used')) };

describe('device problems in staff words', () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it.runIf(process.platform === 'linux')('the real serial port list without udevadm: says to install udev, logs the system message', async () => {
    process.env.PATH = '/nonexistent-register-test-path';
    const logged: string[] = [];
    const found = await discoverDevices(serialportBackend(), noHid, (_problem, detail) => logged.push(detail));
    process.env.PATH = savedPath;
    expect(found.serialPorts).toEqual([]);
    expect(found.problems).toHaveLength(1);
    expect(found.problems[0]).toMatch(/^Serial ports could not be listed: this computer is missing the udev tool/);
    expect(found.problems[0]).toContain('sudo apt-get install udev');
    expect(found.problems[0]).not.toMatch(raw);
    expect(logged.join(' ')).toContain('spawn udevadm ENOENT');
  });

  it('a missing libusb when listing USB devices: says to install it and restart', async () => {
    const missing: HidBackend = {
      devices: async () => Promise.reject(new Error('libusb-1.0.so.0: cannot open shared object file: No such file or directory')),
      open: async () => Promise.reject(new Error('not used')),
    };
    const logged: string[] = [];
    const found = await discoverDevices(noSerial, missing, (_problem, detail) => logged.push(detail));
    expect(found.problems).toEqual([expect.stringMatching(/^USB devices could not be listed: this computer is missing the USB library .*restart the register/)]);
    expect(found.problems[0]).not.toMatch(raw);
    expect(logged).toEqual(['libusb-1.0.so.0: cannot open shared object file: No such file or directory']);
  });

  it.each([
    ['EACCES', Object.assign(new Error("Error: cannot open device with path /dev/hidraw3 (EACCES: permission denied, open '/dev/hidraw3')"), { code: 'EACCES' }), /does not let the register use the device/],
    ['EBUSY', Object.assign(new Error('Error Resource busy, cannot open /dev/ttyACM0'), { code: 'EBUSY' }), /another program is using it/],
    ['unknown', new Error('Error: Unknown error code 0x1f'), /unplug the device, plug it back in and try again/],
  ])('%s opening a device: what is wrong and what to do, no system words', (_name, error, expected) => {
    const explained = explainDeviceProblem('open', error);
    expect(explained.text).toMatch(/^The device was found but could not be opened: /);
    expect(explained.text).toMatch(expected);
    expect(explained.text).not.toMatch(/EACCES|EBUSY|0x1f|\/dev\//);
    expect(explained.detail).toBe(error.message);
  });
});
