/**
 * What a scan is, by its content (not by which screen has focus): a licence, a product barcode,
 * a card swipe, or nothing the register can use (with a message saying what to do).
 */
import { parseLicense } from '../../licenses/index.js';
import type { ScannedLicence } from '../../../preload/contract/devices.js';
import { makeVisible } from '../visible.js';
import { looksLikeSwipe, parseCardTracks } from './card.js';
import { parseProductCode } from './product.js';

export type Recognised =
  | { kind: 'licence'; licence: ScannedLicence; warnings: string[]; raw: string }
  | { kind: 'product'; code: string; symbology: string | null }
  | { kind: 'card'; cardNumber: string }
  | { kind: 'unrecognised'; rawVisible: string; message: string };

export interface ScanInput {
  bytes: Uint8Array;
  /** The device's own symbology id (HID POS), when it sent one. */
  symbology?: string | null;
}

export function recognise(input: ScanInput): Recognised {
  const text = Buffer.from(input.bytes).toString('latin1');
  const rawVisible = makeVisible(input.bytes);
  const unrecognised = (message: string): Recognised => ({ kind: 'unrecognised', rawVisible, message });

  if (input.bytes.length === 0) return unrecognised('The scan was empty: scan again.');

  // The licence reader knows the AAMVA header and its mangled forms (BOM, CR/LF swaps).
  const parsed = parseLicense(input.bytes);
  if (parsed.ok) return { kind: 'licence', licence: parsed.license, warnings: parsed.warnings, raw: text };
  if (parsed.error.code === 'misread') {
    return unrecognised(`${parsed.error.message.charAt(0).toUpperCase()}${parsed.error.message.slice(1)}.`);
  }
  if (parsed.error.code !== 'not_a_licence') return unrecognised(`The licence could not be read: ${parsed.error.message}`);

  if (looksLikeSwipe(text)) {
    const card = parseCardTracks(text);
    if (card.ok) return { kind: 'card', cardNumber: card.cardNumber };
    if (card.reason === 'licence_stripe') {
      return { kind: 'unrecognised', rawVisible: '(magnetic stripe hidden)', message: "That is a driver's licence stripe: scan the barcode on the back of the licence instead." };
    }
    // Never show raw track data.
    return { kind: 'unrecognised', rawVisible: '(magnetic stripe hidden)', message: 'The card could not be read: swipe it again, in one smooth motion.' };
  }

  const product = parseProductCode(text);
  if (product.ok) return { kind: 'product', code: product.code, symbology: input.symbology ?? product.impliedSymbology };
  if (product.reason === 'bad_check_digit') {
    return unrecognised('The barcode was misread (its check digit is wrong): scan it again.');
  }
  return unrecognised('This scan is not a licence, a product barcode or a rewards card: check what was scanned and try again.');
}

/** One line for the test panel: what the scan was recognised as. */
export function describeRecognised(result: Recognised): string {
  switch (result.kind) {
    case 'licence': {
      const name = [result.licence.lastName, result.licence.firstName].filter(Boolean).join(', ');
      return `licence (${name || 'no name'}, ${result.licence.state ?? result.licence.iin})`;
    }
    case 'product':
      return `product ${result.code}${result.symbology ? ` (${result.symbology})` : ''}`;
    case 'card':
      return `card ending ${result.cardNumber.slice(-4)}`;
    case 'unrecognised':
      return `unrecognised: ${result.message}`;
  }
}
