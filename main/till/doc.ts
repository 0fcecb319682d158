/**
 * What a printer prints, as plain data: a receipt, a report or a test page is a list of blocks.
 * Built by ./receipt.ts and ./reports.ts, encoded by ./encoder.ts for the printer's language.
 */
import { z } from 'zod';

export const receiptBlockSchema = z.discriminatedUnion('kind', [
  /** Large and centred (the store name). */
  z.object({ kind: z.literal('title'), text: z.string() }),
  z.object({ kind: z.literal('center'), text: z.string(), bold: z.boolean().optional() }),
  z.object({ kind: z.literal('text'), text: z.string(), bold: z.boolean().optional() }),
  /** Left text and right text on one line (an item and its price). */
  z.object({ kind: z.literal('pair'), left: z.string(), right: z.string(), bold: z.boolean().optional() }),
  z.object({ kind: z.literal('rule') }),
  /** Code 128, with the value printed under it. */
  z.object({ kind: z.literal('barcode'), value: z.string().min(1).max(40) }),
  z.object({ kind: z.literal('feed'), lines: z.number().int().min(1).max(10) }),
]);
export type ReceiptBlock = z.infer<typeof receiptBlockSchema>;

export const receiptDocSchema = z.object({ blocks: z.array(receiptBlockSchema) });
export type ReceiptDoc = z.infer<typeof receiptDocSchema>;

/** The text of a document, one line per block, as a screen preview or a PDF would show it. */
export function docLines(doc: ReceiptDoc, columns = 42): string[] {
  const lines: string[] = [];
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'title':
      case 'center':
      case 'text':
        lines.push(block.text);
        break;
      case 'pair':
        lines.push(...pairLines(block.left, block.right, columns));
        break;
      case 'rule':
        lines.push('-'.repeat(columns));
        break;
      case 'barcode':
        lines.push(`[${block.value}]`);
        break;
      case 'feed':
        for (let i = 0; i < block.lines; i++) lines.push('');
        break;
    }
  }
  return lines;
}

/** Left and right on one line of `columns` characters; a long left side is cut, never the amount. */
export function pairLine(left: string, right: string, columns: number): string {
  const room = Math.max(1, columns - right.length - 1);
  const shown = left.length > room ? left.slice(0, room) : left;
  return `${shown}${' '.repeat(columns - shown.length - right.length)}${right}`;
}

/**
 * Left and right in `columns` characters: on one line when they fit, else the left side wrapped at
 * spaces (continuation lines indented two more) with the amount on its last line, or on a line of
 * its own when that line is full. No word of a customer's receipt is cut.
 */
export function pairLines(left: string, right: string, columns: number): string[] {
  if (left.length + 1 + right.length <= columns) return [pairLine(left, right, columns)];
  const indent = ' '.repeat(Math.min(Math.floor(columns / 2), left.length - left.trimStart().length + 2));
  const lines: string[] = [];
  let current = left.slice(0, left.length - left.trimStart().length);
  for (const word of left.trimStart().split(/\s+/)) {
    let rest = word;
    while (rest) {
      const gap = current.trim() ? ' ' : '';
      if (current.length + gap.length + rest.length <= columns) {
        current += gap + rest;
        rest = '';
      } else if (current.trim()) {
        lines.push(current);
        current = indent;
      } else {
        // A word longer than the line: hard-cut (only a label nobody can wrap).
        const room = columns - current.length;
        lines.push(current + rest.slice(0, room));
        rest = rest.slice(room);
        current = indent;
      }
    }
  }
  if (current.length + 1 + right.length <= columns) lines.push(pairLine(current, right, columns));
  else lines.push(current, ' '.repeat(Math.max(0, columns - right.length)) + right);
  return lines;
}
