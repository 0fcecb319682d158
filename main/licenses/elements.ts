/**
 * AAMVA data element IDs and the value shapes we know, used to split a payload whose
 * separators were stripped and to recognise where the DL/ID subfile starts.
 */

/** Elements of the AAMVA DL/ID-2000 standard (version 01). */
const VERSION_01_IDS = [
  'DAA', 'DAB', 'DAC', 'DAD', 'DAE', 'DAF', 'DAG', 'DAH', 'DAI', 'DAJ', 'DAK', 'DAL', 'DAM', 'DAN',
  'DAO', 'DAP', 'DAQ', 'DAR', 'DAS', 'DAT', 'DAU', 'DAV', 'DAW', 'DAX', 'DAY', 'DAZ', 'DBA', 'DBB',
  'DBC', 'DBD', 'DBE', 'DBF', 'DBG', 'DBH', 'DBI', 'DBJ', 'DBK', 'DBL', 'DBM', 'DBN', 'DBO', 'DBP',
  'DBQ', 'DBR', 'DBS',
];

/**
 * Elements of versions 02 to 11, plus the v01 name/class elements that mixed-version cards
 * (Alberta, Arizona) still carry.
 */
const VERSION_02_PLUS_IDS = [
  'DCA', 'DCB', 'DCD', 'DBA', 'DCS', 'DCT', 'DAC', 'DAD', 'DBD', 'DBB', 'DBC', 'DAY', 'DAU', 'DAG',
  'DAH', 'DAI', 'DAJ', 'DAK', 'DAQ', 'DCF', 'DCG', 'DCH', 'DDE', 'DDF', 'DDG', 'DAZ', 'DCI', 'DCJ',
  'DCK', 'DBN', 'DBG', 'DBS', 'DCU', 'DCE', 'DCL', 'DCM', 'DCN', 'DCO', 'DCP', 'DCQ', 'DCR', 'DDA',
  'DDB', 'DDC', 'DDD', 'DAW', 'DAX', 'DDH', 'DDI', 'DDJ', 'DDK', 'DDL', 'DDM', 'DDN', 'DDO', 'DDP',
  'DAB', 'DAE', 'DAR', 'DAS', 'DAT',
];

/*
 * Every element ID is `D` + `A`–`D` + a letter, so a 4×26 table indexed by the last two letters
 * answers "is this an ID" without building a string (this runs for every character scanned).
 * Bit 1: version 01 element; bit 2: version 02+ element.
 */
const IN_VERSION_01 = 1;
const IN_VERSION_02_PLUS = 2;
const ID_TABLE = new Uint8Array(4 * 26);
const CODE_A = 65;
const CODE_D = 68;
for (const id of VERSION_01_IDS) ID_TABLE[elementSlot(id, 0)]! |= IN_VERSION_01;
for (const id of VERSION_02_PLUS_IDS) ID_TABLE[elementSlot(id, 0)]! |= IN_VERSION_02_PLUS;

/** Number of distinct element slots (`DA?`…`DD?`). */
export const ELEMENT_SLOTS = 4 * 26;

/** Slot of the element ID at `text[at]` (0 ≤ slot < ELEMENT_SLOTS), or -1 if it is not D[A-D][A-Z]. */
export function elementSlot(text: string, at: number): number {
  if (text.charCodeAt(at) !== CODE_D) return -1;
  const second = text.charCodeAt(at + 1) - CODE_A;
  const third = text.charCodeAt(at + 2) - CODE_A;
  if (second < 0 || second > 3 || third < 0 || third > 25) return -1;
  return second * 26 + third;
}

/** Whether `slot` (from elementSlot, possibly -1) is an element ID of any version. */
export function isElementSlot(slot: number): boolean {
  return slot >= 0 && (ID_TABLE[slot] ?? 0) !== 0;
}

/** Whether `text` holds an element ID (of any version) at `at`. */
export function isElementIdAt(text: string, at: number): boolean {
  const index = elementSlot(text, at);
  return index >= 0 && (ID_TABLE[index] ?? 0) !== 0;
}

export function isElementId(candidate: string): boolean {
  return candidate.length === 3 && isElementIdAt(candidate, 0);
}

