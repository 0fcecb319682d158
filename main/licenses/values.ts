/** Turning raw element values into profile fields. Each function is total: bad input gives null. */

const PLACEHOLDERS: ReadonlySet<string> = new Set(['NONE', 'UNAVL', 'UNAVAIL', 'UNAVAILABLE']);

/** Trim padding; empty and the standard's "no data" placeholders become null. */
export function cleanValue(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const trimmed = raw.trim();
  if (trimmed === '') return null;
  if (trimmed.length <= 11 && PLACEHOLDER_INITIALS.includes(trimmed.charAt(0))
    && PLACEHOLDERS.has(trimmed.toUpperCase())) {
    return null;
  }
  return trimmed;
}
const PLACEHOLDER_INITIALS = 'NnUu';

/** Names and streets: Ontario pads them with a trailing comma. */
export function cleanText(raw: string | undefined): string | null {
  const value = cleanValue(raw);
  if (value === null || (value.charAt(0) !== ',' && value.charAt(value.length - 1) !== ',')) return value;
  return cleanValue(value.replace(TRAILING_COMMAS, '').replace(LEADING_COMMAS, ''));
}
const TRAILING_COMMAS = /[,\s]+$/;
const LEADING_COMMAS = /^[,\s]+/;

/** Coded values (dates, sex, postal codes) are ASCII: any other character there is noise. */
function asciiOnly(raw: string | undefined): string | undefined {
  return raw === undefined || !NON_ASCII.test(raw) ? raw : raw.replace(NON_ASCII_RUNS, '');
}
const NON_ASCII = /[^\x00-\x7f]/;
const NON_ASCII_RUNS = /[^\x00-\x7f]+/g;

// ---------------------------------------------------------------- dates

export type DateOrder = 'CCYYMMDD' | 'MMDDCCYY';

