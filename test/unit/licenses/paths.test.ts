/**
 * The parser reads well-framed scans on a fast path (readStandardFraming) and everything else
 * with every repair (readWithRepairs). Wherever the fast path accepts a payload it must give
 * exactly what the repair path gives: the same elements, repairs and flags, so the same fields
 * and warnings. These tests run both on the fixtures, on the quirk builder's payloads and on
 * seeded mutations of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLicense } from '../../../main/licenses/index.js';
import { buildLicense } from '../../../main/licenses/parse.js';
import { readStandardFraming, readWithRepairs, type Payload, type PayloadResult } from '../../../main/licenses/payload.js';
import {
  buildPayload,
  c1Noise,
  controlLetters,
  crToCrlf,
  crToLf,
  dropRs,
  mangleHeader,
  modernElements,
  modernPayload,
  setOffset,
  stripSeparators,
  substituteSeparators,
} from './build.js';

const fixturesDir = join(import.meta.dirname, '../../fixtures/aamva');
const fixtures = readdirSync(fixturesDir)
  .filter((name) => name.endsWith('.txt'))
  .sort()
  .map((name) => ({ name, text: readFileSync(join(fixturesDir, name), 'utf8') }));

const v01 = buildPayload({
  version: 1,
  elements: modernElements({ DAA: 'PUBLIC,JOHN,Q,JR', DCS: null, DAC: null, DAD: null, DBB: '19860606', DBA: '20301210', DBD: '20190606' }),
});
const v03Canada = buildPayload({
  version: 3,
  iin: '636012',
  elements: modernElements({ DAC: null, DAD: null, DCT: 'MARY,ANN', DCG: 'CAN', DAK: 'N1M 3J6', DBB: '19860606', DBA: '20301210', DBD: '20190606' }),
});

/** Payloads the standard's rules produce, and the same with damage the fast path must take or leave alone. */
const builtPayloads: Array<[string, string]> = [
  ['textbook v08', modernPayload()],
  ['v01 full name', v01],
  ['v03 Canada, given names', v03Canada],
  ['v02 without jurisdiction version', buildPayload({ version: 2, jurisdictionVersion: null, elements: modernElements({ DAD: 'ANN, MARIE' }) })],
  ['ID subfile', modernPayload({}, { documentType: 'ID' })],
  ['enhanced DL', modernPayload({}, { documentType: 'EN' })],
  ['no DL prefix', modernPayload({}, { omitSubfileType: true })],
  ['file type AAMVA', modernPayload({}, { fileType: 'AAMVA' })],
  ['no jurisdiction subfile', modernPayload({}, { jurisdictionSubfile: null })],
  ['padded, NONE and empty values', modernPayload({ DAC: 'MICHAEL   ', DAD: 'NONE', DCU: '', DAG: ' 2300 WEST BROAD STREET ' })],
  ['Wyoming middle initial in DAC', modernPayload({ DAC: 'JANE Q', DAD: '', DAJ: 'WY' }, { iin: '636060' })],
  ['residence street', buildPayload({ version: 1, elements: modernElements({ DAG: '', DAL: '12 ELM ST', DBB: '19860606', DBA: '20301210', DBD: '20190606' }) })],
  ['bad offset', setOffset(modernPayload(), 'DL', '0007')],
  ['date in the other order', modernPayload({ DBB: '19860606' })],
  ['truncation flags', modernPayload({ DDE: 'T', DDF: 't', DDG: 'T' })],
  ['two elements glued', modernPayload({ DBC: '1DAYBRO' })],
  ['cr as lf', crToLf(modernPayload())],
  ['crlf', crToCrlf(modernPayload())],
  ['rs dropped', dropRs(modernPayload())],
  ['header lost its separators', mangleHeader(modernPayload(), '')],
  ['header LF only', mangleHeader(modernPayload(), '\n')],
  ['byte-order mark', `\ufeff${modernPayload()}`],
  ['separators stripped', stripSeparators(modernPayload())],
  ['separators stripped, v03', stripSeparators(v03Canada)],
  ['control letters', controlLetters(modernPayload())],
  ['substituted separators', substituteSeparators(modernPayload(), '|')],
  ['C1 noise', c1Noise(modernPayload())],
  ['leading whitespace', `  ${modernPayload()}`],
  ['STX/ETX around the data', `\u0002${modernPayload()}\u0003`],
  ['Latin-1 name', modernPayload({ DAC: 'RENÉE' })],
  ['AIM prefix', `]L0${modernPayload()}`],
  ['cut short', modernPayload().slice(0, 120)],
];

