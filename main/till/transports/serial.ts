/** Serial printers (and USB printers with a virtual COM port driver) through serialport: status reads back. */
import { SerialPort } from 'serialport';
import { statusOf } from '../status.js';
import { statusThenPrint } from './stream.js';
import type { PrinterLink, PrintOutcome } from './types.js';

export function serialPrinter(path: string, baudRate: number): PrinterLink {
  const where = path;
  const run = async (bytes: Uint8Array | null): Promise<PrintOutcome> => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    } catch {
      return { printed: false, status: statusOf('unreachable', where) };
    }
    try {
      const outcome = await statusThenPrint(port, where, bytes);
      // Wait until the bytes have left the UART buffer before closing.
      if (outcome.printed) await new Promise<void>((resolve, reject) => port.drain((error) => (error ? reject(error) : resolve())));
      return outcome;
    } catch {
      return { printed: false, status: statusOf('unreachable', where) };
    } finally {
      await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
    }
  };
  return { where, print: (bytes) => run(bytes), status: async () => (await run(null)).status };
}