/** Stricter: an ID a card of this version may carry (where a false match would cost a field). */
export function isVersionElementIdAt(text: string, at: number, version: number): boolean {
  const index = elementSlot(text, at);
  if (index < 0) return false;
  const bit = version <= 1 ? IN_VERSION_01 : IN_VERSION_02_PLUS;
  return ((ID_TABLE[index] ?? 0) & bit) !== 0;
}

const DATE_IDS: ReadonlySet<string> = new Set([
  'DBA', 'DBB', 'DBD', 'DDB', 'DDC', 'DDH', 'DDI', 'DDJ', 'DBL',
]);

/** Values with a fixed length: an element typed straight after them starts at this length. */
export function fixedLength(id: string): number | null {
  if (DATE_IDS.has(id)) return 8;
  switch (id) {
    case 'DBC':
    case 'DDE':
    case 'DDF':
    case 'DDG':
    case 'DDA':
    case 'DDD':
    case 'DDK':
    case 'DDL':
      return 1;
    case 'DAJ':
      return 2;
    case 'DCG':
    case 'DAY':
      return 3;
    default:
      return null;
  }
}

/** The element ID of a slot (`elementSlot` backwards). */
export function idOfSlot(slot: number): string {
  return `D${String.fromCharCode(65 + Math.floor(slot / 26))}${String.fromCharCode(65 + (slot % 26))}`;
}

const FIXED_LENGTHS = new Uint8Array(ELEMENT_SLOTS);
for (let slot = 0; slot < ELEMENT_SLOTS; slot++) FIXED_LENGTHS[slot] = fixedLength(idOfSlot(slot)) ?? 0;

/** `fixedLength` of the element in `slot`, 0 when free-length. */
export function fixedLengthOfSlot(slot: number): number {
  return FIXED_LENGTHS[slot] ?? 0;
}

/** `fixedLength` of the element ID at `text[at]`, 0 when free-length or not an ID. */
export function fixedLengthAt(text: string, at: number): number {
  const slot = elementSlot(text, at);
  return slot < 0 ? 0 : FIXED_LENGTHS[slot] ?? 0;
}

/** Longest plausible value (padding excluded) per element; the standard's V/F lengths, rounded up. */
export function maxValueLength(id: string): number {
  const fixed = fixedLength(id);
  if (fixed !== null) return fixed;
  switch (id) {
    case 'DAK':
    case 'DAP':
      return 11;
    case 'DAU':
    case 'DAW':
    case 'DAX':
    case 'DCE':
      return 7;
    case 'DAZ':
    case 'DCO':
    case 'DCB':
    case 'DAS':
      return 12;
    case 'DCA':
    case 'DAR':
      return 6;
    case 'DCD':
    case 'DCU':
    case 'DAE':
    case 'DAT':
    case 'DCN':
      return 5;
    case 'DCH':
    case 'DCM':
    case 'DCL':
      return 4;
    case 'DCT':
    case 'DAA':
      return 120;
    default:
      return 45;
  }
}