function stateOf(payload: Payload): Record<string, unknown> {
  return {
    iin: payload.iin,
    aamvaVersion: payload.aamvaVersion,
    documentType: payload.documentType,
    endsInsideSubfile: payload.endsInsideSubfile,
    repairs: payload.repairs,
    size: payload.elements.size,
    elements: payload.elements.toRecord(),
  };
}

/** Null when the fast path declines `text`; otherwise both paths' payloads and profiles. */
function bothPaths(text: string): { fast: Payload; full: PayloadResult } | null {
  const fast = readStandardFraming(text);
  return fast === null ? null : { fast, full: readWithRepairs(text) };
}

function expectSameReading(text: string): void {
  const both = bothPaths(text);
  if (both === null) return;
  const { fast, full } = both;
  expect(full.ok, JSON.stringify(text)).toBe(true);
  if (!full.ok) return;
  expect(stateOf(fast), JSON.stringify(text)).toEqual(stateOf(full.payload));
  expect(buildLicense(fast), JSON.stringify(text)).toEqual(buildLicense(full.payload));
}

describe('fast path and repair path', () => {
  it.each(fixtures.map(({ name, text }) => [name, text]))('read fixture %s alike', (_name, text) => {
    expectSameReading(text);
  });

  it.each(builtPayloads)('read a built payload alike: %s', (_name, text) => {
    expectSameReading(text);
  });

  it('takes the common framings, so the comparisons above compare something', () => {
    const taken = fixtures.filter(({ text }) => readStandardFraming(text) !== null).map(({ name }) => name);
    expect(taken.length).toBeGreaterThanOrEqual(12);
    for (const name of ['textbook v08', 'v01 full name', 'v03 Canada, given names', 'cr as lf', 'crlf', 'byte-order mark', 'separators stripped', 'bad offset']) {
      const text = builtPayloads.find(([label]) => label === name)?.[1] ?? '';
      expect(readStandardFraming(text), name).not.toBeNull();
    }
  });

  it('leaves every quirk it does not handle to the repair path', () => {
    for (const name of ['control letters', 'substituted separators', 'C1 noise', 'leading whitespace', 'STX/ETX around the data', 'Latin-1 name', 'AIM prefix']) {
      const text = builtPayloads.find(([label]) => label === name)?.[1] ?? '';
      expect(readStandardFraming(text), name).toBeNull();
      expect(parseLicense(text).ok, name).toBe(true);
    }
  });

  it('reads seeded mutations alike wherever the fast path takes them', () => {
    let state = 0x1ce5eed;
    const random = (): number => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = (n: number): number => Math.floor(random() * n);
    const pieces = ['\n', '\r', '\u001e', ' ', 'M', 'Z', 'ZVZVA', 'DAQ', 'DCS', 'DAC', 'DAD', 'DBB', 'DBA', 'DBD', 'DCT', 'DAA', 'DCU', 'DDA', 'DDE', 'NONE', ',', '19860606', '06061986', 'é', '\u0090', 'DL', 'ID', '0'];
    const seeds = [...fixtures.map(({ text }) => text), ...builtPayloads.map(([, text]) => text)];
    let compared = 0;
    for (let i = 0; i < 6000; i++) {
      let text = seeds[i % seeds.length] ?? '';
      for (let edit = 0; edit <= pick(3); edit++) {
        const at = pick(text.length + 1);
        const piece = pieces[pick(pieces.length)] ?? '';
        if (random() < 0.3) text = text.slice(0, at) + text.slice(at + 1 + pick(6));
        else if (random() < 0.5) text = text.slice(0, at) + piece + text.slice(at);
        else text = text.slice(0, at) + piece + text.slice(at + piece.length);
      }
      if (readStandardFraming(text) !== null) compared++;
      expectSameReading(text);
    }
    // Most mutations keep the framing: the fast path must have been compared many times.
    expect(compared).toBeGreaterThan(2000);
  });
});
