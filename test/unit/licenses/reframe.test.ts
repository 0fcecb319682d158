/**
 * Property: re-framing a licence payload the ways scanners damage framing never changes what is
 * read. For every fixture in test/fixtures/aamva and a few payloads built by the standard's
 * rules, each re-framing (one separator replaced everywhere, or only in the header, by every other
 * control character; CR and LF swapped, turned into each other or doubled; whitespace before or
 * after the payload; the final separator lost) must read the same profile as the original, or be
 * refused. It must never read a different name or date. Bounded: about 7,000 parses, a second or two.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLicense, type ParsedLicense } from '../../../main/licenses/index.js';
import { buildPayload, modernElements, modernPayload } from './build.js';

const LF = '\n';
const RS = '\u001e';
const CR = '\r';

const fixturesDir = join(import.meta.dirname, '../../fixtures/aamva');
const fixtures: Array<[string, string]> = readdirSync(fixturesDir)
  .filter((name) => name.endsWith('.txt'))
  .sort()
  .map((name) => [name, readFileSync(join(fixturesDir, name), 'utf8')]);

const v01Dates = { DBB: '19860606', DBA: '20301210', DBD: '20190606' };
const synthetic: Array<[string, string]> = [
  ['built v08', modernPayload()],
  ['built v01 DAA', buildPayload({
    version: 1,
    elements: modernElements({ DAA: 'PUBLIC,JOHN,Q,JR', DCS: null, DAC: null, DAD: null, DCU: null, ...v01Dates }),
  })],
  ['built v03 DCT', buildPayload({
    version: 3,
    elements: modernElements({ DAC: null, DAD: null, DCT: 'MARY,ANN', DCG: 'CAN', ...v01Dates }),
  })],
  ['built ID v10 no jurisdiction subfile', modernPayload({}, { version: 10, documentType: 'ID', jurisdictionSubfile: null })],
  ['built v01 South Carolina shape', southCarolinaShape()],
  ['built v01 Florida whole address', buildPayload({
    iin: '636010',
    version: 1,
    elements: [['DAA', 'MORALES,TERESA,ANN'], ['DAG', '2215 PALM LN APT 3, LAKE WORTH, FL 33460-1234'], ['DAQ', 'M452198337615'],
      ['DBA', '20250611'], ['DBB', '19790611'], ['DBC', '2'], ['DBD', '20170524'], ['DAU', '505']],
    jurisdictionSubfile: { type: 'ZF', elements: [['ZFA', ''], ['ZFB', '']] },
  })],
];

/** `@ LF FS CR` header, DL offset one byte too far, DAA with a trailing comma, CR CR LF after the data. */
function southCarolinaShape(): string {
  const data = ['DLDAQ204418837', 'DAAHOLLOWAY,RENEE,JANINE,', 'DAG41 MARSH WREN CT', 'DAIMOUNT PLEASANT', 'DAJSC',
    'DAK294640000  ', 'DARD   ', 'DBA20240818', 'DBB19810818', 'DBC2', 'DBD20160705', 'DBH2'].join(LF) + CR;
  return `@${LF}\u001c${CR}ANSI 6360050101DL0030${String(data.length).padStart(4, '0')}${data}${CR}${CR}${LF}`;
}

/** Every control character: C0, DEL and C1 (a Zebra wedge sends U+0090). */
const CONTROLS: readonly string[] = [
  ...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)),
  '\u007f',
  ...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(0x80 + code)),
];

/** Fields compared; names and dates above all. */
const FIELDS = [
  'licenseNumber', 'firstName', 'middleName', 'lastName', 'nameSuffix', 'dateOfBirth', 'expirationDate', 'issueDate',
  'sex', 'street', 'street2', 'city', 'state', 'postalCode', 'country', 'documentType', 'aamvaVersion', 'iin',
] as const;

/** The header's separators: between `@` and the file type. */
const HEADER_GAP = /^(\ufeff?\s*@)([^A-Za-z0-9]*)(?=ANSI|AAMVA)/;

