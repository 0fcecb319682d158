/**
 * Test-only ESC/POS decoder for the subset the register emits (no kept npm decoder exists:
 * research/till.md §3). Table-driven: each opcode names its op and how many argument bytes follow.
 * Unknown opcodes throw, so a change in what the encoder emits fails the tests instead of passing
 * silently. Text is collected into lines (LF ends a line, CR is ignored).
 */

export type EscPosOp =
  | { op: 'init' }
  | { op: 'text'; text: string }
  | { op: 'bold'; on: boolean }
  | { op: 'underline'; dots: number }
  | { op: 'italic'; on: boolean }
  | { op: 'invert'; on: boolean }
  | { op: 'align'; to: 'left' | 'center' | 'right' }
  | { op: 'size'; width: number; height: number }
  | { op: 'font'; font: number }
  | { op: 'codepage'; table: number }
  | { op: 'kanji_off' }
  | { op: 'line_spacing'; dots: number | null }
  | { op: 'barcode_setting'; what: 'height' | 'width' | 'text_position' | 'text_font'; value: number }
  | { op: 'barcode'; symbology: number; data: string }
  | { op: 'pulse'; pin: 2 | 5; onMs: number; offMs: number }
  | { op: 'cut'; partial: boolean; feed: number }
  | { op: 'feed'; lines: number }
  | { op: 'status_query'; n: number };

type Reader = (args: number[]) => EscPosOp;
interface Entry {
  /** Argument bytes after the opcode. */
  args: number;
  read: Reader;
}

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;
const key = (prefix: number, code: number) => (prefix << 8) | code;

const table = new Map<number, Entry>([
  [key(ESC, 0x40), { args: 0, read: () => ({ op: 'init' }) }],
  [key(ESC, 0x45), { args: 1, read: ([n]) => ({ op: 'bold', on: (n! & 1) === 1 }) }],
  [key(ESC, 0x2d), { args: 1, read: ([n]) => ({ op: 'underline', dots: n! % 48 }) }],
  [key(ESC, 0x34), { args: 1, read: ([n]) => ({ op: 'italic', on: (n! & 1) === 1 }) }],
  [key(ESC, 0x61), { args: 1, read: ([n]) => ({ op: 'align', to: (['left', 'center', 'right'] as const)[n! % 48] ?? 'left' }) }],
  [key(ESC, 0x4d), { args: 1, read: ([n]) => ({ op: 'font', font: n! % 48 }) }],
  [key(ESC, 0x74), { args: 1, read: ([n]) => ({ op: 'codepage', table: n! }) }],
  [key(ESC, 0x33), { args: 1, read: ([n]) => ({ op: 'line_spacing', dots: n! }) }],
  [key(ESC, 0x32), { args: 0, read: () => ({ op: 'line_spacing', dots: null }) }],
  [key(ESC, 0x64), { args: 1, read: ([n]) => ({ op: 'feed', lines: n! }) }],
  [key(ESC, 0x70), { args: 3, read: ([m, on, off]) => ({ op: 'pulse', pin: m! % 48 === 1 ? 5 : 2, onMs: on! * 2, offMs: off! * 2 }) }],
  [key(GS, 0x21), { args: 1, read: ([n]) => ({ op: 'size', width: (n! >> 4) + 1, height: (n! & 0x0f) + 1 }) }],
  [key(GS, 0x42), { args: 1, read: ([n]) => ({ op: 'invert', on: (n! & 1) === 1 }) }],
  [key(GS, 0x68), { args: 1, read: ([n]) => ({ op: 'barcode_setting', what: 'height', value: n! }) }],
  [key(GS, 0x77), { args: 1, read: ([n]) => ({ op: 'barcode_setting', what: 'width', value: n! }) }],
  [key(GS, 0x48), { args: 1, read: ([n]) => ({ op: 'barcode_setting', what: 'text_position', value: n! % 48 }) }],
  [key(GS, 0x66), { args: 1, read: ([n]) => ({ op: 'barcode_setting', what: 'text_font', value: n! }) }],
  [key(FS, 0x2e), { args: 0, read: () => ({ op: 'kanji_off' }) }],
  [key(DLE, 0x04), { args: 1, read: ([n]) => ({ op: 'status_query', n: n! }) }],
]);

export interface Decoded {
  ops: EscPosOp[];
  /** The printed text, line by line (trailing spaces kept off). */
  lines: string[];
  pulses: Array<Extract<EscPosOp, { op: 'pulse' }>>;
  barcodes: string[];
  cuts: number;
}

export function decodeEscPos(input: Uint8Array): Decoded {
  const bytes = Array.from(input);
  const ops: EscPosOp[] = [];
  const lines: string[] = [];
  let text = '';
  const flushText = () => {
    if (text) ops.push({ op: 'text', text });
  };
  const endLine = () => {
    flushText();
    lines.push(text.trimEnd());
    text = '';
  };
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    if (byte === 0x0a) {
      endLine();
      i += 1;
      continue;
    }
    if (byte === 0x0d) {
      i += 1;
      continue;
    }
    if (byte >= 0x20) {
      text += byte < 0x80 ? String.fromCharCode(byte) : '?';
      i += 1;
      continue;
    }
    flushText();
    const lineSoFar = text;
    text = '';
    const code = bytes[i + 1];
    if (code === undefined) throw new Error(`ESC/POS: a command cut short at byte ${i}`);
    if (byte === GS && code === 0x56) {
      // GS V m (0/1/48/49) or GS V m n (65/66: feed n, then cut).
      const m = bytes[i + 2]!;
      const feed = m >= 65 ? bytes[i + 3]! : 0;
      ops.push({ op: 'cut', partial: m % 48 === 1 || m === 66, feed });
      i += m >= 65 ? 4 : 3;
    } else if (byte === GS && code === 0x6b) {
      // GS k m: m < 32 NUL-terminated data; m ≥ 65 a length byte, then data.
      const m = bytes[i + 2]!;
      let data: number[];
      if (m >= 65) {
        const n = bytes[i + 3]!;
        data = bytes.slice(i + 4, i + 4 + n);
        i += 4 + n;
      } else {
        const end = bytes.indexOf(0, i + 3);
        data = bytes.slice(i + 3, end);
        i = end + 1;
      }
      // Code 128 data starts with a code set selector ({A, {B, {C).
      const value = String.fromCharCode(...data).replace(/^\{[ABC]/, '');
      ops.push({ op: 'barcode', symbology: m, data: value });
    } else {
      const entry = table.get(key(byte, code));
      if (!entry) throw new Error(`ESC/POS: unknown command ${byte.toString(16)} ${code.toString(16)} at byte ${i}`);
      const args = bytes.slice(i + 2, i + 2 + entry.args);
      if (args.length < entry.args) throw new Error(`ESC/POS: a command cut short at byte ${i}`);
      ops.push(entry.read(args));
      i += 2 + entry.args;
    }
    text = lineSoFar;
  }
  if (text) endLine();
  return {
    ops,
    lines,
    pulses: ops.filter((op): op is Extract<EscPosOp, { op: 'pulse' }> => op.op === 'pulse'),
    barcodes: ops.filter((op): op is Extract<EscPosOp, { op: 'barcode' }> => op.op === 'barcode').map((op) => op.data),
    cuts: ops.filter((op) => op.op === 'cut').length,
  };
}