export interface ReadDate {
  iso: string;
  /** The order actually used, which may differ from the one the rules expected. */
  order: DateOrder;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isoIfValid(year: number, month: number, day: number): string | null {
  if (year < 1900 || year > 2099 || month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The number written by `length` ASCII digits at `at` (callers have checked they are digits). */
function digitsAt(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) value = value * 10 + text.charCodeAt(i) - 0x30;
  return value;
}

function isValidDate(year: number, month: number, day: number): boolean {
  return year >= 1900 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Eight digits in the given order to ISO, or null if they are not a date 1900–2099. */
function readInOrder(digits: string, order: DateOrder): string | null {
  if (order === 'CCYYMMDD') {
    if (!isValidDate(digitsAt(digits, 0, 4), digitsAt(digits, 4, 2), digitsAt(digits, 6, 2))) return null;
    return `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
  }
  if (!isValidDate(digitsAt(digits, 4, 4), digitsAt(digits, 0, 2), digitsAt(digits, 2, 2))) return null;
  return `${digits.slice(4, 8)}-${digits.slice(0, 2)}-${digits.slice(2, 4)}`;
}

const SEPARATED_US_DATE = /^(\d{1,2})[-/](\d{1,2})[-/](\d{4})/;
const SEPARATED_ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const LEADING_EIGHT_DIGITS = /^\d{8}/;

/**
 * Reads a date element. Only the first 8 characters count (New Hampshire and keyboard wedges
 * append a typed `M`). The expected order is tried first, then the other: for years 1900–2099
 * a CCYYMMDD value starts with 19/20 and an MMDDCCYY value with a month, so they cannot be
 * confused.
 */
export function readDate(raw: string | undefined, expected: DateOrder): ReadDate | null {
  if (raw === undefined) return null;
  if (startsWithEightDigits(raw)) return readDigits(raw.slice(0, 8), expected);
  const value = cleanValue(asciiOnly(raw));
  if (value === null) return null;
  const us = SEPARATED_US_DATE.exec(value);
  if (us) {
    const iso = isoIfValid(Number(us[3]), Number(us[1]), Number(us[2]));
    return iso === null ? null : { iso, order: 'MMDDCCYY' };
  }
  const isoMatch = SEPARATED_ISO_DATE.exec(value);
  if (isoMatch) {
    const iso = isoIfValid(Number(isoMatch[1]), Number(isoMatch[2]), Number(isoMatch[3]));
    return iso === null ? null : { iso, order: 'CCYYMMDD' };
  }
  const digits = LEADING_EIGHT_DIGITS.exec(value)?.[0];
  return digits === undefined ? null : readDigits(digits, expected);
}

function startsWithEightDigits(value: string): boolean {
  if (value.length < 8) return false;
  for (let i = 0; i < 8; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

function readDigits(digits: string, expected: DateOrder): ReadDate | null {
  if (digits === '00000000') return null;
  const other: DateOrder = expected === 'CCYYMMDD' ? 'MMDDCCYY' : 'CCYYMMDD';
  const first = readInOrder(digits, expected);
  if (first !== null) return { iso: first, order: expected };
  const second = readInOrder(digits, other);
  return second === null ? null : { iso: second, order: other };
}

// ---------------------------------------------------------------- sex

export function readSex(raw: string | undefined): 'M' | 'F' | 'X' | null {
  const value = cleanValue(asciiOnly(raw))?.toUpperCase();
  if (value === undefined) return null;
  switch (value.charAt(0)) {
    case '1':
    case 'M':
      return 'M';
    case '2':
    case 'F':
      return 'F';
    case '9':
    case 'X':
      return 'X';
    default:
      return null;
  }
}

// ---------------------------------------------------------------- postal codes

const CANADIAN_POSTAL = /^[A-Z]\d[A-Z]\d[A-Z]\d$/;
const ALL_DIGITS = /^\d+$/;
const SPACES_AND_DASHES = /[\s-]+/g;

/**
 * US: the ZIP5, plus `-NNNN` only when exactly four more digits follow and they are not the
 * `0000` padding (`0210800000` → `02108`, `633011` → `63301`). Canada: `A1A 1A1`.
 * Anything else is returned trimmed, and `recognised` is false.
 */
export function readPostalCode(raw: string | undefined): { value: string; recognised: boolean } | null {
  const value = cleanValue(asciiOnly(raw));
  if (value === null) return null;
  const compact = ALL_DIGITS.test(value) ? value : value.toUpperCase().replace(SPACES_AND_DASHES, '');
  if (CANADIAN_POSTAL.test(compact)) {
    return { value: `${compact.slice(0, 3)} ${compact.slice(3)}`, recognised: true };
  }
  if (ALL_DIGITS.test(compact) && compact.length >= 5) {
    const zip5 = compact.slice(0, 5);
    const plus4 = compact.length === 9 ? compact.slice(5) : '';
    return { value: plus4 !== '' && plus4 !== '0000' ? `${zip5}-${plus4}` : zip5, recognised: true };
  }
  return { value, recognised: false };
}

// ---------------------------------------------------------------- names

export interface NameParts {
  first: string | null;
  middle: string | null;
  last: string | null;
  suffix: string | null;
}

const SUFFIXES: ReadonlySet<string> = new Set([
  'JR', 'SR', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX',
  '1ST', '2ND', '3RD', '4TH', '5TH', '6TH', '7TH', '8TH', '9TH',
]);

function joinWords(words: readonly string[]): string | null {
  const kept = words.map((word) => cleanText(word)).filter((word): word is string => word !== null);
  return kept.length === 0 ? null : kept.join(' ');
}

/** DAD may list several middle names separated by commas; we join them with one space. */
export function readMiddleNames(raw: string | undefined): string | null {
  const value = cleanValue(raw);
  return value === null ? null : joinWords(value.split(/[,\s]+/));
}

/** DCT "given names" (v02–v03): first token is the first name, the rest are middle names. */
export function splitGivenNames(raw: string | undefined): { first: string | null; middle: string | null } {
  const value = cleanValue(raw);
  if (value === null) return { first: null, middle: null };
  const words = value.split(/[,\s]+/).filter((word) => cleanText(word) !== null);
  return { first: joinWords(words.slice(0, 1)), middle: joinWords(words.slice(1)) };
}

/**
 * DAA full name (v01): `LAST,FIRST,MIDDLE,SUFFIX` with any part empty, `LAST, FIRST MIDDLE`,
 * or without commas `FIRST MIDDLE LAST [SUFFIX]` (Pennsylvania).
 */
export function splitFullName(raw: string | undefined): NameParts {
  const value = cleanValue(raw);
  const none: NameParts = { first: null, middle: null, last: null, suffix: null };
  if (value === null) return none;
  if (value.includes(',')) {
    const parts = value.split(',');
    const last = cleanText(parts[0]);
    if (parts.length === 2) {
      const given = splitGivenNames(parts[1]);
      return { last, first: given.first, middle: given.middle, suffix: null };
    }
    const suffixPart = parts.length >= 4 ? cleanText(parts[parts.length - 1]) : null;
    const middleParts = parts.length >= 4 ? parts.slice(2, -1) : parts.slice(2);
    return {
      last,
      first: cleanText(parts[1]),
      middle: joinWords(middleParts.flatMap((part) => part.split(/\s+/))),
      suffix: suffixPart,
    };
  }
  const words = value.split(/\s+/).filter((word) => word !== '');
  if (words.length === 1) return { ...none, last: cleanText(words[0]) };
  let suffix: string | null = null;
  const lastWord = words[words.length - 1] ?? '';
  if (words.length >= 3 && SUFFIXES.has(lastWord.toUpperCase().replace(/\./g, ''))) {
    suffix = lastWord;
    words.pop();
  }
  return {
    first: cleanText(words[0]),
    last: cleanText(words[words.length - 1]),
    middle: joinWords(words.slice(1, -1)),
    suffix,
  };
}
