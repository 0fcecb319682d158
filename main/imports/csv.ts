/**
 * Reading a CSV file for an import: UTF-8 only (a file saved in another encoding is refused with
 * what to do, never read as mojibake), a header line, one record per row with the line it starts
 * on. Problems in the file's shape (an unclosed quote, a row with too many values) are reported
 * per line; nothing here writes anything.
 */
import { parse } from 'csv-parse/sync';
import { CoreError } from '../core/errors.js';
import { tooLarge } from './uploads.js';

export interface CsvRow {
  /** The line of the file the row starts on (the header is line 1). */
  line: number;
  /** Values by header. */
  values: Map<string, string>;
  /** The row has a different number of values than the header. */
  shapeProblem: string | null;
}

export interface CsvTable {
  headers: string[];
  rows: CsvRow[];
}

export const MAX_IMPORT_ROWS = 100_000;

/** Decode as UTF-8 (a byte-order mark is dropped) or refuse. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw new CoreError(
      'invalid_message',
      'The file is not UTF-8 text: in the other program (or a spreadsheet), save it again as "CSV UTF-8", then choose it here.',
    );
  }
}

export function readCsv(bytes: Uint8Array, maxBytes: number): CsvTable {
  if (bytes.length > maxBytes) throw new CoreError('invalid_message', tooLarge(maxBytes));
  const text = decodeUtf8(bytes);
  if (text.trim() === '') throw new CoreError('invalid_message', 'The file is empty: export it again from the other program.');
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as Array<{
      record: string[];
      info: { lines: number };
    }>;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    const where = typeof line === 'number' ? ` near line ${line}` : '';
    throw new CoreError(
      'invalid_message',
      `The file is not a readable CSV${where} (${error instanceof Error ? error.message.replace(/^Invalid Record Length: /, '') : 'unreadable'}): check for a quote that is never closed, fix the file and choose it again.`,
    );
  }
  if (records.length === 0) throw new CoreError('invalid_message', 'The file is empty: export it again from the other program.');
  if (records.length - 1 > MAX_IMPORT_ROWS) {
    throw new CoreError('invalid_message', `The file has ${records.length - 1} rows; an import takes at most ${MAX_IMPORT_ROWS}: split it into smaller files.`);
  }
  const headers = records[0]!.record.map((header) => header.trim());
  const seen = new Set<string>();
  for (const header of headers) {
    if (header === '') continue;
    const key = header.toLowerCase();
    if (seen.has(key)) throw new CoreError('invalid_message', `The header names the column "${header}" twice: rename one of them and choose the file again.`);
    seen.add(key);
  }
  // info.lines is the line a record ends on; it starts as many lines earlier as its values hold line breaks.
  const rows: CsvRow[] = [];
  for (const { record, info } of records.slice(1)) {
    const values = new Map<string, string>();
    headers.forEach((header, index) => values.set(header, (record[index] ?? '').trim()));
    const shapeProblem =
      record.length === headers.length
        ? null
        : `has ${record.length} values but the header has ${headers.length} columns: check for a missing or extra comma (a comma inside a value needs quotes).`;
    const breaks = record.reduce((sum, value) => sum + (value.match(/\r\n|\n|\r/g)?.length ?? 0), 0);
    rows.push({ line: info.lines - breaks, values, shapeProblem });
  }
  return { headers, rows };
}

/** A header in a comparable form: "Date of Birth" = "date_of_birth" = "DateOfBirth". */
export function headerKey(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Quote a value for a CSV we write (RFC 4180), and neutralise a leading formula character. */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: Array<string | number | boolean | null>): string {
  return values.map(csvCell).join(',');
}
