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
        lines.push(pairLine(block.left, block.right, columns));
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
