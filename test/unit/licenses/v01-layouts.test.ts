/**
 * Two version 01 layouts real counters see (issue 23), each on payloads written here to the same
 * shape as the cards (values invented):
 *  - old South Carolina cards: header `@ LF FS CR ANSI` (FS, 0x1C, then CR where the standard
 *    puts RS), a DL offset one byte too far, DAA `LAST,FIRST,MIDDLE,` with a trailing comma and
 *    the scanner's CR CR LF after the data;
 *  - early Florida layouts: no city, state or postal elements, the whole address in one line.
 */
import { describe, expect, it } from 'vitest';
import { splitAddressLine } from '../../../main/licenses/address.js';
import { parseLicense, type ParsedLicense } from '../../../main/licenses/index.js';
import { splitFullName } from '../../../main/licenses/values.js';
import { buildPayload, type Element } from './build.js';

function parsed(input: string): { license: ParsedLicense; warnings: string[] } {
  const result = parseLicense(input);
  if (!result.ok) throw new Error(`expected a licence, got ${result.error.code}: ${result.error.message}`);
  return { license: result.license, warnings: result.warnings };
}

// ---------------------------------------------------------------- South Carolina v01

/** An old South Carolina card's data: elements split by LF, CR at the end, then CR CR LF from the scanner. */
function southCarolinaData(daa: string): string {
  return [
    'DLDAQ204418837', `DAA${daa}`, 'DAG41 MARSH WREN CT', 'DAIMOUNT PLEASANT', 'DAJSC', 'DAK294640000  ',
    'DARD   ', 'DAS          ', 'DAT     ', 'DAU504', 'DAW130', 'DAY   ', 'DAZ   ',
    'DBA20240818', 'DBB19810818', 'DBC2', 'DBD20160705', 'DBG2', 'DBH2',
  ].join('\n') + '\r';
}

/** Header with `gap` between `@` and `ANSI`; v01 (no jurisdiction version), one entry, offset 0030. */
function southCarolina(gap: string, daa = 'HOLLOWAY,RENEE,JANINE,', suffix = '\r\r\n'): string {
  const data = southCarolinaData(daa);
  return `@${gap}ANSI 6360050101DL0030${String(data.length).padStart(4, '0')}${data}${suffix}`;
}

const SOUTH_CAROLINA_FIELDS = {
  licenseNumber: '204418837',
  lastName: 'HOLLOWAY',
  firstName: 'RENEE',
  middleName: 'JANINE',
  nameSuffix: null,
  dateOfBirth: '1981-08-18',
  expirationDate: '2024-08-18',
  issueDate: '2016-07-05',
  sex: 'F',
  street: '41 MARSH WREN CT',
  city: 'MOUNT PLEASANT',
  state: 'SC',
  postalCode: '29464',
  country: 'USA',
  aamvaVersion: 1,
  iin: '636005',
} as const;

