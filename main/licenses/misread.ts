/**
 * Fields that show the scanner misread the barcode. A lost separator glues the next element
 * into a value (first name `JOHNDBD081884194`: the issue date ran into it); a damaged byte puts
 * a digit or a `^` in a name. Such a scan is refused with "scan again" rather than filling a
 * profile with it: a rescan costs a second, a wrong name or address stays on file.
 */
import { elementSlot, isVersionElementIdAt, valueFitsShape } from './elements.js';
import type { ElementValues } from './payload.js';
import type { ParsedLicense } from './types.js';

/** Elements every card of the version carries (AAMVA CDS "mandatory"): absent, they were swallowed. */
const MANDATORY_V02_PLUS = ['DCA', 'DCB', 'DCD', 'DBA', 'DCS', 'DBD', 'DBB', 'DBC', 'DAY', 'DAU', 'DAG', 'DAI', 'DAJ', 'DAK', 'DAQ', 'DCF', 'DCG'];
const MANDATORY_V04_PLUS = [...MANDATORY_V02_PLUS, 'DAC', 'DAD', 'DDE', 'DDF', 'DDG'];
const MANDATORY_V02_V03 = [...MANDATORY_V02_PLUS, 'DCT'];
/** Version 01 cards differ widely: only what every v01 card in our fixtures and research carries. */
const MANDATORY_V01 = ['DAQ', 'DBA', 'DBB', 'DBD', 'DAG', 'DAI', 'DAJ', 'DAK'];

function mandatoryFor(version: number): ReadonlySet<string> {
  if (version <= 1) return MANDATORY_SETS.v01;
  if (version <= 3) return MANDATORY_SETS.v02;
  return MANDATORY_SETS.v04;
}
const MANDATORY_SETS = {
  v01: new Set(MANDATORY_V01),
  v02: new Set(MANDATORY_V02_V03),
  v04: new Set(MANDATORY_V04_PLUS),
};

/*
 * Character classes, by code (Latin-1; anything above is none of them). Every scan is checked,
 * so the checks below are loops over this table rather than regular expressions.
 */
const UPPER = 1;
const LOWER = 2;
/** Space, hyphen, apostrophe, period, comma: the punctuation a name may hold. */
const NAME_PUNCTUATION = 4;
const DIGIT = 8;
const CLASSES = new Uint8Array(256);
for (let code = 0x41; code <= 0x5a; code++) CLASSES[code] = UPPER;
for (let code = 0x61; code <= 0x7a; code++) CLASSES[code] = LOWER;
for (let code = 0xc0; code <= 0xde; code++) if (code !== 0xd7) CLASSES[code] = UPPER;
for (let code = 0xdf; code <= 0xff; code++) if (code !== 0xf7) CLASSES[code] = LOWER;
for (let code = 0x30; code <= 0x39; code++) CLASSES[code] = DIGIT;
for (const char of " '.,-\t") CLASSES[char.charCodeAt(0)] = NAME_PUNCTUATION;

function classAt(value: string, index: number): number {
  const code = value.charCodeAt(index);
  return code < 256 ? (CLASSES[code] ?? 0) : 0;
}

/**
 * AAMVA's sample cards (which stores scan in training) fill their names with
 * `FIRSTNAMEUPTO40CHARACTERS…`: the only digits a first, middle or last name may hold.
 */
const SAMPLE_CARD_BEFORE = 'UPTO';
const SAMPLE_CARD_AFTER = 'CHARACTERS';

/**
 * Whether a digit of `value` lies outside every `UPTO` + two digits + `CHARACTERS`
 * (`/\d/.test(value.replace(/UPTO\d{2}CHARACTERS/g, ''))`, without building the string; no two
 * such runs can overlap, as none holds a second U).
 */
function holdsDigitOutsideSampleLength(value: string, firstDigit: number): boolean {
  for (let i = firstDigit; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x30 || code > 0x39) continue;
    // The run's first digit is at i, or the digit before i is.
    const first = classAt(value, i - 1) === DIGIT && holdsAt(value, i - 5, SAMPLE_CARD_BEFORE) ? i - 1 : i;
    const inRun = holdsAt(value, first - 4, SAMPLE_CARD_BEFORE) && classAt(value, first + 1) === DIGIT
      && holdsAt(value, first + 2, SAMPLE_CARD_AFTER);
    if (!inRun) return true;
  }
  return false;
}

/** Whether `value` holds `word` at `at` (false before its start; startsWith, which costs a call per digit here). */
function holdsAt(value: string, at: number, word: string): boolean {
  if (at < 0 || at + word.length > value.length) return false;
  for (let i = 0; i < word.length; i++) if (value.charCodeAt(at + i) !== word.charCodeAt(i)) return false;
  return true;
}

