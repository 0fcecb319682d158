/** Turning raw element values into profile fields. Each function is total: bad input gives null. */

const PLACEHOLDERS: ReadonlySet<string> = new Set(['NONE', 'UNAVL', 'UNAVAIL', 'UNAVAILABLE']);

/** Printable ASCII other than space at `index`: a character trim() keeps and no split removes. */
function isSolidAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code > 0x20 && code < 0x7f;
}

/** Whether every character is solid (see isSolidAt) and none is a comma: one word, nothing to clean inside. */
function isOneWord(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f || code === COMMA) return false;
  }
  return true;
}
const COMMA = 0x2c;

/** Trim padding; empty and the standard's "no data" placeholders become null. */
export function cleanValue(raw: string | undefined): string | null {
  if (raw === undefined || raw.length === 0) return null;
  // Most values carry no padding: trim() only where an end may be whitespace.
  const trimmed = isSolidAt(raw, 0) && isSolidAt(raw, raw.length - 1) ? raw : raw.trim();
  if (trimmed === '') return null;
  if (trimmed.length >= 4 && trimmed.length <= 11 && isPlaceholderInitial(trimmed.charCodeAt(0))
    && PLACEHOLDERS.has(trimmed.toUpperCase())) {
    return null;
  }
  return trimmed;
}

/**
 * `cleanValue(source.slice(start, end))`, slicing only the kept characters: padding spaces are
 * skipped by position (Ontario and Indiana pad names and streets to 40), and an absent or
 * all-space value costs no string at all. Any other whitespace at an end goes the general way.
 */
export function cleanValueIn(source: string, start: number, end: number): string | null {
  let first = start;
  let last = end;
  while (first < last && source.charCodeAt(first) === SPACE) first++;
  while (last > first && source.charCodeAt(last - 1) === SPACE) last--;
  // (A value recorded between overlapping IDs may end before it starts: empty, as its slice is.)
  if (first >= last) return null;
  if (!isSolidAt(source, first) || !isSolidAt(source, last - 1)) return cleanValue(source.slice(start, end));
  const length = last - first;
  if (length >= 4 && length <= 11 && isPlaceholderInitial(source.charCodeAt(first))) {
    const trimmed = source.slice(first, last);
    return PLACEHOLDERS.has(trimmed.toUpperCase()) ? null : trimmed;
  }
  return source.slice(first, last);
}
const SPACE = 0x20;

/** N, n, U or u: how every placeholder starts. */
function isPlaceholderInitial(code: number): boolean {
  return code === 0x4e || code === 0x6e || code === 0x55 || code === 0x75;
}

/** Names and streets: Ontario pads them with a trailing comma. */
export function cleanText(raw: string | undefined): string | null {
  return withoutEdgeCommas(cleanValue(raw));
}

/** `cleanText(source.slice(start, end))` (see cleanValueIn). */
export function cleanTextIn(source: string, start: number, end: number): string | null {
  return withoutEdgeCommas(cleanValueIn(source, start, end));
}

/** A cleaned value with the commas (and the padding inside them) off both ends. */
function withoutEdgeCommas(value: string | null): string | null {
  if (value === null || (value.charCodeAt(0) !== COMMA && value.charCodeAt(value.length - 1) !== COMMA)) return value;
  // The runs of commas and ASCII whitespace at both ends, by position; where a run stops at a
  // non-ASCII character (which \s may cover, e.g. U+00A0) the regular expressions decide.
  let first = 0;
  let last = value.length;
  while (first < last && isCommaOrAsciiSpace(value.charCodeAt(first))) first++;
  while (last > first && isCommaOrAsciiSpace(value.charCodeAt(last - 1))) last--;
  if (first < last && (value.charCodeAt(first) >= 0x80 || value.charCodeAt(last - 1) >= 0x80)) {
    return cleanValue(value.replace(TRAILING_COMMAS, '').replace(LEADING_COMMAS, ''));
  }
  return cleanValue(value.slice(first, last));
}
const TRAILING_COMMAS = /[,\s]+$/;
const LEADING_COMMAS = /^[,\s]+/;

