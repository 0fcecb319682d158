/**
 * Linux USB printer class: the kernel's usblp driver gives /dev/usb/lpN; writing the file prints.
 * No status is read back here (many printers have no bulk-IN endpoint and a read can block), so
 * paper and cover problems are not seen on this link: a network or serial printer reports them.
 * The device is opened write-only WITHOUT create: an unplugged printer is "cannot be reached", never
 * a regular file made at /dev/usb/lpN that swallows every later receipt.
 */

/** Write-only, never creating the path, never taking it as a controlling terminal. */
const DEVICE_FLAGS = constants.O_WRONLY | constants.O_NOCTTY;
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { statusOf, type PrinterStatus } from '../status.js';
import type { PrinterLink } from './types.js';

function problem(error: unknown, where: string): PrinterStatus {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') {
    return { ...statusOf('unreachable', where), message: `This register may not use the printer at ${where}: the user it runs as must be in the lp group (the installer's udev rule). Ask whoever set the register up.` };
  }
  return statusOf('unreachable', where);
}

export function usbLinuxPrinter(path: string): PrinterLink {
  return {
    where: path,
    async print(bytes) {
      try {
        const file = await open(path, DEVICE_FLAGS);
        try {
          await file.write(bytes);
        } finally {
          await file.close();
        }
        return { printed: true, status: statusOf('unknown', path) };
      } catch (error) {
        return { printed: false, status: problem(error, path) };
      }
    },
    async status() {
      try {
        const file = await open(path, DEVICE_FLAGS);
        await file.close();
        return statusOf('unknown', path);
      } catch (error) {
        return problem(error, path);
      }
    },
  };
}