describe('version 01 with FS then CR in the header and a trailing comma in DAA (old South Carolina)', () => {
  it('reads every field', () => {
    const { license, warnings } = parsed(southCarolina('\n\u001c\r'));
    expect(license).toMatchObject(SOUTH_CAROLINA_FIELDS);
    expect(warnings).toContain('header: damaged separators repaired');
  });

  it('reads the same with any control character in any of the header separator positions', () => {
    const controls = [...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)), '\u007f'];
    const gaps = new Set<string>();
    for (const control of controls) {
      gaps.add(`${control}\u001e\r`);
      gaps.add(`\n${control}\r`);
      gaps.add(`\n\u001c${control}`);
      gaps.add(`\n${control}`);
      gaps.add(control);
    }
    for (const gap of gaps) {
      const result = parseLicense(southCarolina(gap));
      expect(result.ok, JSON.stringify(gap)).toBe(true);
      if (result.ok) expect(result.license, JSON.stringify(gap)).toMatchObject(SOUTH_CAROLINA_FIELDS);
    }
  });

  it('reads the same when the data separators are FS too, or the scanner suffix is gone', () => {
    const fsData = southCarolina('\n\u001c\r').replace(/\n/g, '\u001c');
    expect(parsed(fsData).license).toMatchObject(SOUTH_CAROLINA_FIELDS);
    expect(parsed(southCarolina('\n\u001c\r', undefined, '')).license).toMatchObject(SOUTH_CAROLINA_FIELDS);
  });

  it.each([
    ['HOLLOWAY,RENEE,JANINE,', { last: 'HOLLOWAY', first: 'RENEE', middle: 'JANINE', suffix: null }],
    ['HOLLOWAY$RENEE$JANINE$', { last: 'HOLLOWAY', first: 'RENEE', middle: 'JANINE', suffix: null }],
    ['HOLLOWAY, RENEE, JANINE,', { last: 'HOLLOWAY', first: 'RENEE', middle: 'JANINE', suffix: null }],
    ['HOLLOWAY,RENEE,', { last: 'HOLLOWAY', first: 'RENEE', middle: null, suffix: null }],
    ['HOLLOWAY$RENEE', { last: 'HOLLOWAY', first: 'RENEE', middle: null, suffix: null }],
    ['HOLLOWAY,RENEE,JANINE,JR,', { last: 'HOLLOWAY', first: 'RENEE', middle: 'JANINE', suffix: 'JR' }],
    ['HOLLOWAY$RENEE$JANINE$III$', { last: 'HOLLOWAY', first: 'RENEE', middle: 'JANINE', suffix: 'III' }],
    ['HOLLOWAY,RENEE,JANINE,,', { last: 'HOLLOWAY', first: 'RENEE', middle: 'JANINE', suffix: null }],
    ['HOLLOWAY,RENEE,JANINE MAE,', { last: 'HOLLOWAY', first: 'RENEE', middle: 'JANINE MAE', suffix: null }],
    ['HOLLOWAY,RENEE JANINE', { last: 'HOLLOWAY', first: 'RENEE', middle: 'JANINE', suffix: null }],
    ['RENEE JANINE HOLLOWAY', { last: 'HOLLOWAY', first: 'RENEE', middle: 'JANINE', suffix: null }],
  ])('DAA %j, as a card and as a value', (daa, want) => {
    expect(splitFullName(daa)).toEqual(want);
    const { license } = parsed(southCarolina('\n\u001c\r', daa));
    expect(license).toMatchObject({
      ...SOUTH_CAROLINA_FIELDS, lastName: want.last, firstName: want.first, middleName: want.middle, nameSuffix: want.suffix,
    });
  });
});

// ---------------------------------------------------------------- Florida v01

const FLORIDA_ELEMENTS: Element[] = [
  ['DAQ', 'M452198337615'], ['DAR', 'E   '], ['DAS', '          '], ['DAT', '     '],
  ['DBA', '20250611'], ['DBB', '19790611'], ['DBC', '2'], ['DBD', '20170524'], ['DBH', 'N'], ['DAU', '505'],
];

/** A Florida v01 card (IIN 636010, ZF subfile) with the given address elements after DAA. */
function florida(address: Element[], daa = 'MORALES,TERESA,ANN'): string {
  return buildPayload({
    iin: '636010',
    version: 1,
    elements: [['DAA', daa], ...address, ...FLORIDA_ELEMENTS],
    jurisdictionSubfile: { type: 'ZF', elements: [['ZFA', ''], ['ZFB', ''], ['ZFC', 'P771206120090']] },
  });
}

const FLORIDA_PERSON = {
  licenseNumber: 'M452198337615', lastName: 'MORALES', firstName: 'TERESA', middleName: 'ANN',
  dateOfBirth: '1979-06-11', expirationDate: '2025-06-11', issueDate: '2017-05-24', sex: 'F', country: 'USA',
} as const;