const SHAPES: Readonly<Record<string, RegExp>> = {
  DBC: /^[129MFX]$/,
  DDE: /^[TNU]$/,
  DDF: /^[TNU]$/,
  DDG: /^[TNU]$/,
  DDA: /^[FNM]$/,
  DDD: /^1$/,
  DDK: /^1$/,
  DDL: /^1$/,
  DAJ: /^[A-Z]{2}$/,
  DCG: /^(USA|CAN|CDN)$/,
  DAY: /^[A-Z]{3}$/,
  DAZ: /^[A-Z]{3,12}$/,
  DAU: /^(\d{2,3} ?(IN|CM|in|cm)?|\d'-?\d{1,2}"?)$/,
  DAK: /^(\d{5,10}|\d{5}[- ]+\d{1,4}|[A-Z]\d[A-Z] ?\d[A-Z]\d)$/,
  DAW: /^\d{2,3}( ?(LB|KG))?$/,
  DAX: /^\d{2,3}( ?(LB|KG))?$/,
  DCE: /^\d$/,
  // Version 01 only.
  DAV: /^\d{2,3}( ?CM)?$/,
  DAO: /^[A-Z]{2}$/,
  DAP: /^(\d{5,10}|\d{5}[- ]+\d{1,4}|[A-Z]\d[A-Z] ?\d[A-Z]\d)$/,
  DBF: /^\d{1,2}$/,
  DBH: /^[YN]$/,
  DBI: /^[YN]$/,
  DBK: /^\d{9}$/,
  DBM: /^\d{9}$/,
};

/**
 * Free-text elements that are rare on cards: inside a run-together payload a match of one of
 * these is more likely a piece of a street or name (`IDAHO` holds `DAH`) than a real element.
 */
const RARE_FREE_TEXT_IDS: ReadonlySet<string> = new Set([
  'DAH', 'DAL', 'DAM', 'DAN', 'DCI', 'DCJ', 'DBN', 'DBG', 'DBS', 'DAE', 'DCL', 'DCP', 'DCQ', 'DCR',
  'DBJ', 'DBO', 'DBP', 'DBQ', 'DBR', 'DBE', 'DAF',
]);

export function isRareFreeTextId(id: string): boolean {
  return RARE_FREE_TEXT_IDS.has(id);
}

const EIGHT_DIGITS = /^\d{8}$/;

/**
 * Whether a value fits the shape the standard gives its element: `true` fits, `false` does
 * not, `null` free text (names, streets) with no shape to test.
 */
export function valueFitsShape(id: string, value: string): boolean | null {
  if (DATE_IDS.has(id)) return EIGHT_DIGITS.test(value);
  const shape = SHAPES[id];
  return shape === undefined ? null : shape.test(value);
}

// ---------------------------------------------------------------- the same, by element slot

/*
 * The split of a run-together payload scores thousands of candidate values: these tables answer
 * by slot (see elementSlot) what the functions above answer by ID, without building ID strings.
 */
const MAX_VALUE_LENGTHS = new Uint8Array(ELEMENT_SLOTS);
const IS_DATE_SLOT = new Uint8Array(ELEMENT_SLOTS);
const IS_RARE_FREE_TEXT_SLOT = new Uint8Array(ELEMENT_SLOTS);
const SHAPE_OF_SLOT: Array<RegExp | undefined> = [];
for (let slot = 0; slot < ELEMENT_SLOTS; slot++) {
  const id = idOfSlot(slot);
  MAX_VALUE_LENGTHS[slot] = maxValueLength(id);
  IS_DATE_SLOT[slot] = DATE_IDS.has(id) ? 1 : 0;
  IS_RARE_FREE_TEXT_SLOT[slot] = RARE_FREE_TEXT_IDS.has(id) ? 1 : 0;
  SHAPE_OF_SLOT.push(SHAPES[id]);
}

/** `maxValueLength` of the element in `slot`. */
export function maxValueLengthOfSlot(slot: number): number {
  return MAX_VALUE_LENGTHS[slot] ?? 45;
}

/** `isRareFreeTextId` of the element in `slot`. */
export function isRareFreeTextSlot(slot: number): boolean {
  return IS_RARE_FREE_TEXT_SLOT[slot] === 1;
}

/*
 * Shapes that are one character from a set (`/^[129MFX]$/`, `/^1$/`): the characters by slot, so
 * the split of a run-together payload tests them without a slice and a regular expression.
 */
const ONE_CHARACTER_SHAPE = /^\^\[([A-Z0-9]+)\]\$$|^\^([A-Z0-9])\$$/;
const ONE_CHARACTER_OF_SLOT: Array<string | undefined> = [];
for (let slot = 0; slot < ELEMENT_SLOTS; slot++) {
  const match = ONE_CHARACTER_SHAPE.exec(SHAPE_OF_SLOT[slot]?.source ?? '');
  ONE_CHARACTER_OF_SLOT.push(match === null ? undefined : match[1] ?? match[2]);
}

/** `valueFitsShape` of the element in `slot` for the value text[start, end). */
export function valueFitsShapeAt(slot: number, text: string, start: number, end: number): boolean | null {
  if (IS_DATE_SLOT[slot] === 1) {
    if (end - start !== 8) return false;
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x30 || code > 0x39) return false;
    }
    return true;
  }
  const oneOf = ONE_CHARACTER_OF_SLOT[slot];
  if (oneOf !== undefined) return end - start === 1 && oneOf.includes(text.charAt(start));
  const shape = SHAPE_OF_SLOT[slot];
  return shape === undefined ? null : shape.test(text.slice(start, end));
}
