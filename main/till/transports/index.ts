import type { PrinterTransport } from '../config.js';
import { serialPrinter } from './serial.js';
import { tcpPrinter } from './tcp.js';
import type { PrinterLink } from './types.js';
import { usbLinuxPrinter } from './usb-linux.js';
import { windowsSpoolerPrinter } from './windows-spooler.js';

export type { PrinterLink, PrintOutcome } from './types.js';

export function linkFor(transport: PrinterTransport): PrinterLink {
  switch (transport.kind) {
    case 'tcp':
      return tcpPrinter(transport.host, transport.port);
    case 'usb_linux':
      return usbLinuxPrinter(transport.path);
    case 'serial':
      return serialPrinter(transport.path, transport.baudRate);
    case 'windows_spooler':
      return windowsSpoolerPrinter(transport.queue);
  }
}
