/**
 * One test per real-world quirk (research/aamva.md §4–§6), on payloads built by the standard's
 * rules and then damaged the way scanners, wedges and issuers damage them.
 */
import { describe, expect, it } from 'vitest';
import { parseLicense, type LicenseParseResult, type ParsedLicense } from '../../../main/licenses/index.js';
import {
  buildPayload,
  c1Noise,
  controlLetters,
  crToCrlf,
  crToLf,
  dropRs,
  mangleHeader,
  MODERN_FIELDS,
  modernElements,
  modernPayload,
  setOffset,
  stripSeparators,
  substituteSeparators,
  type Element,
} from './build.js';

function parsed(input: string | Uint8Array): ParsedLicense {
  const result = parseLicense(input);
  if (!result.ok) throw new Error(`expected a licence, got ${result.error.code}: ${result.error.message}`);
  return result.license;
}

function errorOf(input: string | Uint8Array): { code: string; message: string } {
  const result = parseLicense(input);
  if (result.ok) throw new Error('expected an error, got a licence');
  return result.error;
}

function expectModernFields(license: ParsedLicense): void {
  expect(license).toMatchObject(MODERN_FIELDS);
}

describe('standard payloads', () => {
  it('reads every field of a textbook v08 payload, without warnings', () => {
    const result = parseLicense(modernPayload());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expectModernFields(result.license);
    expect(result.warnings).toEqual([]);
    expect(result.license.warnings).toEqual([]);
  });

  it('returns exactly the documented fields', () => {
    expect(Object.keys(parsed(modernPayload())).sort()).toEqual([
      ...Object.keys(MODERN_FIELDS), 'warnings',
    ].sort());
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])('reads AAMVA version %i', (version) => {
    const dateOf = (iso: string): string => (version <= 1 ? iso.replace(/-/g, '') : `${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(0, 4)}`);
    const elements = modernElements({
      DBB: dateOf('1986-06-06'), DBA: dateOf('2030-12-10'), DBD: dateOf('2019-06-06'), DDB: null,
    });
    const license = parsed(buildPayload({ version, elements }));
    expect(license).toMatchObject({ ...MODERN_FIELDS, aamvaVersion: version });
  });

  it('tolerates a version newer than it knows, with a warning', () => {
    const result = parseLicense(buildPayload({ version: 12, elements: modernElements() }));
    expect(result.ok && result.license.licenseNumber).toBe('T64235789');
    expect(result.ok && result.warnings.join()).toMatch(/version 12/);
  });

  it('reads an ID subfile as documentType ID and an enhanced DL (EN) as DL', () => {
    expect(parsed(modernPayload({}, { documentType: 'ID' })).documentType).toBe('ID');
    expect(parsed(modernPayload({}, { documentType: 'EN' })).documentType).toBe('DL');
  });

  it('reads a payload without a jurisdiction subfile', () => {
    expectModernFields(parsed(modernPayload({}, { jurisdictionSubfile: null })));
  });

  it('reads elements in any order (Arkansas reverses them)', () => {
    expectModernFields(parsed(buildPayload({ elements: modernElements().reverse() })));
  });

  it('keeps an @ inside the data (Delaware)', () => {
    expect(parsed(modernPayload({ DAG: 'APT @ CRAWFORD INN' })).street).toBe('APT @ CRAWFORD INN');
  });
});

