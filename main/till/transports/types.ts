import type { PrinterStatus } from '../status.js';

export type PrintOutcome =
  /** Every byte was handed to the printer (the link closed cleanly after the last one). */
  | { printed: true; status: PrinterStatus }
  /** Nothing was printed, or the link broke part-way: the job waits and is tried again. */
  | { printed: false; status: PrinterStatus };

/** One way to reach a printer. Each call opens the link and closes it again: one job per connection. */
export interface PrinterLink {
  /** Asks the printer's status first where the link reads back (DLE EOT); sends only to a ready (or silent) printer. */
  print(bytes: Uint8Array): Promise<PrintOutcome>;
  status(): Promise<PrinterStatus>;
  /** Where it is, for staff ("192.168.1.50:9100", "/dev/usb/lp0"). */
  readonly where: string;
}
