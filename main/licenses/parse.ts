/**
 * `parseLicense`: the scanner's decoded PDF417 text (or raw bytes) to a customer profile.
 * Pure and total: it never throws, whatever it is given.
 */
import { splitAddressLine, type AddressParts } from './address.js';
import { countryOfJurisdiction, jurisdictionOfIin } from './jurisdictions.js';
import { elementSlot } from './elements.js';
import { findMisread, POSTAL_CODE_LABEL } from './misread.js';
import { readPayload, type ElementValues, type Payload } from './payload.js';
import type { Country, LicenseError, LicenseErrorCode, LicenseParseResult, ParsedLicense } from './types.js';
import {
  cleanText,
  cleanValue,
  fullNameSuffix,
  readMiddleNames,
  readPostalCode,
  readSex,
  splitFullName,
  splitGivenNames,
  type DateOrder,
  type NameParts,
  type ReadDate,
} from './values.js';

const MESSAGES: Record<LicenseErrorCode, string> = {
  not_a_licence: 'not a licence barcode',
  cut_short: 'the scan was cut short: scan again',
  unsupported_layout: 'this licence layout is not supported: enter the customer by hand',
  missing_birth_date: 'this licence barcode has no readable birth date: check the card and enter the customer by hand',
  misread: 'the scanner misread this licence: scan it again',
};

function failure(code: LicenseErrorCode, layout?: string): { ok: false; error: LicenseError } {
  const message = code === 'unsupported_layout' && layout !== undefined
    ? `this licence layout (${layout}) is not supported: enter the customer by hand`
    : MESSAGES[code];
  return { ok: false, error: { code, message } };
}