/** Which digits a name-like field may hold. */
type DigitRule = 0 | 1 | 2;
const NO_DIGITS = 0;
const SAMPLE_CARD_DIGITS = 1;
const ANY_DIGITS = 2;

/** What scanName and scanLine return for a value that is misread on its face. */
const FLAGGED = -2;
const CODE_D = 0x44;

/**
 * Whether a name (or city) holds what no name does: a character other than a letter and name
 * punctuation, a digit (unless `digits`), or a lowercase letter alone inside an uppercase word
 * (`JpOHN`, `ORTIZ óORTIZ`): a damaged byte, not a name printed in mixed case (`FirstNameTest`
 * has its lowercase letters in runs). FLAGGED if so; otherwise, from the same pass, where its
 * first `D` is (-1: none), where holdsGluedElement starts.
 */
function scanName(value: string, digits: DigitRule): number {
  let firstDigit = -1;
  let firstD = -1;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    // Nearly every character of a real value: a capital or a space, nothing to look at closer.
    if ((code >= 0x41 && code <= 0x5a) || code === SPACE) {
      if (code === CODE_D && firstD < 0) firstD = i;
      continue;
    }
    const type = code < 256 ? (CLASSES[code] ?? 0) : 0;
    if (type === DIGIT) {
      if (digits === NO_DIGITS) return FLAGGED;
      if (firstDigit < 0) firstDigit = i;
      continue;
    }
    if ((type & (UPPER | LOWER | NAME_PUNCTUATION)) === 0) return FLAGGED;
    if (type !== LOWER) continue;
    const before = i === 0 ? NAME_PUNCTUATION : classAt(value, i - 1);
    const after = classAt(value, i + 1);
    if (after !== UPPER) continue;
    if (before === UPPER || (before === NAME_PUNCTUATION && classAt(value, i + 2) === UPPER)) return FLAGGED;
  }
  if (firstDigit >= 0 && digits === SAMPLE_CARD_DIGITS && holdsDigitOutsideSampleLength(value, firstDigit)) return FLAGGED;
  return firstD;
}

function isAsciiLetterAt(value: string, index: number): boolean {
  return value.charCodeAt(index) <= 0x7a && (classAt(value, index) & (UPPER | LOWER)) !== 0;
}

/** Characters no card prints in an address or licence number; a scanner's damaged byte often is one. */
const NEVER_PRINTED_CHARACTERS = '^][%?\\|~{}<>*=;$!`_"';
const NEVER_PRINTED = new Uint8Array(128);
for (const char of NEVER_PRINTED_CHARACTERS) NEVER_PRINTED[char.charCodeAt(0)] = 1;

/** FLAGGED when an address line or licence number holds a character no card prints; otherwise where its first `D` is (-1: none). */
function scanLine(value: string): number {
  let firstD = -1;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 128 && NEVER_PRINTED[code] === 1) return FLAGGED;
    if (code === CODE_D && firstD < 0) firstD = i;
  }
  return firstD;
}

const SPACE = 0x20;

type TextField = 'licenseNumber' | 'firstName' | 'middleName' | 'lastName' | 'nameSuffix' | 'street' | 'street2' | 'city';

const LABELS: Record<TextField | 'state' | 'postalCode', string> = {
  licenseNumber: 'licence number',
  firstName: 'first name',
  middleName: 'middle name',
  lastName: 'last name',
  nameSuffix: 'name suffix',
  street: 'street',
  street2: 'address line 2',
  city: 'city',
  state: 'state',
  postalCode: 'postal code',
};


/**
 * `DB?` and `DC?` hardly occur inside English or Spanish words, except in these compounds
 * (WOODBRIDGE, GOODCHILD, WOODCOCK, WOODCLIFF, WOODCREST); `DA?` and `DD?` often do (DANIEL,
 * MIDDLETON), so those count as glued only when the rules below say so.
 */
const IDS_SEEN_IN_WORDS: ReadonlySet<string> = new Set(['DBR', 'DCH', 'DCO', 'DCL', 'DCR']);

function isUnlikeInWords(id: string): boolean {
  return (id[1] === 'B' || id[1] === 'C') && !IDS_SEEN_IN_WORDS.has(id);
}

/**
 * Whether `value` holds another element glued on: an element ID of this version that the
 * payload lacks (so its separator was lost and it ran into this value), where that element is
 * one every card carries, or one whose ID no word holds, or what follows the ID inside a word
 * has exactly that element's shape (`RICHMONDDAJVA`).
 * A name that merely contains the letters of an ID (DANIEL, MIDDLETON) passes: its element is
 * either present elsewhere or optional with nothing of its shape after it.
 */
