/** The encoder facade against the test decoder: what goes in as a ReceiptDoc comes back as text and commands. */
import { describe, expect, it } from 'vitest';
import { printerConfigSchema } from '../../../main/till/config.js';
import { encodeDoc, encodeKick } from '../../../main/till/encoder.js';
import { parseStatus } from '../../../main/till/status.js';
import { decodeEscPos } from '../../support/escpos-decoder.js';
import { REPLIES } from '../../support/fake-printer.js';

const printer = printerConfigSchema.parse({ id: 'p1', name: 'Front', transport: { kind: 'tcp', host: '127.0.0.1' }, drawer: { onMs: 120, offMs: 240 } });

describe('till encoder', () => {
  it('turns a document into ESC/POS the decoder reads back: text, pairs, barcode, cut; a kick only when asked', () => {
    const doc = {
      blocks: [
        { kind: 'title' as const, text: 'Green Leaf' },
        { kind: 'pair' as const, left: 'Blue Dream 3.5g', right: '$35.00' },
        { kind: 'rule' as const },
        { kind: 'barcode' as const, value: 'S000042' },
      ],
    };
    const plain = decodeEscPos(encodeDoc(doc, printer));
    expect(plain.ops[0]).toEqual({ op: 'init' });
    expect(plain.lines).toContain('Blue Dream 3.5g' + ' '.repeat(42 - 15 - 6) + '$35.00');
    expect(plain.lines.some((line) => line.trim() === 'Green Leaf')).toBe(true);
    expect(plain.lines).toContain('-'.repeat(42));
    expect(plain.barcodes).toEqual(['S000042']);
    expect(plain.cuts).toBe(1);
    expect(plain.pulses).toEqual([]);

    const kicked = decodeEscPos(encodeDoc(doc, printer, { kick: true }));
    expect(kicked.pulses).toEqual([{ op: 'pulse', pin: 2, onMs: 120, offMs: 240 }]);
    expect(decodeEscPos(encodeKick(printer)).pulses).toEqual([{ op: 'pulse', pin: 2, onMs: 120, offMs: 240 }]);
  });

  it('a document with characters outside ASCII picks a codepage that has them; plain ASCII stays on the default table', () => {
    const ascii = decodeEscPos(encodeDoc({ blocks: [{ kind: 'text', text: 'Cafe 5.00' }] }, printer));
    expect(ascii.ops.filter((op) => op.op === 'codepage')).toEqual([{ op: 'codepage', table: 0 }]);
    const euro = decodeEscPos(encodeDoc({ blocks: [{ kind: 'text', text: 'Café €5' }] }, printer));
    expect(euro.ops.some((op) => op.op === 'codepage' && op.table !== 0)).toBe(true);
    expect(euro.lines).toContain('Caf? ?5');
  });

  it('refuses a drawer pulse over 500 ms (the library would wrap it)', () => {
    const result = printerConfigSchema.safeParse({ id: 'p1', name: 'x', transport: { kind: 'tcp', host: 'h' }, drawer: { onMs: 600 } });
    expect(result.success).toBe(false);
  });

  it.each([
    ['ready', 'ready'],
    ['paper_out', 'paper_out'],
    ['cover_open', 'cover_open'],
    ['offline', 'offline'],
  ] as const)('reads DLE EOT replies: %s', (state, condition) => {
    expect(parseStatus(Uint8Array.from(REPLIES[state]), 'here')?.condition).toBe(condition);
  });

  it('does not take stray bytes for a status', () => {
    expect(parseStatus(Uint8Array.from([0x00, 0xff, 0x12]), 'here')).toBeNull();
  });

  it('the decoder refuses a command it does not know', () => {
    expect(() => decodeEscPos(Uint8Array.from([0x1b, 0x99, 0x00]))).toThrow(/unknown command/);
  });
});
