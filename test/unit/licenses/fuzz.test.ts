/**
 * Fuzz: at least 100,000 mutated and random inputs. The parser must never throw, must always
 * return a well-formed result, and must never return a field value that is not in its input.
 * Seeded, so a failure names an input that reproduces it. A second run measures how many
 * damaged payloads still read as a licence, and how many of those read a field wrong.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLicense, type LicenseParseResult } from '../../../main/licenses/index.js';
import { seededRandom } from '../../../main/trace/sandbox-faults.js';
import {
  buildPayload,
  controlLetters,
  crToLf,
  modernElements,
  modernPayload,
  stripSeparators,
  substituteSeparators,
} from './build.js';

const ITERATIONS = 100_000;
/** A safety stop so a pathological slowdown fails loudly instead of hanging CI. */
const DEADLINE_MS = 60_000;

const fixturesDir = join(import.meta.dirname, '../../fixtures/aamva');
const seeds: string[] = [
  ...readdirSync(fixturesDir).filter((name) => name.endsWith('.txt')).map((name) => readFileSync(join(fixturesDir, name), 'utf8')),
  modernPayload(),
  crToLf(modernPayload()),
  controlLetters(modernPayload()),
  stripSeparators(modernPayload()),
  substituteSeparators(modernPayload(), '|'),
  buildPayload({ version: 1, elements: modernElements({ DAA: 'PUBLIC,JOHN,Q,JR', DCS: null, DAC: null, DAD: null, DBB: '19860606', DBA: '20301210', DBD: '20190606' }) }),
  buildPayload({ version: 3, elements: modernElements({ DAC: null, DAD: null, DCT: 'MARY,ANN', DCG: 'CAN', DBB: '19860606', DBA: '20301210', DBD: '20190606' }) }),
  // Version 01 with the whole address in one line (early Florida), and `$` in DAA with a trailing separator.
  buildPayload({
    iin: '636010',
    version: 1,
    elements: [['DAA', 'MORALES$TERESA$ANN$'], ['DAG', '2215 PALM LN APT 3 LAKE WORTH FL 334601234'], ['DAQ', 'M452198337615'],
      ['DBA', '20250611'], ['DBB', '19790611'], ['DBC', '2'], ['DBD', '20170524']],
  }),
];

const ALPHABET = '@\n\r\u001e\u001c ANSIDLZVCABGHJKQUXY0123456789,-|]M6%^$?;=\u0090ÔÜ¿\ufeffé';
const FRAGMENTS = ['DAQ', 'DBB', 'DBA', 'DBD', 'DCS', 'DAC', 'DAD', 'DCT', 'DAA', 'DAG', 'DAK', 'DCG', 'ZVZVA', 'ANSI ', '636000', '08', 'DL', 'ID', 'NONE', '\r', '\n', '\u001e', 'M', '19860606', '06061986', '%BC', ']L0'];

function mutate(random: () => number, input: string): string {
  const pick = (n: number): number => Math.floor(random() * n);
  const char = (): string => ALPHABET.charAt(pick(ALPHABET.length));
  let text = input;
  const edits = 1 + pick(6);
  for (let e = 0; e < edits; e++) {
    const at = pick(text.length + 1);
    switch (pick(9)) {
      case 0: text = text.slice(0, at) + text.slice(at + 1 + pick(8)); break; // delete a run
      case 1: text = text.slice(0, at) + char() + text.slice(at); break; // insert
      case 2: text = text.slice(0, at) + char() + text.slice(at + 1); break; // replace
      case 3: text = text.slice(0, at); break; // cut short
      case 4: text = text.slice(0, at) + (FRAGMENTS[pick(FRAGMENTS.length)] ?? '') + text.slice(at); break;
      case 5: { // duplicate a slice
        const from = pick(text.length);
        text = text.slice(0, at) + text.slice(from, from + pick(40)) + text.slice(at);
        break;
      }
      case 6: text = text.replace(/[\r\n\u001e]/g, (c) => (random() < 0.3 ? '' : c)); break; // drop separators
      case 7: text = text.slice(at) + text.slice(0, at); break; // rotate
      default: text = text.slice(0, at) + String.fromCharCode(pick(0x100)) + text.slice(at); break; // any Latin-1 byte
    }
  }
  return text;
}