describe('version 01 Florida: the whole address in one element', () => {
  it.each([
    ['commas', '2215 DAISY LN APT 3, LAKE WORTH, FL 33460-1234', '2215 DAISY LN APT 3', 'LAKE WORTH', '33460-1234'],
    ['no commas, ZIP+4 run together', '2215 DAISY LN APT 3 LAKE WORTH FL 334601234', '2215 DAISY LN APT 3', 'LAKE WORTH', '33460-1234'],
    ['$ separators', '2215 DAISY LN APT 3$LAKE WORTH$FL$33460', '2215 DAISY LN APT 3', 'LAKE WORTH', '33460'],
    ['spacing kept as printed', '2215  DAISY LN APT 3  LAKE  WORTH  FL  33460', '2215  DAISY LN APT 3', 'LAKE  WORTH', '33460'],
    ['direction and lot', '908 NW 12TH AVE LOT 44 WEST PALM BEACH FL 33401', '908 NW 12TH AVE LOT 44', 'WEST PALM BEACH', '33401'],
    ['a street type inside the city', '71 OCEAN BLVD PORT ST LUCIE FL 34952', '71 OCEAN BLVD', 'PORT ST LUCIE', '34952'],
    ['post office box', 'PO BOX 5521 KEY LARGO FL 33037', 'PO BOX 5521', 'KEY LARGO', '33037'],
    ['longer than one element value', '1500 SOUTHEAST FEDERAL HIGHWAY EXTENSION BLVD STE 1200, PONTE VEDRA BEACH, FL 32082-4455',
      '1500 SOUTHEAST FEDERAL HIGHWAY EXTENSION BLVD STE 1200', 'PONTE VEDRA BEACH', '32082-4455'],
  ])('splits street, city, state and ZIP (%s)', (_how, line, street, city, postalCode) => {
    const { license, warnings } = parsed(florida([['DAG', line]]));
    expect(license).toMatchObject({ ...FLORIDA_PERSON, street, street2: null, city, state: 'FL', postalCode });
    expect(warnings).toContain('city, state and postal code read from the one address line');
  });

  it('reads city, state and ZIP from the second address line when that is all it holds', () => {
    const { license } = parsed(florida([['DAG', '2215 DAISY LN APT 3'], ['DAH', 'LAKE WORTH, FL 33460']]));
    expect(license).toMatchObject({ ...FLORIDA_PERSON, street: '2215 DAISY LN APT 3', street2: null, city: 'LAKE WORTH', state: 'FL', postalCode: '33460' });
  });

  it('reads the residence line when the mailing street is empty', () => {
    const { license } = parsed(florida([['DAG', ''], ['DAL', '440 GULF SHORE DR UNIT 1203, NAPLES, FL 34102']]));
    expect(license).toMatchObject({ street: '440 GULF SHORE DR UNIT 1203', city: 'NAPLES', state: 'FL', postalCode: '34102' });
  });

  it('leaves the city empty, with a warning, where nothing tells the street from the city', () => {
    const { license, warnings } = parsed(florida([['DAG', '18 SEAGRAPE COURTYARD MIAMI FL 33133']]));
    expect(license).toMatchObject({ street: '18 SEAGRAPE COURTYARD MIAMI', city: null, state: 'FL', postalCode: '33133' });
    expect(warnings).toContain('the city could not be told apart from the street');
  });

  it('keeps the card\'s own city, state and ZIP elements when it has them', () => {
    const { license, warnings } = parsed(florida([
      ['DAG', '1234 PARK ST LOT 504'], ['DAI', 'KEY WEST'], ['DAJ', 'FL'], ['DAK', '33040-0504 '],
    ]));
    expect(license).toMatchObject({ street: '1234 PARK ST LOT 504', city: 'KEY WEST', state: 'FL', postalCode: '33040-0504' });
    expect(warnings.join()).not.toMatch(/one address line/);
  });

  it('splits only version 01 cards', () => {
    const payload = buildPayload({
      iin: '636010',
      version: 4,
      elements: [['DAQ', 'M452198337615'], ['DCS', 'MORALES'], ['DAC', 'TERESA'], ['DBB', '06111979'], ['DBA', '06112025'],
        ['DAG', '2215 PALM LN APT 3, LAKE WORTH, FL 33460']],
    });
    const { license } = parsed(payload);
    expect(license).toMatchObject({ street: '2215 PALM LN APT 3, LAKE WORTH, FL 33460', city: null, postalCode: null });
  });

  it('does not split a line that does not end in a known state and a postal code', () => {
    expect(splitAddressLine('2215 DAISY LN APT 3', 'wholeAddress')).toBeNull();
    expect(splitAddressLine('2215 DAISY LN, LAKE WORTH, ZZ 33460', 'wholeAddress')).toBeNull();
    expect(splitAddressLine('2215 DAISY LN, LAKE WORTH, FL', 'wholeAddress')).toBeNull();
    expect(splitAddressLine(`${'9 '.repeat(80)}ST KEY WEST FL 33040`, 'wholeAddress')).toBeNull();
    expect(splitAddressLine('1 RUE KING, MONCTON, NB E1C 4M3', 'wholeAddress')).toEqual({
      street: '1 RUE KING', city: 'MONCTON', state: 'NB', postalCode: 'E1C 4M3',
    });
  });
});
