/** Product barcodes: UPC/EAN/GTIN with their check digit, or another printable code (package tags). */

export type ProductResult =
  | { ok: true; code: string; impliedSymbology: string | null }
  | { ok: false; reason: 'bad_check_digit' | 'not_a_product' };

/** GS1 mod-10 check digit over all digits but the last. */
export function gs1CheckDigitOk(digits: string): boolean {
  let sum = 0;
  const body = digits.slice(0, -1);
  for (let i = 0; i < body.length; i++) {
    const digit = Number(body[body.length - 1 - i]);
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

const GS1_LENGTHS: Record<number, string> = { 8: 'EAN-8', 12: 'UPC-A', 13: 'EAN-13', 14: 'GTIN-14' };

export function parseProductCode(input: string): ProductResult {
  // Scanners commonly end a code with CR, LF or Tab: not part of the code.
  const code = input.replace(/[\r\n\t]+$/g, '').replace(/^[\r\n\t]+/, '');
  if (code.length < 3 || code.length > 80 || !/^[\x20-\x7e]+$/.test(code) || code.trim() !== code) {
    return { ok: false, reason: 'not_a_product' };
  }
  if (/^\d+$/.test(code) && GS1_LENGTHS[code.length]) {
    if (!gs1CheckDigitOk(code)) return { ok: false, reason: 'bad_check_digit' };
    return { ok: true, code, impliedSymbology: GS1_LENGTHS[code.length] ?? null };
  }
  return { ok: true, code, impliedSymbology: null };
}
