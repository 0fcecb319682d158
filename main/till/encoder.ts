/**
 * The encoder facade: a ReceiptDoc (pure data) → the bytes one printer understands, through
 * @point-of-sale/receipt-printer-encoder (ESC/POS, StarPRNT, Star Line; per-model codepages).
 * Business code never writes printer bytes: it builds a ReceiptDoc and names a printer.
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { PrinterConfig } from './config.js';
import { pairLines, type ReceiptDoc } from './doc.js';

type Model = NonNullable<ConstructorParameters<typeof ReceiptPrinterEncoder>[0]>['printerModel'];

/** The library's pulse() halves the milliseconds and wraps past 510 ms: the config keeps ≤ 500 (research/till.md §1.1). */
export const MAX_PULSE_MS = 500;

function encoderFor(printer: PrinterConfig): ReceiptPrinterEncoder {
  return new ReceiptPrinterEncoder({
    language: printer.language,
    columns: printer.columns,
    ...(printer.model ? { printerModel: printer.model as Model } : {}),
    feedBeforeCut: 4,
  });
}

type Codepage = Parameters<ReceiptPrinterEncoder['codepage']>[0];

/**
 * 'auto' lets the library pick, per character, a codepage the model has: needed for € or accents,
 * but it costs ~100–300 ms a receipt. Plain ASCII prints the same in every codepage, so a document
 * that is all ASCII uses cp437 (the ESC/POS default table) and skips the search.
 */
function start(encoder: ReceiptPrinterEncoder, printer: PrinterConfig, ascii: boolean): ReceiptPrinterEncoder {
  const codepage = printer.codepage === 'auto' ? (ascii ? 'cp437' : 'auto') : (printer.codepage as Codepage);
  return encoder.initialize().codepage(codepage);
}

function docIsAscii(doc: ReceiptDoc): boolean {
  const printable = /^[\x20-\x7e]*$/;
  return doc.blocks.every((block) => {
    switch (block.kind) {
      case 'pair':
        return printable.test(block.left) && printable.test(block.right);
      case 'title':
      case 'center':
      case 'text':
        return printable.test(block.text);
      case 'barcode':
        return printable.test(block.value);
      default:
        return true;
    }
  });
}

function pulse(encoder: ReceiptPrinterEncoder, printer: PrinterConfig): ReceiptPrinterEncoder {
  const { pin, onMs, offMs } = printer.drawer;
  return encoder.pulse(pin === 5 ? 1 : 0, Math.min(onMs, MAX_PULSE_MS), Math.min(offMs, MAX_PULSE_MS));
}

/** A document, cut at the end; `kick` opens the drawer first (a cash sale's receipt). */
export function encodeDoc(doc: ReceiptDoc, printer: PrinterConfig, options: { kick?: boolean } = {}): Uint8Array {
  const encoder = start(encoderFor(printer), printer, docIsAscii(doc));
  if (options.kick) pulse(encoder, printer);
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'title':
        encoder.align('center').bold(true).size(2, 2).line(block.text).size(1, 1).bold(false).align('left');
        break;
      case 'center':
        encoder.align('center').bold(block.bold ?? false).line(block.text).bold(false).align('left');
        break;
      case 'text':
        encoder.bold(block.bold ?? false).line(block.text).bold(false);
        break;
      case 'pair':
        encoder.bold(block.bold ?? false);
        for (const line of pairLines(block.left, block.right, printer.columns)) encoder.line(line);
        encoder.bold(false);
        break;
      case 'rule':
        encoder.line('-'.repeat(printer.columns));
        break;
      case 'barcode':
        encoder.align('center').barcode(block.value, 'code128', { height: 60, text: 'below' }).align('left');
        break;
      case 'feed':
        encoder.newline(block.lines);
        break;
    }
  }
  return encoder.cut('partial').encode();
}

/** Only the drawer kick (ESC p on ESC/POS, ESC BEL … BEL on Star): "No sale", or a cash sale whose receipt waits. */
export function encodeKick(printer: PrinterConfig): Uint8Array {
  return pulse(encoderFor(printer).initialize(), printer).encode();
}