describe('header and offsets', () => {
  it.each([
    ['RS and CR missing', '\n'],
    ['CR missing', '\n\u001e'],
    ['stray letter', 'a\n'],
    ['two stray letters', 'ac'],
    ['FS for RS', '\n\u001c\r'],
    ['non-ASCII letter', '\nÜM'],
    ['nothing at all', ''],
  ])('repairs a mangled header: %s', (_name, gap) => {
    const result = parseLicense(mangleHeader(modernPayload(), gap));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expectModernFields(result.license);
    expect(result.warnings.join()).toMatch(/header/);
  });

  it('reads file type AAMVA (Connecticut, Maryland v01)', () => {
    const payload = buildPayload({ version: 1, fileType: 'AAMVA', elements: modernElements({ DBB: '19860606', DBA: '20301210', DBD: '20190606' }) });
    expect(parsed(payload)).toMatchObject({ ...MODERN_FIELDS, aamvaVersion: 1 });
  });

  it.each([
    ['zero (Ontario)', '0000'],
    ['past the end', '9999'],
    ['one byte too far (South Carolina)', '0042'],
    ['letters (Alberta)', 'abac'],
  ])('finds the DL subfile by content when its offset is %s', (_name, offset) => {
    const result = parseLicense(setOffset(modernPayload(), 'DL', offset));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expectModernFields(result.license);
    expect(result.warnings.join()).toMatch(/offset/);
  });

  it('reads data that lacks the DL prefix (Connecticut, Wyoming)', () => {
    const result = parseLicense(modernPayload({}, { omitSubfileType: true }));
    expect(result.ok && result.license.licenseNumber).toBe('T64235789');
    expect(result.ok && result.license.documentType).toBe('DL');
  });

  it('reads a v02 header without the jurisdiction version (Illinois) and with it (New Brunswick)', () => {
    const elements = modernElements({ DDB: null });
    expect(parsed(buildPayload({ version: 2, jurisdictionVersion: null, elements })).licenseNumber).toBe('T64235789');
    expect(parsed(buildPayload({ version: 2, jurisdictionVersion: 0, elements })).licenseNumber).toBe('T64235789');
  });

  it('keeps a non-ISO IIN as encoded (Alberta 990876) and tells the country from it', () => {
    const license = parsed(buildPayload({ iin: '990876', version: 3, elements: modernElements({ DCG: null, DAJ: 'AB', DAK: 'T4G 7A7', DBB: '19860606', DBA: '20301210', DBD: '20190606', DDB: null }) }));
    expect(license).toMatchObject({ iin: '990876', country: 'CAN', state: 'AB', dateOfBirth: '1986-06-06' });
  });
});

