/**
 * Scans that read as a licence but carry a misread field are refused with "scan again", never
 * used to fill a profile; names and addresses that merely contain an element ID's letters, or
 * accents, still read.
 */
import { describe, expect, it } from 'vitest';
import { parseLicense } from '../../../main/licenses/index.js';
import { buildPayload, MODERN_FIELDS, modernElements, modernPayload } from './build.js';

/** The modern payload with the separator before `id` lost, so that element runs into the previous one. */
function withLostSeparator(id: string, payload = modernPayload()): string {
  const at = payload.indexOf(`\n${id}`);
  if (at < 0) throw new Error(`no ${id} in the payload`);
  return payload.slice(0, at) + payload.slice(at + 1);
}

function misreadField(input: string): string {
  const result = parseLicense(input);
  if (result.ok) throw new Error(`expected a misread, got a licence: ${JSON.stringify(result.license)}`);
  expect(result.error.code).toBe('misread');
  expect(result.error.message).toMatch(/scan it again/);
  return result.error.field ?? '';
}

describe('misread scans', () => {
  it.each([
    ['the issue date glued to the first name', withLostSeparator('DBD', modernPayload({ DAC: 'JOHN', DDF: null, DAD: null, DDG: null, DCU: null, DCA: null, DCB: null, DCD: null })), 'first name'],
    ['a truncation flag glued to the last name', withLostSeparator('DDE'), 'last name'],
    ['the state glued to the city', withLostSeparator('DAJ'), 'city'],
    ['the last name glued to the licence number', withLostSeparator('DCS'), 'licence number'],
    ['the class glued to the suffix', withLostSeparator('DCA'), 'name suffix'],
  ])('refuses %s', (_name, input, field) => {
    expect(misreadField(input)).toBe(field);
  });

  it('refuses the first name JOHNDBD081884194 from the field', () => {
    expect(misreadField(modernPayload({ DAC: 'JOHNDBD081884194' }))).toBe('first name');
  });

  it.each([
    ['a digit in a first name', { DAC: 'MI8CHAEL' }, 'first name'],
    ['digits in a last name', { DCS: 'D19860606OE' }, 'last name'],
    ['a caret in a last name', { DCS: 'SAMP^LE' }, 'last name'],
    ['a stray lowercase letter in a first name', { DAC: 'JpOHN' }, 'first name'],
    ['a digit in a city', { DAI: 'RICH9MOND' }, 'city'],
    ['a bracket in a street', { DAG: '2300 WEST ]BROAD STREET' }, 'street'],
    ['a state that is not two letters', { DAJ: 'V^' }, 'state'],
    ['a postal code that is neither a ZIP nor Canadian', { DAK: '23?69' }, 'postal code'],
  ])('refuses %s', (_name, overrides: Record<string, string>, field) => {
    expect(misreadField(modernPayload(overrides))).toBe(field);
  });

  it.each([
    ['DANIEL', { DAC: 'DANIEL' }],
    ['MIDDLETON', { DCS: 'MIDDLETON' }],
    ['HALLIDAY', { DCS: 'HALLIDAY' }],
    ['ADDAMS', { DCS: 'ADDAMS' }],
    ['EDDIE', { DAC: 'EDDIE' }],
    ['MADDOX', { DCS: 'MADDOX' }],
    ['DAWSON', { DCS: 'DAWSON' }],
    ['DASILVA', { DCS: 'DASILVA' }],
    ['DACOSTA', { DCS: 'DACOSTA' }],
    ['GOODCHILD', { DCS: 'GOODCHILD' }],
    ['WOODCOCK', { DCS: 'WOODCOCK' }],
    ["O'BRIEN-SMITH", { DCS: "O'BRIEN-SMITH" }],
    ['MUÑOZ', { DCS: 'MUÑOZ' }],
    ['ST. JOHN', { DCS: 'ST. JOHN' }],
    ['DAYTON', { DAI: 'DAYTON' }],
    ['DALLAS', { DAI: 'DALLAS' }],
    ['WOODCREST DR', { DAG: '12 WOODCREST DR' }],
    ['PADDOCK LN #4', { DAG: '7 PADDOCK LN #4' }],
  ])('still reads a card for %s', (_name, overrides: Record<string, string>) => {
    const result = parseLicense(modernPayload(overrides));
    expect(result.ok ? 'licence' : `${result.error.code}: ${result.error.message}`).toBe('licence');
  });

  it('still reads a version 01 card whose city starts with an element ID (DAYTON, no eye colour)', () => {
    const payload = buildPayload({
      version: 1,
      elements: modernElements({ DAI: 'DAYTON', DAY: null, DAA: 'DANIELS,DANIEL,Q', DCS: null, DAC: null, DAD: null, DBB: '19860606', DBA: '20301210', DBD: '20190606' }),
    });
    const result = parseLicense(payload);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.license).toMatchObject({ city: 'DAYTON', lastName: 'DANIELS', firstName: 'DANIEL' });
  });

  it('the modern card itself reads unchanged', () => {
    const result = parseLicense(modernPayload());
    expect(result.ok && result.license).toMatchObject(MODERN_FIELDS);
  });
});