function replaceInHeader(payload: string, from: string, to: string): string {
  return payload.replace(HEADER_GAP, (_, at: string, gap: string) => at + gap.split(from).join(to));
}

/** The final separator lost: the last control character of the payload, with whatever follows it, dropped. */
function withoutFinalSeparator(payload: string): string {
  const trimmed = payload.replace(/[\s\u001c-\u001f]+$/, '');
  return trimmed === payload ? payload.replace(/[\r\n]$/, '') : trimmed;
}

/** Every re-framing of `payload`, named. */
function reframings(payload: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, separator] of [['LF', LF], ['RS', RS], ['CR', CR]] as const) {
    if (!payload.includes(separator)) continue;
    for (const control of CONTROLS) {
      if (control === separator) continue;
      const hex = control.charCodeAt(0).toString(16).padStart(2, '0');
      out.push([`${name} → 0x${hex} everywhere`, payload.split(separator).join(control)]);
      out.push([`${name} → 0x${hex} in the header`, replaceInHeader(payload, separator, control)]);
    }
  }
  out.push(
    ['CR ↔ LF', payload.replace(/[\r\n]/g, (c) => (c === CR ? LF : CR))],
    ['CR → LF', payload.replace(/\r/g, LF)],
    ['LF → CR', payload.replace(/\n/g, CR)],
    ['CR → CRLF', payload.replace(/\r/g, CR + LF)],
    ['LF → CRLF', payload.replace(/\n/g, CR + LF)],
    ['CR doubled', payload.replace(/\r/g, CR + CR)],
    ['LF doubled', payload.replace(/\n/g, LF + LF)],
    ['lost final separator', withoutFinalSeparator(payload)],
  );
  // Two damages at once: a header separator replaced, and CR turned into LF or CRLF, or lost at the end.
  for (const control of CONTROLS) {
    const hex = control.charCodeAt(0).toString(16).padStart(2, '0');
    const header = replaceInHeader(replaceInHeader(payload, RS, control), CR, control);
    out.push(
      [`header RS and CR → 0x${hex}, CR → LF`, header.replace(/\r/g, LF)],
      [`header RS and CR → 0x${hex}, CR → CRLF`, header.replace(/\r/g, CR + LF)],
      [`header RS and CR → 0x${hex}, lost final separator`, withoutFinalSeparator(header)],
    );
  }
  const edges: Array<[string, string]> = [
    [' ', ''], ['  \t', ''], [LF, ''], [CR + LF, ''], ['', ' '], ['', LF], ['', CR + LF], ['', CR + CR + LF], ['', '  \t\n'],
    [' \t', CR + LF],
  ];
  for (const [before, after] of edges) {
    out.push([`whitespace ${JSON.stringify(before)} before, ${JSON.stringify(after)} after`, before + payload + after]);
  }
  return out;
}

function pick(license: ParsedLicense): Record<string, unknown> {
  return Object.fromEntries(FIELDS.map((field) => [field, license[field]]));
}

describe('re-framed as scanners damage framing, a payload reads the same or is refused', () => {
  it.each([...fixtures, ...synthetic])('%s', (_name, payload) => {
    const original = parseLicense(payload);
    expect(original.ok, original.ok ? '' : original.error.message).toBe(true);
    if (!original.ok) return;
    const want = pick(original.license);
    const differences: string[] = [];
    let read = 0;
    const all = reframings(payload);
    for (const [how, reframed] of all) {
      const result = parseLicense(reframed);
      if (!result.ok) continue;
      read++;
      const got = pick(result.license);
      const changed = FIELDS.filter((field) => got[field] !== want[field]);
      if (changed.length > 0) {
        differences.push(`${how}: ${changed.map((f) => `${f} ${JSON.stringify(want[f])} → ${JSON.stringify(got[f])}`).join(', ')}`);
      }
    }
    if (process.env.REFRAME_VERBOSE) console.log(`${_name}: ${read}/${all.length} read`);
    expect(differences).toEqual([]);
    // Refusing every re-framing would pass the check above: most must read.
    expect(read / all.length).toBeGreaterThan(0.9);
  });
});