function randomInput(random: () => number): string {
  const length = Math.floor(random() * 400);
  let text = random() < 0.5 ? '@\n\u001e\rANSI 636000080002DL00410278' : '';
  for (let i = 0; i < length; i++) {
    text += random() < 0.2 ? FRAGMENTS[Math.floor(random() * FRAGMENTS.length)] : ALPHABET.charAt(Math.floor(random() * ALPHABET.length));
  }
  return text;
}

/** What the parser may read from: printable ASCII and Latin-1 letters, nothing else. */
function readableText(input: string): string {
  return input.replace(/[^\x20-\x7e\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]/g, '');
}

/** Damaged payloads measured by the second test. */
const DAMAGED_PAYLOADS = 20_000;
const PROFILE_FIELDS = [
  'licenseNumber', 'firstName', 'middleName', 'lastName', 'nameSuffix', 'dateOfBirth', 'expirationDate', 'issueDate',
  'sex', 'street', 'street2', 'city', 'state', 'postalCode', 'country',
] as const;

const STRING_FIELDS = ['licenseNumber', 'firstName', 'lastName', 'nameSuffix', 'street', 'street2', 'city', 'state', 'iin'] as const;
const ERROR_CODES = ['not_a_licence', 'cut_short', 'unsupported_layout', 'missing_birth_date', 'misread'];

/** Returns a description of what is wrong with `result` for `input`, or null. */
function problemWith(input: string, result: LicenseParseResult): string | null {
  if (!result.ok) {
    if (!ERROR_CODES.includes(result.error.code)) return `unknown error code ${result.error.code}`;
    return result.error.message.length > 0 ? null : 'empty error message';
  }
  const license = result.license;
  const readable = readableText(input);
  // Coded values (dates, postal codes) are ASCII: the parser drops any other character in them.
  const ascii = readable.replace(/[^\x20-\x7e]/g, '');
  const digits = ascii.replace(/\D/g, '');
  const compact = ascii.replace(/[\s-]/g, '').toUpperCase();
  for (const field of STRING_FIELDS) {
    const value = license[field];
    if (value !== null && (value.length === 0 || !readable.includes(value))) return `${field} ${JSON.stringify(value)} is not in the input`;
  }
  for (const word of (license.middleName ?? '').split(' ')) {
    if (!readable.includes(word)) return `middle name word ${JSON.stringify(word)} is not in the input`;
  }
  for (const field of ['dateOfBirth', 'expirationDate', 'issueDate'] as const) {
    const iso = license[field];
    if (iso === null) continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return `${field} ${iso} is not ISO`;
    const [year = '', month = '', day = ''] = iso.split('-');
    if (!digits.includes(year + month + day) && !digits.includes(month + day + year)) return `${field} ${iso} is not in the input`;
  }
  if (license.dateOfBirth === null) return 'a licence without a birth date';
  if (license.postalCode !== null && !compact.includes(license.postalCode.replace(/[\s-]/g, '').toUpperCase())) {
    return `postal code ${license.postalCode} is not in the input`;
  }
  if (license.sex !== null && !['M', 'F', 'X'].includes(license.sex)) return `sex ${license.sex}`;
  if (license.country !== null && !['USA', 'CAN'].includes(license.country)) return `country ${license.country}`;
  if (!['DL', 'ID'].includes(license.documentType)) return `documentType ${license.documentType}`;
  if (!Number.isInteger(license.aamvaVersion) || license.aamvaVersion < 1 || license.aamvaVersion > 99) return `version ${license.aamvaVersion}`;
  if (!/^\d{6}$/.test(license.iin)) return `iin ${license.iin}`;
  return null;
}