describe('transport artefacts', () => {
  it.each([
    ['CR turned into LF', crToLf],
    ['CR turned into CRLF', crToCrlf],
    ['RS dropped', dropRs],
    ['CR to LF and RS dropped', (p: string) => dropRs(crToLf(p))],
    ['C1 noise around LF (Zebra wedge)', c1Noise],
  ])('%s', (_name, damage) => {
    expectModernFields(parsed(damage(modernPayload())));
  });

  it('a C1 control sent for every LF separates elements; one inside a value is dropped', () => {
    // Padded street lines, as Indiana writes them (reframe.test.ts found IN-v04-2 read wrong this way).
    const padded = modernPayload({ DAG: '2300 WEST BROAD STREET'.padEnd(35), DAH: 'APT 4'.padEnd(35) });
    expect(parsed(padded.replace(/\n/g, '\u0085'))).toMatchObject({ ...MODERN_FIELDS, street2: 'APT 4' });
    expectModernFields(parsed(modernPayload().replace(/\r/g, '\u0090').replace(/\n/g, '\u0090')));
    const inName = parsed(modernPayload({ DAC: 'MICH\u0085AEL', DAG: '2300 WEST \u0090BROAD STREET' }));
    expectModernFields(inName);
  });

  it('control characters typed as letters: RS → 6, CR → M', () => {
    const payload = controlLetters(modernPayload());
    expect(payload).toContain('@\n6MANSI');
    const license = parsed(payload);
    expectModernFields(license);
  });

  it('drops the typed M glued to a free-text last element', () => {
    const elements = modernElements({ DAI: null, DDB: null });
    elements.push(['DAI', 'BIRMINGHAM']);
    const payload = controlLetters(buildPayload({ elements, jurisdictionSubfile: null }));
    expect(payload.endsWith('BIRMINGHAMM')).toBe(true);
    expect(parsed(payload).city).toBe('BIRMINGHAM');
  });

  it('stops at a jurisdiction subfile glued on by a typed M (DDB…MZIZIC)', () => {
    const payload = controlLetters(buildPayload({ elements: modernElements(), jurisdictionSubfile: { type: 'ZI', elements: [['ZIC', '457']] } }));
    expect(payload).toContain('06062018MZIZIC457');
    expectModernFields(parsed(payload));
  });

  it('strips a byte-order mark, whitespace, an AIM prefix, STX/ETX and a scanner suffix', () => {
    const payload = modernPayload();
    for (const wrapped of [
      `\ufeff${payload}`,
      `\ufeff @${payload.slice(1)}`,
      `  \t${payload}  \n`,
      `]L0${payload}`,
      `\u0002${payload}\u0003`,
      `${payload}\r\r\n`,
      `${payload}\\928\\111\\100\\180`,
      `${payload}8888888888888888888888888888`,
    ]) {
      expectModernFields(parsed(wrapped));
    }
  });

  it('reads a payload whose separators were all stripped (v03 and v08)', () => {
    const v3 = buildPayload({
      version: 3,
      iin: '636015',
      elements: [
        ['DCA', 'C'], ['DCB', 'NONE'], ['DCD', 'NONE'], ['DBA', '08042015'], ['DCS', 'DOE'], ['DCT', 'JOHN'],
        ['DBD', '08192014'], ['DBB', '02081977'], ['DBC', '1'], ['DAY', 'BLK'], ['DAU', ' 65 IN'],
        ['DAG', '5929 N ROCK ST'], ['DAI', 'AUSTIN'], ['DAJ', 'TX'], ['DAK', '44556      '], ['DAQ', '38884194'],
        ['DCF', '18613490088119258857'], ['DCG', 'USA'], ['DCH', 'NONE'], ['DAZ', 'BLK'], ['DCU', ''],
      ],
      jurisdictionSubfile: { type: 'ZT', elements: [['ZTA', '130'], ['ZTB', 'A']] },
    });
    const result = parseLicense(stripSeparators(v3));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.license).toMatchObject({
      licenseNumber: '38884194', firstName: 'JOHN', middleName: null, lastName: 'DOE', nameSuffix: null,
      dateOfBirth: '1977-02-08', expirationDate: '2015-08-04', issueDate: '2014-08-19', sex: 'M',
      street: '5929 N ROCK ST', city: 'AUSTIN', state: 'TX', postalCode: '44556', country: 'USA',
    });
    expect(result.warnings.join()).toMatch(/separators missing/);
    expectModernFields(parsed(stripSeparators(modernPayload())));
  });

  it('does not split a street at an ID-like run of letters when separators are stripped', () => {
    const license = parsed(stripSeparators(modernPayload({ DAG: '12 IDAHO DDANDY ST' })));
    expect(license.street).toBe('12 IDAHO DDANDY ST');
  });

  it('splits on a separator the header declares (| for every control character)', () => {
    expectModernFields(parsed(substituteSeparators(modernPayload(), '|')));
  });

  it('splits two elements that lost the separator between them', () => {
    const payload = modernPayload().replace('DBB06061986\nDBA', 'DBB06061986DBA');
    expectModernFields(parsed(payload));
  });

  it('removes non-ASCII noise in the header and inside an element ID (DCÔB)', () => {
    const payload = modernPayload().replace('ANSI', 'ÔANSI').replace('DCB', 'DCÔB').replace('DAC', 'DA\u00bfC');
    const result = parseLicense(payload);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expectModernFields(result.license);
    expect(result.warnings.join()).toMatch(/non-ASCII/);
  });

  it('keeps Latin-1 letters inside names (Quebec)', () => {
    expect(parsed(modernPayload({ DCS: 'CÔTÉ', DAC: 'HÉLÈNE' }))).toMatchObject({ lastName: 'CÔTÉ', firstName: 'HÉLÈNE' });
  });

  it('reads raw bytes as UTF-8, or as ISO 8859-1 when they are not UTF-8', () => {
    const text = modernPayload({ DCS: 'CÔTÉ' });
    expect(parsed(new TextEncoder().encode(text)).lastName).toBe('CÔTÉ');
    const latin1 = Uint8Array.from(text, (ch) => ch.charCodeAt(0));
    expect(parsed(latin1).lastName).toBe('CÔTÉ');
  });
});

