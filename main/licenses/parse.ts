/**
 * `parseLicense`: the scanner's decoded PDF417 text (or raw bytes) to a customer profile.
 * Pure and total: it never throws, whatever it is given.
 */
import { countryOfJurisdiction, jurisdictionOfIin } from './jurisdictions.js';
import { readPayload, type ElementValues, type Payload } from './payload.js';
import type { Country, LicenseError, LicenseErrorCode, LicenseParseResult, ParsedLicense } from './types.js';
import {
  cleanText,
  cleanValue,
  readDate,
  readMiddleNames,
  readPostalCode,
  readSex,
  splitFullName,
  splitGivenNames,
  type DateOrder,
  type NameParts,
} from './values.js';

const MESSAGES: Record<LicenseErrorCode, string> = {
  not_a_licence: 'not a licence barcode',
  cut_short: 'the scan was cut short: scan again',
  unsupported_layout: 'this licence layout is not supported: enter the customer by hand',
  missing_birth_date: 'this licence barcode has no readable birth date: check the card and enter the customer by hand',
};

function failure(code: LicenseErrorCode, layout?: string): { ok: false; error: LicenseError } {
  const message = code === 'unsupported_layout' && layout !== undefined
    ? `this licence layout (${layout}) is not supported: enter the customer by hand`
    : MESSAGES[code];
  return { ok: false, error: { code, message } };
}

export function parseLicense(input: string | Uint8Array): LicenseParseResult {
  try {
    const read = readPayload(input);
    if (!read.ok) return failure(read.code, read.layout);
    return buildLicense(read.payload);
  } catch {
    // Defensive: a bug here must show as "scan again", never crash the register.
    return failure('not_a_licence');
  }
}

function countryOf(payload: Payload, state: string | null): Country | null {
  const declared = cleanValue(payload.elements.get('DCG'))?.toUpperCase();
  if (declared === 'USA') return 'USA';
  if (declared === 'CAN' || declared === 'CDN') return 'CAN';
  return countryOfJurisdiction(jurisdictionOfIin(payload.iin)) ?? countryOfJurisdiction(state);
}

/** v01 CCYYMMDD; v02 MMDDCCYY everywhere (New Brunswick too); v03+ US MMDDCCYY, Canada CCYYMMDD. */
function expectedDateOrder(version: number, country: Country | null): DateOrder {
  if (version <= 1) return 'CCYYMMDD';
  if (version === 2) return 'MMDDCCYY';
  return country === 'CAN' ? 'CCYYMMDD' : 'MMDDCCYY';
}

const NO_NAME: NameParts = { first: null, middle: null, last: null, suffix: null };

function readNames(elements: ElementValues, isWyoming: boolean, warnings: string[]): NameParts {
  const fullName = elements.has('DAA') ? splitFullName(elements.get('DAA')) : NO_NAME;
  const givenNames = splitGivenNames(elements.get('DCT'));
  const last = cleanText(elements.get('DCS')) ?? cleanText(elements.get('DAB')) ?? fullName.last;
  let first = cleanText(elements.get('DAC'));
  let middle: string | null;
  if (first !== null) {
    middle = readMiddleNames(elements.get('DAD'));
    // Wyoming puts the middle initial inside DAC and leaves DAD empty.
    if (middle === null && isWyoming && first.includes(' ')) {
      const split = splitGivenNames(first);
      first = split.first;
      middle = split.middle;
      warnings.push('middle name read from the first-name field');
    }
  } else if (givenNames.first !== null) {
    first = givenNames.first;
    middle = givenNames.middle;
  } else {
    first = fullName.first;
    middle = readMiddleNames(elements.get('DAD')) ?? fullName.middle;
  }
  const suffix = cleanText(elements.get('DCU')) ?? cleanText(elements.get('DAE')) ?? fullName.suffix;
  return { first, middle, last, suffix };
}

/** `street2` only where DAH is an address line, not a repeat of city/state/ZIP (Wyoming). */
function readStreet2(raw: string | undefined, city: string | null, postal: string | null): string | null {
  const value = cleanText(raw);
  if (value === null) return null;
  const upper = value.toUpperCase();
  const repeatsCity = city !== null && upper.includes(city.toUpperCase());
  const repeatsZip = postal !== null && upper.includes(postal.slice(0, 5));
  return repeatsCity && repeatsZip ? null : value;
}