describe('fuzz', () => {
  it(`never throws and never invents a field, over ${ITERATIONS} inputs`, () => {
    // LICENSE_FUZZ_SEED=n explores other inputs; the default keeps CI reproducible.
    const random = seededRandom(Number(process.env.LICENSE_FUZZ_SEED ?? 0x5eed));
    const started = Date.now();
    let ran = 0;
    let licences = 0;
    for (; ran < ITERATIONS; ran++) {
      if (ran % 1000 === 0 && Date.now() - started > DEADLINE_MS) break;
      const seed = seeds[ran % seeds.length] ?? '';
      const input = ran % 10 === 9 ? randomInput(random) : mutate(random, seed);
      let result: LicenseParseResult;
      try {
        result = parseLicense(ran % 7 === 0 ? new TextEncoder().encode(input) : input);
      } catch (error) {
        throw new Error(`parseLicense threw on ${JSON.stringify(input)}: ${String(error)}`);
      }
      const problem = problemWith(input, result);
      if (problem !== null) throw new Error(`${problem}; input ${JSON.stringify(input)}`);
      if (result.ok) licences++;
    }
    if (ran < ITERATIONS) console.warn(`fuzz: stopped at the ${DEADLINE_MS} ms safety deadline after ${ran} inputs`);
    else expect(ran).toBe(ITERATIONS);
    // Mutations are mostly small: a good share must still read as licences, or the fuzz tests nothing.
    expect(licences).toBeGreaterThan(ran / 10);
  }, 120_000);

  it('refuses damaged payloads rather than filling a profile from them', () => {
    // Undamaged, every seed reads; then each is damaged (mutate) and read again.
    const undamaged = seeds.map((seed) => parseLicense(seed));
    for (const result of undamaged) expect(result.ok).toBe(true);
    const random = seededRandom(0xda11a9e);
    let readAsLicence = 0;
    let readWrong = 0;
    for (let ran = 0; ran < DAMAGED_PAYLOADS; ran++) {
      const index = ran % seeds.length;
      const result = parseLicense(mutate(random, seeds[index] ?? ''));
      const before = undamaged[index];
      if (!result.ok || !before?.ok) continue;
      readAsLicence++;
      if (PROFILE_FIELDS.some((field) => result.license[field] !== null && result.license[field] !== before.license[field])) readWrong++;
    }
    const percent = (n: number): string => `${((100 * n) / DAMAGED_PAYLOADS).toFixed(1)}%`;
    console.log(`fuzz: of ${DAMAGED_PAYLOADS} damaged payloads ${percent(readAsLicence)} still read as a licence, ${percent(readWrong)} with a field unlike the undamaged card's`);
    // Before misreads were refused (main/licenses/misread.ts): 50.0% and 29.8%; since: 31.7% and
    // 11.5%; with the v01 whole-address seed added: 31.3% and 11.3%. Many mutations touch nothing
    // the profile uses (the header, an optional element), so those still read, rightly; most of
    // the rest are truncations and swapped letters that no check can tell from a real value
    // (RICHMOND cut to RICH).
    expect(readAsLicence / DAMAGED_PAYLOADS).toBeLessThan(0.35);
    expect(readWrong / DAMAGED_PAYLOADS).toBeLessThan(0.14);
  });

  it('the invariant check itself catches an invented field', () => {
    const input = modernPayload();
    const result = parseLicense(input);
    expect(problemWith(input, result)).toBeNull();
    if (!result.ok) return;
    const forged: LicenseParseResult = { ...result, license: { ...result.license, lastName: 'INVENTED' } };
    expect(problemWith(input, forged)).toMatch(/lastName/);
    const forgedDate: LicenseParseResult = { ...result, license: { ...result.license, dateOfBirth: '1999-01-02' } };
    expect(problemWith(input, forgedDate)).toMatch(/dateOfBirth/);
  });
});