describe('values', () => {
  it('treats NONE, unavl and empty elements as no data', () => {
    const license = parsed(modernPayload({ DAD: 'NONE', DCU: 'unavl', DAH: '', DAQ: 'NONE' }));
    expect(license).toMatchObject({ middleName: null, nameSuffix: null, street2: null, licenseNumber: null });
    expect(license.warnings.join()).toMatch(/licence number/);
  });

  it('trims padding, keeps internal spaces and dashes in the licence number', () => {
    const license = parsed(modernPayload({ DAQ: 'L 341 567 071 342     ', DCS: 'SMITH                ', DAG: '518   S RANDOM STREET   ' }));
    expect(license).toMatchObject({ licenseNumber: 'L 341 567 071 342', lastName: 'SMITH', street: '518   S RANDOM STREET' });
    expect(parsed(modernPayload({ DAQ: 'K04-76-5990' })).licenseNumber).toBe('K04-76-5990');
  });

  it('removes trailing commas (Ontario)', () => {
    expect(parsed(modernPayload({ DCS: 'TESTER,   ', DAG: '123 ST GEORGE ST E,   ' }))).toMatchObject({ lastName: 'TESTER', street: '123 ST GEORGE ST E' });
  });

  it.each([
    ['232690000  ', '23269'],
    ['123459999  ', '12345-9999'],
    ['85641-4321', '85641-4321'],
    ['71901 4455 ', '71901-4455'],
    ['00783', '00783'],
    ['0210800000  ', '02108'],
    ['633011      ', '63301'],
    ['96826     0', '96826'],
    ['n1m3j6', 'N1M 3J6'],
    ['T4G 7A7    ', 'T4G 7A7'],
  ])('normalises postal code %j to %j', (raw, want) => {
    expect(parsed(modernPayload({ DAK: raw })).postalCode).toBe(want);
  });

  it.each([['1', 'M'], ['2', 'F'], ['9', 'X'], ['M', 'M'], ['F', 'F'], ['X', 'X']])('reads sex %j as %j', (raw, want) => {
    expect(parsed(modernPayload({ DBC: raw })).sex).toBe(want);
  });

  it('reads street2 only when it is an address line (not Wyoming\'s city/state/ZIP repeat)', () => {
    expect(parsed(modernPayload({ DAH: 'APT B' })).street2).toBe('APT B');
    expect(parsed(modernPayload({ DAH: 'RICHMOND, VA 23269' })).street2).toBeNull();
  });

  it('reads country from DCG (CDN means Canada), else from the IIN', () => {
    expect(parsed(modernPayload({ DCG: 'CDN' })).country).toBe('CAN');
    expect(parsed(modernPayload({ DCG: null })).country).toBe('USA');
  });
});