function holdsGluedElement(
  value: string,
  firstD: number,
  elements: ElementValues,
  version: number,
  mandatory: ReadonlySet<string>,
  absentByLayout: ReadonlySet<string> | undefined,
): boolean {
  for (let at = firstD; at >= 0 && at + 3 <= value.length; at = value.indexOf('D', at + 1)) {
    if (!isVersionElementIdAt(value, at, version)) continue;
    if (elements.holds(elementSlot(value, at))) continue;
    const id = value.slice(at, at + 3);
    if (absentByLayout?.has(id) === true) continue;
    if (mandatory.has(id) || isUnlikeInWords(id)) return true;
    // At the start of a word (DAYTON) only if padding precedes it (`FERGUS      DAJON`).
    const startsWord = at === 0 || (value.charCodeAt(at - 1) === SPACE && value.charCodeAt(at - 2) !== SPACE);
    const rest = value.slice(at + 3).split(' ')[0] ?? '';
    if (!startsWord && rest.length > 0 && valueFitsShape(id, rest) === true) return true;
  }
  return false;
}

function holdsAnyAbsentElement(value: string, firstD: number, elements: ElementValues, version: number): boolean {
  for (let at = firstD; at >= 0 && at + 3 <= value.length; at = value.indexOf('D', at + 1)) {
    if (isVersionElementIdAt(value, at, version) && !elements.holds(elementSlot(value, at))) return true;
  }
  return false;
}

/** A name (or city) garbled, or holding a glued element (scanName, holdsGluedElement). */
function nameMisread(
  value: string,
  digits: DigitRule,
  elements: ElementValues,
  version: number,
  mandatory: ReadonlySet<string>,
  absentByLayout: ReadonlySet<string> | undefined,
): boolean {
  const firstD = scanName(value, digits);
  return firstD === FLAGGED || (firstD >= 0 && holdsGluedElement(value, firstD, elements, version, mandatory, absentByLayout));
}

/** An address line with a character no card prints, or holding a glued element (scanLine, holdsGluedElement). */
function lineMisread(
  value: string,
  elements: ElementValues,
  version: number,
  mandatory: ReadonlySet<string>,
  absentByLayout: ReadonlySet<string> | undefined,
): boolean {
  const firstD = scanLine(value);
  return firstD === FLAGGED || (firstD >= 0 && holdsGluedElement(value, firstD, elements, version, mandatory, absentByLayout));
}

/**
 * The label of the first field that shows a misread, or null when the fields look as printed.
 * `absentByLayout`: element IDs the card's layout leaves out (a v01 card that writes its whole
 * address in one line has no DAI/DAJ/DAK), so their letters in a value (`DAISY LN`) are no sign.
 * Every scan goes through here: straight-line code, one small loop per field.
 */
export function findMisread(
  license: ParsedLicense,
  elements: ElementValues,
  version: number,
  absentByLayout?: ReadonlySet<string>,
): string | null {
  const mandatory = mandatoryFor(version);
  const { licenseNumber, firstName, middleName, lastName, nameSuffix, street, street2, city, state } = license;
  // A licence number is a code: any element ID of the card's version inside it was glued on.
  if (licenseNumber !== null) {
    const firstD = scanLine(licenseNumber);
    if (firstD === FLAGGED || (firstD >= 0 && holdsAnyAbsentElement(licenseNumber, firstD, elements, version))) return LABELS.licenseNumber;
  }
  // One pass per field finds both kinds of sign: the name or line check, and where a glued ID may start.
  if (firstName !== null && nameMisread(firstName, SAMPLE_CARD_DIGITS, elements, version, mandatory, absentByLayout)) return LABELS.firstName;
  if (middleName !== null && nameMisread(middleName, SAMPLE_CARD_DIGITS, elements, version, mandatory, absentByLayout)) return LABELS.middleName;
  if (lastName !== null && nameMisread(lastName, SAMPLE_CARD_DIGITS, elements, version, mandatory, absentByLayout)) return LABELS.lastName;
  // A suffix may be `3RD`.
  if (nameSuffix !== null && nameMisread(nameSuffix, ANY_DIGITS, elements, version, mandatory, absentByLayout)) return LABELS.nameSuffix;
  if (street !== null && lineMisread(street, elements, version, mandatory, absentByLayout)) return LABELS.street;
  if (street2 !== null && lineMisread(street2, elements, version, mandatory, absentByLayout)) return LABELS.street2;
  // No US or Canadian place name is spelt with digits.
  if (city !== null && nameMisread(city, NO_DIGITS, elements, version, mandatory, absentByLayout)) return LABELS.city;
  if (state !== null && (state.length !== 2 || !isAsciiLetterAt(state, 0) || !isAsciiLetterAt(state, 1))) return LABELS.state;
  return null;
}

/** The postal code did not read as a US ZIP or a Canadian postal code. */
export const POSTAL_CODE_LABEL = LABELS.postalCode;