/** `,` or what \s matches in ASCII: tab, LF, VT, FF, CR, space. */
function isCommaOrAsciiSpace(code: number): boolean {
  return code === COMMA || code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** Coded values (dates, sex, postal codes) are ASCII: any other character there is noise. */
function asciiOnly(raw: string | undefined): string | undefined {
  return raw === undefined || isAscii(raw) ? raw : raw.replace(NON_ASCII_RUNS, '');
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
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

/** `yyyy` for 1900–2099, and `-mm-dd` by month · 32 + day: an ISO date is one concatenation. */
const YEAR_TEXT: readonly string[] = Array.from({ length: 200 }, (_, offset) => String(1900 + offset));
const MONTH_DAY_TEXT: readonly string[] = Array.from(
  { length: 13 * 32 },
  (_, index) => `-${String(Math.floor(index / 32)).padStart(2, '0')}-${String(index % 32).padStart(2, '0')}`,
);

/** The ISO text of a date isValidDate accepted. */
function isoText(year: number, month: number, day: number): string {
  return (YEAR_TEXT[year - 1900] ?? '') + (MONTH_DAY_TEXT[month * 32 + day] ?? '');
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

/**
 * Eight digits, given as four pairs (`12`,`10`,`20`,`30` for 12102030), in the given order to
 * ISO, or null if they are not a date 1900–2099. The digits are the zero-padded numbers, so
 * isoText spells them as they are written. (Four numbers, not an array: every scan reads three dates.)
 */
function readInOrder(a: number, b: number, c: number, d: number, order: DateOrder): string | null {
  const year = order === 'CCYYMMDD' ? a * 100 + b : c * 100 + d;
  const month = order === 'CCYYMMDD' ? c : a;
  const day = order === 'CCYYMMDD' ? d : b;
  return isValidDate(year, month, day) ? isoText(year, month, day) : null;
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
  if (startsWithEightDigits(raw)) return readDigits(raw, 0, expected);
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
  return digits === undefined ? null : readDigits(digits, 0, expected);
}

/** `readDate(source.slice(start, end), expected)`, reading the usual eight digits in place. */
export function readDateIn(source: string, start: number, end: number, expected: DateOrder): ReadDate | null {
  if (end - start >= 8 && isAllDigitsIn(source, start, start + 8)) return readDigits(source, start, expected);
  return readDate(source.slice(start, end), expected);
}

function startsWithEightDigits(value: string): boolean {
  return value.length >= 8 && isAllDigitsIn(value, 0, 8);
}

/** text[at…] starts with eight digits (the whole value, or its first 8 characters); only those are read. */
function readDigits(text: string, at: number, expected: DateOrder): ReadDate | null {
  const a = digitsAt(text, at, 2);
  const b = digitsAt(text, at + 2, 2);
  const c = digitsAt(text, at + 4, 2);
  const d = digitsAt(text, at + 6, 2);
  if (a === 0 && b === 0 && c === 0 && d === 0) return null; // 00000000
  const other: DateOrder = expected === 'CCYYMMDD' ? 'MMDDCCYY' : 'CCYYMMDD';
  const first = readInOrder(a, b, c, d, expected);
  if (first !== null) return { iso: first, order: expected };
  const second = readInOrder(a, b, c, d, other);
  return second === null ? null : { iso: second, order: other };
}

// ---------------------------------------------------------------- sex

export function readSex(raw: string | undefined): 'M' | 'F' | 'X' | null {
  // The usual one-character code: the general reading below gives the same.
  if (raw !== undefined && raw.length === 1 && isSolidAt(raw, 0)) return sexOfCode(raw.charCodeAt(0));
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

/** 1/M/m, 2/F/f, 9/X/x. */
function sexOfCode(code: number): 'M' | 'F' | 'X' | null {
  switch (code) {
    case 0x31:
    case 0x4d:
    case 0x6d:
      return 'M';
    case 0x32:
    case 0x46:
    case 0x66:
      return 'F';
    case 0x39:
    case 0x58:
    case 0x78:
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
  // The usual ZIP+4 as written on most cards (`85641-4321`): read as below, it comes out as it is.
  if (value.length === 10 && value.charCodeAt(5) === HYPHEN && isAllDigitsIn(value, 0, 5) && isAllDigitsIn(value, 6, 10)) {
    return { value: value.endsWith('0000') ? value.slice(0, 5) : value, recognised: true };
  }
  if (isAllDigits(value)) {
    if (value.length < 5) return { value, recognised: false };
    const zip5 = value.slice(0, 5);
    const plus4 = value.length === 9 ? value.slice(5) : '';
    return { value: plus4 !== '' && plus4 !== '0000' ? `${zip5}-${plus4}` : zip5, recognised: true };
  }
  const compact = value.toUpperCase().replace(SPACES_AND_DASHES, '');
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

/** Same as ALL_DIGITS.test(text) for a non-empty text. */
function isAllDigits(text: string): boolean {
  return isAllDigitsIn(text, 0, text.length);
}

/** Whether text[start, end) is all ASCII digits. */
function isAllDigitsIn(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}
const HYPHEN = 0x2d;

// ---------------------------------------------------------------- names

export interface NameParts {
  first: string | null;
  middle: string | null;
  last: string | null;
  suffix: string | null;
}

const WORD_SEPARATORS = /[,\s]+/;

const SUFFIXES: ReadonlySet<string> = new Set([
  'JR', 'SR', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX',
  '1ST', '2ND', '3RD', '4TH', '5TH', '6TH', '7TH', '8TH', '9TH',
]);

/** The words that are not empty or placeholders, cleaned and joined by one space. */
function joinWords(words: readonly string[]): string | null {
  let joined: string | null = null;
  for (const word of words) {
    const kept = cleanText(word);
    if (kept !== null) joined = joined === null ? kept : `${joined} ${kept}`;
  }
  return joined;
}

/** DAD may list several middle names separated by commas; we join them with one space. */
export function readMiddleNames(raw: string | undefined): string | null {
  const value = cleanValue(raw);
  if (value === null || isOneWord(value)) return value;
  return joinWords(value.split(WORD_SEPARATORS));
}

/** DCT "given names" (v02–v03): first token is the first name, the rest are middle names. */
export function splitGivenNames(raw: string | undefined): { first: string | null; middle: string | null } {
  const value = cleanValue(raw);
  if (value === null) return { first: null, middle: null };
  if (isOneWord(value)) return { first: value, middle: null };
  // The first word that is not empty or a placeholder is the first name; the rest are joined.
  const words = value.split(WORD_SEPARATORS);
  let first: string | null = null;
  let middle: string | null = null;
  for (const word of words) {
    const kept = cleanText(word);
    if (kept === null) continue;
    if (first === null) first = kept;
    else middle = middle === null ? kept : `${middle} ${kept}`;
  }
  return { first, middle };
}

/** Every part split at whitespace (`parts.flatMap((part) => part.split(/\s+/))`). */
function wordsOf(parts: readonly string[]): string[] {
  const words: string[] = [];
  for (const part of parts) {
    if (isOneWord(part)) words.push(part);
    else for (const word of part.split(WHITESPACE)) words.push(word);
  }
  return words;
}
const WHITESPACE = /\s+/;

/**
 * `splitFullName(raw).suffix`, without splitting the rest: every card without a suffix element
 * but with a full name asks only this of it.
 */
export function fullNameSuffix(raw: string | undefined): string | null {
  const value = cleanValue(raw);
  if (value === null) return null;
  const separator = value.includes(',') ? ',' : value.includes('$') ? '$' : null;
  if (separator === null) return splitFullName(raw).suffix;
  // The parts value.split(separator) would give: how many, and where the last two start.
  let parts = 1;
  let lastSeparator = -1;
  let previousSeparator = -1;
  for (let at = value.indexOf(separator); at >= 0; at = value.indexOf(separator, at + 1)) {
    parts++;
    previousSeparator = lastSeparator;
    lastSeparator = at;
  }
  let lastPart = value.slice(lastSeparator + 1);
  if (parts > 2 && cleanValue(lastPart) === null) {
    parts--;
    lastPart = value.slice(previousSeparator + 1, lastSeparator);
  }
  return parts >= 4 ? cleanText(lastPart) : null;
}

/**
 * DAA full name (v01): `LAST,FIRST,MIDDLE,SUFFIX` with any part empty, `LAST, FIRST MIDDLE`,
 * or without commas `FIRST MIDDLE LAST [SUFFIX]` (Pennsylvania).
 *
 * The rule for the separators: the standard writes `,` in bar codes and `$` on the magnetic
 * stripe, and some issuers (old South Carolina cards) put one after the last part too
 * (`LAST,FIRST,MIDDLE,`). So the parts are split at `,` or, when the value holds no comma, at
 * `$`; one empty part after a trailing separator is dropped before the parts are counted, so
 * `LAST,FIRST,MIDDLE,JR,` still has JR as its suffix. Spaces inside a part separate words
 * (`LAST, FIRST MIDDLE`). A value with neither `,` nor `$` is split at spaces in the
 * Pennsylvania order, first name first.
 */
export function splitFullName(raw: string | undefined): NameParts {
  const value = cleanValue(raw);
  const none: NameParts = { first: null, middle: null, last: null, suffix: null };
  if (value === null) return none;
  const separator = value.includes(',') ? ',' : value.includes('$') ? '$' : null;
  if (separator !== null) {
    const parts = value.split(separator);
    if (parts.length > 2 && cleanValue(parts[parts.length - 1]) === null) parts.pop();
    const last = cleanText(parts[0]);
    if (parts.length <= 2) {
      const given = splitGivenNames(parts[1]);
      return { last, first: given.first, middle: given.middle, suffix: null };
    }
    const suffixPart = parts.length >= 4 ? cleanText(parts[parts.length - 1]) : null;
    const middleParts = parts.length >= 4 ? parts.slice(2, -1) : parts.slice(2);
    return { last, first: cleanText(parts[1]), middle: joinWords(wordsOf(middleParts)), suffix: suffixPart };
  }
  const words: string[] = [];
  for (const word of value.split(WHITESPACE)) if (word !== '') words.push(word);
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