describe('dates', () => {
  const withDates = (version: number, dob: string, extra: Partial<Record<string, string | null>> = {}, iin = '636000'): ParsedLicense =>
    parsed(buildPayload({ version, iin, elements: modernElements({ DBB: dob, DBA: null, DBD: null, DDB: null, ...extra }) }));

  it('v01 is CCYYMMDD', () => {
    expect(withDates(1, '19860606').dateOfBirth).toBe('1986-06-06');
  });

  it('v02 is MMDDCCYY, even in Canada (New Brunswick)', () => {
    expect(withDates(2, '06071986', { DCG: 'CAN', DAJ: 'NB' }, '636017').dateOfBirth).toBe('1986-06-07');
  });

  it('v03+ is MMDDCCYY in the US and CCYYMMDD in Canada', () => {
    expect(withDates(8, '06071986').dateOfBirth).toBe('1986-06-07');
    expect(withDates(3, '19860607', { DCG: 'CAN', DAJ: 'ON' }, '636012').dateOfBirth).toBe('1986-06-07');
  });

  it('reads a US card that breaks the rule by the value itself (Wyoming, West Virginia), with a warning', () => {
    const license = withDates(4, '19860607', { DBA: '20301210' }, '636060');
    expect(license).toMatchObject({ dateOfBirth: '1986-06-07', expirationDate: '2030-12-10' });
    expect(license.warnings.join()).toMatch(/birth date read as CCYYMMDD/);
  });

  it('reads only the first 8 characters (typed M after the last date, New Hampshire)', () => {
    expect(withDates(8, '06071986M').dateOfBirth).toBe('1986-06-07');
  });

  it('reads pre-standard MM-DD-CCYY', () => {
    expect(withDates(8, '06-07-1986').dateOfBirth).toBe('1986-06-07');
  });

  it('gives null for 00000000 and impossible dates, with a warning', () => {
    const license = withDates(8, '06071986', { DBA: '00000000', DBD: '13451999' });
    expect(license).toMatchObject({ expirationDate: null, issueDate: null });
    expect(license.warnings.join()).toMatch(/expiry date could not be read/);
    expect(license.warnings.join()).toMatch(/issue date could not be read/);
  });
});

describe('names in four shapes', () => {
  const v01 = (daa: string, extra: Record<string, string | null> = {}): ParsedLicense => parsed(buildPayload({
    version: 1,
    elements: [['DAQ', 'X1'], ['DAA', daa], ['DBB', '19860606'], ['DBA', '20301210'], ...Object.entries(extra).filter((e): e is Element => e[1] !== null)],
  }));

  it('DCS + DAC + DAD (v04+), several middle names joined by one space', () => {
    expect(parsed(modernPayload({ DAD: 'JOHN,PAUL' }))).toMatchObject({ firstName: 'MICHAEL', middleName: 'JOHN PAUL', lastName: 'SAMPLE' });
  });

  it.each([['MARY,ANN'], ['MARY ANN'], ['MARY,ANN,LEE'.replace(',LEE', '')]])('DCS + DCT given names %j (v02–v03)', (dct) => {
    const license = parsed(buildPayload({ version: 3, elements: modernElements({ DAC: null, DAD: null, DCT: dct, DDB: null }) }));
    expect(license).toMatchObject({ firstName: 'MARY', middleName: 'ANN', lastName: 'SAMPLE' });
  });

  it.each([
    ['PUBLIC,JOHN,Q', { lastName: 'PUBLIC', firstName: 'JOHN', middleName: 'Q', nameSuffix: null }],
    ['WANG,CHUNG', { lastName: 'WANG', firstName: 'CHUNG', middleName: null }],
    ['CORTEZ,PABLO,LUIS RODRIGUEZ,JR', { lastName: 'CORTEZ', firstName: 'PABLO', middleName: 'LUIS RODRIGUEZ', nameSuffix: 'JR' }],
    ['JOHNSON,JACK,,3RD', { lastName: 'JOHNSON', firstName: 'JACK', middleName: null, nameSuffix: '3RD' }],
    ['TESTER,JOEY, MIDLAND', { firstName: 'JOEY', middleName: 'MIDLAND' }],
    ['SMITH,MARY,ROBINS,', { middleName: 'ROBINS', nameSuffix: null }],
    ['LastNameTest,FirstNameTest, ,', { lastName: 'LastNameTest', firstName: 'FirstNameTest', middleName: null }],
    ['SMITH, MARY JONES', { lastName: 'SMITH', firstName: 'MARY', middleName: 'JONES' }],
    ['JOHN P SMITH', { firstName: 'JOHN', middleName: 'P', lastName: 'SMITH' }],
    ['JOHN SMITH JR', { firstName: 'JOHN', middleName: null, lastName: 'SMITH', nameSuffix: 'JR' }],
  ])('DAA full name %j (v01)', (daa, want) => {
    expect(v01(daa)).toMatchObject(want);
  });

  it('DAB/DAC/DAD take precedence over DAA when both are present (Arizona)', () => {
    expect(v01('WILLIAMS,SUSAN,T', { DAB: 'WILLIAMS', DAC: 'SUSAN', DAD: 'T' })).toMatchObject({ lastName: 'WILLIAMS', firstName: 'SUSAN', middleName: 'T' });
  });

  it('reads the v01 residence street when the mailing street is empty (Oregon)', () => {
    expect(v01('DOE,JANE', { DAG: '', DAL: '1 MAIN ST', DAI: 'SALEM' }).street).toBe('1 MAIN ST');
  });

  it('splits a middle initial out of DAC on Wyoming cards only', () => {
    const wyoming = parsed(buildPayload({ iin: '636060', version: 4, elements: modernElements({ DAC: 'MOTORIST E', DAD: '', DAJ: 'WY', DDB: null }) }));
    expect(wyoming).toMatchObject({ firstName: 'MOTORIST', middleName: 'E' });
    expect(parsed(modernPayload({ DAC: 'MARY ANN', DAD: '' }))).toMatchObject({ firstName: 'MARY ANN', middleName: null });
  });

  it('keeps mixed case as encoded (New York sample)', () => {
    expect(parsed(modernPayload({ DCS: 'Motorist', DAC: 'Michael', DAD: 'M' }))).toMatchObject({ lastName: 'Motorist', firstName: 'Michael', middleName: 'M' });
  });

  it('warns when the card flags a truncated name', () => {
    expect(parsed(modernPayload({ DDE: 'T' })).warnings.join()).toMatch(/last name is truncated/);
  });
});

