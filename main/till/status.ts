/**
 * What a printer says about itself. ESC/POS printers answer DLE EOT n with one byte each
 * (research/till.md §1.3): n=1 printer (bit 3 offline, bit 2 drawer pin 3), n=2 offline cause
 * (bit 2 cover open, bit 5 stopped by paper end, bit 6 error), n=4 paper (0x60 paper end, 0x0C near end).
 * A valid reply has bit 4 set and bits 0, 1 and 7 as 0, 1, 0 (mask 0x93 == 0x12).
 */

export type PrinterCondition = 'ready' | 'offline' | 'cover_open' | 'paper_out' | 'unreachable' | 'unknown' | 'not_configured';

export interface PrinterStatus {
  condition: PrinterCondition;
  /** Drawer switch (connector pin 3) high, when the printer reports it; null when it cannot tell. */
  drawerSignal: boolean | null;
  paperLow: boolean;
  /** Words for staff: what is wrong and what to do. Empty when ready. */
  message: string;
}

/** DLE EOT 1, DLE EOT 2, DLE EOT 4: asked in one write, answered with three bytes. */
export const STATUS_QUERY = Uint8Array.from([0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x04]);

const valid = (byte: number) => (byte & 0x93) === 0x12;

export function conditionMessage(condition: PrinterCondition, where: string): string {
  switch (condition) {
    case 'ready':
    case 'unknown':
      return '';
    case 'paper_out':
      return 'The receipt printer is out of paper: load a new roll. Waiting receipts print then.';
    case 'cover_open':
      return "The receipt printer's cover is open: close it. Waiting receipts print then.";
    case 'offline':
      return 'The receipt printer is offline: check its light and that it has paper. Waiting receipts print once it is back.';
    case 'unreachable':
      return `The receipt printer cannot be reached (${where}): check it is switched on and its cable is in. Waiting receipts print once it is back.`;
    case 'not_configured':
      return 'No receipt printer is chosen for this register: choose one in Settings › Devices.';
  }
}

/** The three reply bytes → a status; null when the bytes are not DLE EOT replies. */
export function parseStatus(reply: Uint8Array, where: string): PrinterStatus | null {
  if (reply.length < 3) return null;
  const [printer, cause, paper] = [reply[0]!, reply[1]!, reply[2]!];
  if (!valid(printer) || !valid(cause) || !valid(paper)) return null;
  const drawerSignal = (printer & 0x04) !== 0;
  const paperLow = (paper & 0x0c) === 0x0c;
  let condition: PrinterCondition = 'ready';
  if ((paper & 0x60) === 0x60 || (cause & 0x20) !== 0) condition = 'paper_out';
  else if ((cause & 0x04) !== 0) condition = 'cover_open';
  else if ((printer & 0x08) !== 0) condition = 'offline';
  return { condition, drawerSignal, paperLow, message: conditionMessage(condition, where) };
}

export function statusOf(condition: PrinterCondition, where: string): PrinterStatus {
  return { condition, drawerSignal: null, paperLow: false, message: conditionMessage(condition, where) };
}