const DATE_FIELDS = ['dateOfBirth', 'expirationDate', 'issueDate'] as const;
const DATE_LABELS = { dateOfBirth: 'birth date', expirationDate: 'expiry date', issueDate: 'issue date' } as const;
const TRUNCATION_FLAGS = [['DDE', 'last'], ['DDF', 'first'], ['DDG', 'middle']] as const;
const TWO_LETTERS = /^[A-Z]{2}$/;

function buildLicense(payload: Payload): LicenseParseResult {
  const { elements } = payload;
  const warnings = [...payload.repairs];
  if (payload.aamvaVersion > 11) warnings.push(`AAMVA version ${payload.aamvaVersion} is newer than this parser knows`);

  const state = cleanValue(elements.get('DAJ')) ?? cleanValue(elements.get('DAO'));
  const country = countryOf(payload, state);
  const order = expectedDateOrder(payload.aamvaVersion, country);
  const dates = {
    dateOfBirth: readDate(elements.get('DBB') ?? elements.get('DBL'), order),
    expirationDate: readDate(elements.get('DBA'), order),
    issueDate: readDate(elements.get('DBD'), order),
  };
  for (const key of DATE_FIELDS) {
    const date = dates[key];
    if (date !== null && date.order !== order) warnings.push(`${DATE_LABELS[key]} read as ${date.order}, not ${order}`);
  }

  const essentialsMissing = !elements.has('DAQ') || dates.dateOfBirth === null || dates.expirationDate === null;
  if (payload.endsInsideSubfile && essentialsMissing) return failure('cut_short');
  if (dates.dateOfBirth === null) {
    return failure(elements.size < 3 ? 'cut_short' : 'missing_birth_date');
  }
  if (payload.endsInsideSubfile) warnings.push('the scan ends inside the licence data: the last field may be cut short');

  const names = readNames(elements, payload.iin === '636060' || state === 'WY', warnings);
  const usesResidence = cleanText(elements.get('DAG')) === null && cleanText(elements.get('DAL')) !== null;
  const street = usesResidence ? cleanText(elements.get('DAL')) : cleanText(elements.get('DAG'));
  const city = cleanText(elements.get('DAI')) ?? cleanText(elements.get('DAN'));
  const postal = readPostalCode(elements.get('DAK') ?? elements.get('DAP'));
  const street2 = readStreet2(elements.get(usesResidence ? 'DAM' : 'DAH'), city, postal?.value ?? null);
  const sex = readSex(elements.get('DBC'));

  const license: ParsedLicense = {
    licenseNumber: cleanValue(elements.get('DAQ')),
    firstName: names.first,
    middleName: names.middle,
    lastName: names.last,
    nameSuffix: names.suffix,
    dateOfBirth: dates.dateOfBirth.iso,
    expirationDate: dates.expirationDate?.iso ?? null,
    issueDate: dates.issueDate?.iso ?? null,
    sex,
    street,
    street2,
    city,
    state,
    postalCode: postal?.value ?? null,
    country,
    documentType: payload.documentType,
    aamvaVersion: payload.aamvaVersion,
    iin: payload.iin,
    warnings,
  };

  if (usesResidence) warnings.push('street read from the residence address');
  if (license.licenseNumber === null) warnings.push('no licence number on the barcode');
  if (license.lastName === null) warnings.push('no last name on the barcode');
  if (license.firstName === null) warnings.push('no first name on the barcode');
  if (license.expirationDate === null) warnings.push('expiry date could not be read');
  if (license.issueDate === null && elements.has('DBD') && cleanValue(elements.get('DBD')) !== null) {
    warnings.push('issue date could not be read');
  }
  if (sex === null && cleanValue(elements.get('DBC')) !== null) warnings.push('sex could not be read');
  if (postal !== null && !postal.recognised) warnings.push('postal code is not in a known format');
  if (state !== null && !TWO_LETTERS.test(state)) warnings.push('state is not a two-letter code');
  if (country === null) warnings.push('country could not be told');
  for (const [id, which] of TRUNCATION_FLAGS) {
    if (cleanValue(elements.get(id))?.toUpperCase() === 'T') warnings.push(`${which} name is truncated on the card`);
  }

  return { ok: true, license, warnings: warnings.slice() };
}