function misread(field: string): { ok: false; error: LicenseError } {
  return { ok: false, error: { code: 'misread', message: `the scanner misread this licence (its ${field} came out garbled): scan it again`, field } };
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

/** Element slots read below, looked up once at load (see elementSlot). */
const DAA = elementSlot('DAA', 0);
const DAB = elementSlot('DAB', 0);
const DAC = elementSlot('DAC', 0);
const DAD = elementSlot('DAD', 0);
const DAE = elementSlot('DAE', 0);
const DAG = elementSlot('DAG', 0);
const DAH = elementSlot('DAH', 0);
const DAI = elementSlot('DAI', 0);
const DAJ = elementSlot('DAJ', 0);
const DAK = elementSlot('DAK', 0);
const DAL = elementSlot('DAL', 0);
const DAM = elementSlot('DAM', 0);
const DAN = elementSlot('DAN', 0);
const DAO = elementSlot('DAO', 0);
const DAP = elementSlot('DAP', 0);
const DAQ = elementSlot('DAQ', 0);
const DBA = elementSlot('DBA', 0);
const DBB = elementSlot('DBB', 0);
const DBC = elementSlot('DBC', 0);
const DBD = elementSlot('DBD', 0);
const DBL = elementSlot('DBL', 0);
const DCG = elementSlot('DCG', 0);
const DCS = elementSlot('DCS', 0);
const DCT = elementSlot('DCT', 0);
const DCU = elementSlot('DCU', 0);
const DDE = elementSlot('DDE', 0);
const DDF = elementSlot('DDF', 0);
const DDG = elementSlot('DDG', 0);

function countryOf(payload: Payload, state: string | null): Country | null {
  const value = payload.elements.clean(DCG);
  const declared = value === 'USA' ? value : value?.toUpperCase();
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

/** DCS/DAB, DAC/DAD, DCT and DAA in that order of preference; DAA and DCT are split only when needed. */
function readNames(elements: ElementValues, isWyoming: boolean, warnings: string[]): NameParts {
  let fullName: NameParts | null = null;
  let last = elements.cleanText(DCS) ?? elements.cleanText(DAB);
  if (last === null) {
    fullName = splitFullName(elements.at(DAA));
    last = fullName.last;
  }
  let first = elements.cleanText(DAC);
  let middle: string | null;
  if (first !== null) {
    middle = readMiddleNames(elements.at(DAD));
    // Wyoming puts the middle initial inside DAC and leaves DAD empty.
    if (middle === null && isWyoming && first.includes(' ')) {
      const split = splitGivenNames(first);
      first = split.first;
      middle = split.middle;
      warnings.push('middle name read from the first-name field');
    }
  } else {
    const givenNames = splitGivenNames(elements.at(DCT));
    if (givenNames.first !== null) {
      first = givenNames.first;
      middle = givenNames.middle;
    } else {
      fullName ??= splitFullName(elements.at(DAA));
      first = fullName.first;
      middle = readMiddleNames(elements.at(DAD)) ?? fullName.middle;
    }
  }
  let suffix = elements.cleanText(DCU) ?? elements.cleanText(DAE);
  if (suffix === null) suffix = fullName === null ? fullNameSuffix(elements.at(DAA)) : fullName.suffix;
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

/** A date read in the other order than expected: say so. */
function warnAboutOrder(warnings: string[], date: ReadDate | null, order: DateOrder, label: string): void {
  if (date !== null && date.order !== order) warnings.push(`${label} read as ${date.order}, not ${order}`);
}

/** Whether a truncation flag (DDE/DDF/DDG) says T: `cleanValue(raw)?.toUpperCase() === 'T'`. */
function flagsTruncation(raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const value = raw.length === 1 ? raw : cleanValue(raw);
  return value === 'T' || value === 't';
}

function isTwoLetters(value: string): boolean {
  return value.length === 2 && isUpperLetter(value.charCodeAt(0)) && isUpperLetter(value.charCodeAt(1));
}

function isUpperLetter(code: number): boolean {
  return code >= 0x41 && code <= 0x5a;
}

/** City, state and postal elements: a card that writes its address as one line has none of them. */
const ADDRESS_PART_IDS: ReadonlySet<string> = new Set(['DAI', 'DAJ', 'DAK', 'DAN', 'DAO', 'DAP']);

/**
 * A version 01 card with no city and no postal code element but its whole address in one line
 * (early Florida layouts): the parts split from that line, and which line it was (the street
 * element, or the second address line holding city, state and ZIP). The rule is in address.ts.
 */
function readWholeAddress(payload: Payload): { parts: AddressParts; line: 'street' | 'second' } | null {
  const { elements } = payload;
  if (payload.aamvaVersion > 1) return null;
  if (elements.holds(DAI) || elements.holds(DAN) || elements.holds(DAK) || elements.holds(DAP)) return null;
  const mailing = elements.cleanText(DAG);
  const residence = mailing === null;
  const streetLine = residence ? elements.cleanText(DAL) : mailing;
  const fromStreet = splitAddressLine(streetLine, 'wholeAddress');
  if (fromStreet !== null) return { parts: fromStreet, line: 'street' };
  const fromSecond = splitAddressLine(elements.cleanText(residence ? DAM : DAH), 'cityLine');
  return fromSecond === null ? null : { parts: fromSecond, line: 'second' };
}

/** The profile from a payload read by either path (exported for test/unit/licenses/paths.test.ts only). */
export function buildLicense(payload: Payload): LicenseParseResult {
  const { elements } = payload;
  const warnings = payload.repairs.slice();
  if (payload.aamvaVersion > 11) warnings.push(`AAMVA version ${payload.aamvaVersion} is newer than this parser knows`);

  const wholeAddress = readWholeAddress(payload);
  if (wholeAddress !== null) warnings.push('city, state and postal code read from the one address line');
  const state = elements.clean(DAJ) ?? elements.clean(DAO) ?? wholeAddress?.parts.state ?? null;
  const country = countryOf(payload, state);
  const order = expectedDateOrder(payload.aamvaVersion, country);
  const dateOfBirth = elements.holds(DBB) ? elements.date(DBB, order) : elements.date(DBL, order);
  const expirationDate = elements.date(DBA, order);
  const issueDate = elements.date(DBD, order);
  warnAboutOrder(warnings, dateOfBirth, order, 'birth date');
  warnAboutOrder(warnings, expirationDate, order, 'expiry date');
  warnAboutOrder(warnings, issueDate, order, 'issue date');

  const licenseNumber = elements.clean(DAQ);
  const essentialsMissing = !elements.holds(DAQ) || dateOfBirth === null || expirationDate === null;
  if (payload.endsInsideSubfile && essentialsMissing) return failure('cut_short');
  if (dateOfBirth === null) {
    return failure(elements.size < 3 ? 'cut_short' : 'missing_birth_date');
  }
  if (payload.endsInsideSubfile) warnings.push('the scan ends inside the licence data: the last field may be cut short');

  const names = readNames(elements, payload.iin === '636060' || state === 'WY', warnings);
  const mailingStreet = elements.cleanText(DAG);
  const residenceStreet = mailingStreet === null ? elements.cleanText(DAL) : null;
  const usesResidence = residenceStreet !== null;
  const whole = wholeAddress?.parts;
  const street = wholeAddress?.line === 'street' ? whole?.street ?? null : usesResidence ? residenceStreet : mailingStreet;
  const city = elements.cleanText(DAI) ?? elements.cleanText(DAN) ?? whole?.city ?? null;
  const postal = readPostalCode(elements.at(DAK) ?? elements.at(DAP) ?? whole?.postalCode);
  const street2 = wholeAddress?.line === 'second'
    ? null
    : readStreet2(elements.at(usesResidence ? DAM : DAH), city, postal?.value ?? null);
  const sexRaw = elements.at(DBC);
  const sex = readSex(sexRaw);

  const license: ParsedLicense = {
    licenseNumber,
    firstName: names.first,
    middleName: names.middle,
    lastName: names.last,
    nameSuffix: names.suffix,
    dateOfBirth: dateOfBirth.iso,
    expirationDate: expirationDate?.iso ?? null,
    issueDate: issueDate?.iso ?? null,
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

  // A misread scan is refused, not filled in with warnings (see misread.ts).
  const misreadField = findMisread(license, elements, payload.aamvaVersion, wholeAddress === null ? undefined : ADDRESS_PART_IDS)
    ?? (postal !== null && !postal.recognised ? POSTAL_CODE_LABEL : null);
  if (misreadField !== null) return misread(misreadField);

  if (usesResidence) warnings.push('street read from the residence address');
  if (wholeAddress !== null && city === null) warnings.push('the city could not be told apart from the street');
  if (license.licenseNumber === null) warnings.push('no licence number on the barcode');
  if (license.lastName === null) warnings.push('no last name on the barcode');
  if (license.firstName === null) warnings.push('no first name on the barcode');
  if (license.expirationDate === null) warnings.push('expiry date could not be read');
  if (license.issueDate === null && elements.clean(DBD) !== null) {
    warnings.push('issue date could not be read');
  }
  if (sex === null && cleanValue(sexRaw) !== null) warnings.push('sex could not be read');
  if (postal !== null && !postal.recognised) warnings.push('postal code is not in a known format');
  if (state !== null && !isTwoLetters(state)) warnings.push('state is not a two-letter code');
  if (country === null) warnings.push('country could not be told');
  if (flagsTruncation(elements.at(DDE))) warnings.push('last name is truncated on the card');
  if (flagsTruncation(elements.at(DDF))) warnings.push('first name is truncated on the card');
  if (flagsTruncation(elements.at(DDG))) warnings.push('middle name is truncated on the card');

  return { ok: true, license, warnings: warnings.slice() };
}