describe('errors the screen can show', () => {
  const codeOf = (input: string | Uint8Array): string => errorOf(input).code;

  it.each([
    [''],
    ['hello'],
    ['https://example.com/menu'],
    ['0123456789012'],
    ['@\n\u001e\rXYZ 1234'],
  ])('not a licence: %j', (input) => {
    const error = errorOf(input);
    expect(error).toEqual({ code: 'not_a_licence', message: 'not a licence barcode' });
  });

  it('never throws, whatever it is given', () => {
    for (const input of [undefined, null, 42, {}, [], new Uint8Array(0), 'x'.repeat(100_000)]) {
      const result: LicenseParseResult = parseLicense(input as unknown as string);
      expect(result.ok).toBe(false);
    }
  });

  it.each([10, 30, 45, 60, 120])('cut short after %i characters', (length) => {
    const error = errorOf(modernPayload().slice(0, length));
    expect(error.code).toBe('cut_short');
    expect(error.message).toBe('the scan was cut short: scan again');
  });

  it('cut short inside the birth date', () => {
    const payload = modernPayload();
    expect(codeOf(payload.slice(0, payload.indexOf('DBB') + 6))).toBe('cut_short');
  });

  it('a scan cut after the essentials still reads, with a warning', () => {
    const payload = modernPayload();
    const result = parseLicense(payload.slice(0, payload.indexOf('DAI') + 5));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.license.city).toBe('RI');
    expect(result.warnings.join()).toMatch(/cut short/);
  });

  it('British Columbia magstripe layout is unsupported', () => {
    const bc = '%BCVICTORIA^SPECIMEN,$TEST CARD^1234 MAIN ST$VICTORIA BC  V8W 2C3^?;6360281234567=250819700101=?_%0AV8W2C3  M183 86BRNBRN?';
    expect(errorOf(bc)).toEqual({
      code: 'unsupported_layout',
      message: 'this licence layout (British Columbia) is not supported: enter the customer by hand',
    });
  });

  it('pre-2000 cards (5-digit IIN) are unsupported', () => {
    expect(codeOf('@\n\u001e\rAAMVA36004001DL00000000DAQ123\nDBB06-27-1970\n')).toBe('unsupported_layout');
  });

  it('a complete barcode without a birth date asks for manual entry', () => {
    const payload = modernPayload({ DBB: null });
    expect(codeOf(payload)).toBe('missing_birth_date');
  });
});
