/**
 * From the scanner's decoded text to the DL/ID subfile's elements: strip transport noise,
 * read the header, find the subfile by content, split it into elements. Every repair made is
 * reported so the caller can list it as a warning.
 *
 * The scan works on character positions and slices a value only when it is asked for: a
 * register parses every scan, and the fuzz test parses hundreds of thousands. Well-framed scans
 * take a fast path (readStandardFraming) that skips noise removal and separator rewriting; any
 * other scan takes readWithRepairs. Both share the element splitter (readElements).
 */
import {
  elementSlot,
  fixedLength,
  fixedLengthAt,
  isElementIdAt,
  isElementSlot,
  fixedLengthOfSlot,
} from './elements.js';
import type { DocumentType, LicenseErrorCode } from './types.js';
import { ElementValues, MAX_INPUT_CHARS } from './element-values.js';
import { splitRunTogether } from './run-together.js';

export { ElementValues } from './element-values.js';

export interface Payload {
  iin: string;
  aamvaVersion: number;
  documentType: DocumentType;
  elements: ElementValues;
  /** Whether the text ends inside the DL/ID subfile's last element (a scan that may be cut short). */
  endsInsideSubfile: boolean;
  repairs: string[];
}

export type PayloadResult = { ok: true; payload: Payload } | { ok: false; code: LicenseErrorCode; layout?: string };

// ---------------------------------------------------------------- decoding and noise

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes from HID POS or serial are ISO 8859-1 per the standard; text files are UTF-8. */
export function decodeInput(input: unknown): string | null {
  if (typeof input === 'string') return input;
  if (!(input instanceof Uint8Array)) return null;
  try {
    return strictUtf8.decode(input);
  } catch {
    let text = '';
    for (let i = 0; i < input.length; i++) text += String.fromCharCode(input[i] ?? 0);
    return text;
  }
}

function isLatin1Letter(code: number): boolean {
  return code >= 0xc0 && code <= 0xff && code !== 0xd7 && code !== 0xf7;
}

function isC1Control(code: number): boolean {
  return code >= 0x80 && code <= 0x9f;
}

function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f;
}

const BYTE_ORDER_MARK = 0xfeff;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Removes the byte-order mark, C1 controls (Zebra wedge noise around LF) and any other non-ASCII
 * character, except Latin-1 letters inside values, which a name may legitimately hold. A letter
 * where an element ID sits (`DCÔBNONE`) is noise too.
 *
 * A C1 control right before an element ID or a jurisdiction subfile (`…DRIVE\u0085DAHAPT B`)
 * stands where a separator belongs: a scanner that sends a C1 control for LF or CR. It becomes
 * LF, so the elements do not run together; next to a real separator (`\u0090\n\u0090DAQ`) that
 * only adds an empty element, which is skipped. Anywhere else a C1 control is dropped, so one
 * inside a value (`JO\u0085HN`) does not cut the value short.
 */
export function removeNoise(input: string, repairs: string[]): string {
  let text = input;
  if (text.charCodeAt(0) === BYTE_ORDER_MARK) {
    text = text.slice(1);
    repairs.push('removed a byte-order mark');
  }
  if (!NON_ASCII.test(text)) return text;
  // Copy runs of kept characters with slice: building the string a character at a time is slow.
  const kept: string[] = [];
  let runStart = 0;
  let bom = false;
  let noise = 0;
  let separators = 0;
  let sinceSeparator = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      sinceSeparator = isControl(code) ? 0 : sinceSeparator + 1;
      continue;
    }
    if (isLatin1Letter(code) && sinceSeparator >= 3) {
      sinceSeparator++;
      continue;
    }
    if (code === BYTE_ORDER_MARK) bom = true;
    else if (isC1Control(code) && (isElementIdAt(text, i + 1) || isJurisdictionSubfileAt(text, i + 1))) {
      kept.push(text.slice(runStart, i), '\n');
      runStart = i + 1;
      sinceSeparator = 0;
      separators++;
      continue;
    } else noise++;
    kept.push(text.slice(runStart, i));
    runStart = i + 1;
  }
  kept.push(text.slice(runStart));
  const out = kept.join('');
  if (bom) repairs.push('removed a byte-order mark');
  if (noise > 0) repairs.push(`removed ${noise} stray non-ASCII character${noise === 1 ? '' : 's'}`);
  if (separators > 0) repairs.push('read control characters U+0080–U+009F before element IDs as separators');
  return out;
}

// ---------------------------------------------------------------- header

/** `ANSI ` + IIN + version; `AAMVA` on some v01 cards, `AMVA` when a wedge lost a letter. */
const HEADER = /(ANSI|AAMVA|AMVA) ?(\d{6})(\d{2})/;
const HEADER_CUT_SHORT = /(ANSI|AAMVA|AMVA) ?\d{0,7}\s*$/;
const MAGSTRIPE = /%[A-Z]{2}[^%?]*\^/;
const AIM_PREFIX = /\]L[0-9]/;
const STANDARD_GAP = '\n\u001e\r';
const TYPED_CONTROL_LETTER = /[6M]/;
const PUNCTUATION = /[^A-Za-z0-9\s]/;

interface Header {
  iin: string;
  version: number;
  /** Index of the `@` compliance indicator, or -1 when it is missing. */
  atIndex: number;
  /** Where the subfile designators (or, failing that, the data) should start. */
  designatorsIndex: number;
  /** A printable separator the header declares in place of LF (`@|\x1e|ANSI`). */
  extraSeparator: number | null;
  /** CR arrived as the letter M (`@\n6MANSI`), so the subfile's own terminator will too. */
  typedSegmentTerminator: boolean;
}

/**
 * The header's separator positions (between `@` and the file type: LF, RS, CR by the standard)
 * are read by what they are, not by their exact bytes. The rule: any control character there is
 * a separator, in whichever position and however many, so old South Carolina cards that put FS
 * (0x1C) then CR where the standard puts RS (`@ LF FS CR ANSI`), wedges that drop RS or double
 * CR, and FS/GS/STX substitutes all read as the standard gap (the header then only adds the
 * warning "damaged separators repaired"). Inside the data every control character other than LF
 * and CR becomes LF (readWithRepairs), so whichever control the scanner used for the element
 * separator splits elements too. A printable punctuation mark first in the gap (`@|`) is the
 * element separator the scanner substituted (extraSeparator); letters there are typed control
 * characters (`@\n6M`).
 */
function readHeader(text: string, repairs: string[]): Header | PayloadResult {
  const match = HEADER.exec(text);
  if (match === null) {
    if (text.includes('%BC') || text.includes(';636028')) {
      return { ok: false, code: 'unsupported_layout', layout: 'British Columbia' };
    }
    if (MAGSTRIPE.test(text)) return { ok: false, code: 'unsupported_layout', layout: 'magnetic stripe text' };
    const at = text.indexOf('@');
    if (at >= 0 && HEADER_CUT_SHORT.test(text.slice(at))) return { ok: false, code: 'cut_short' };
    return { ok: false, code: 'not_a_licence' };
  }
  const fileTypeIndex = match.index;
  const iin = match[2] ?? '';
  const version = Number(match[3]);
  // Pre-2000 cards carry a 5-digit IIN without the leading 6 and no entry count.
  if (version === 0 || iin.startsWith('3')) {
    return { ok: false, code: 'unsupported_layout', layout: 'pre-2000 card' };
  }
  const at = text.lastIndexOf('@', fileTypeIndex);
  const atIndex = at >= 0 && fileTypeIndex - at <= 8 ? at : -1;
  const gap = atIndex >= 0 ? text.slice(atIndex + 1, fileTypeIndex) : '';
  if (atIndex < 0) repairs.push('header: compliance indicator @ missing');
  else if (gap !== STANDARD_GAP || match[1] === 'AMVA') repairs.push('header: damaged separators repaired');
  if (TYPED_CONTROL_LETTER.test(gap)) repairs.push('header: control characters arrived as typed letters');
  const firstGapCode = gap.charCodeAt(0);
  const extraSeparator = gap.length > 0 && !isControl(firstGapCode) && PUNCTUATION.test(gap.charAt(0))
    ? firstGapCode
    : null;
  const afterVersion = fileTypeIndex + match[0].length;
  return {
    iin,
    version,
    atIndex,
    designatorsIndex: locateDesignators(text, afterVersion, version),
    extraSeparator,
    typedSegmentTerminator: gap.includes('M'),
  };
}

function isDesignatorTypeAt(text: string, index: number): boolean {
  if (text.charCodeAt(index) === CODE_Z) return isUpperAt(text, index + 1);
  return subfileTypeAt(text, index) !== null;
}

function isDigitAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= 0x30 && code <= 0x39;
}

/**
 * After the version come the jurisdiction version (absent on v01 and on Illinois v02, present on
 * New Brunswick v02) and the entry count: decide by where a designator type actually sits.
 */
function locateDesignators(text: string, afterVersion: number, version: number): number {
  const withJurisdiction = afterVersion + 4;
  const withoutJurisdiction = afterVersion + 2;
  const preferred = version <= 1 ? withoutJurisdiction : withJurisdiction;
  const other = version <= 1 ? withJurisdiction : withoutJurisdiction;
  if (designatorsFitAt(text, preferred)) return preferred;
  if (designatorsFitAt(text, other)) return other;
  return preferred;
}

/** Two digits (the entry count) and then a designator type. */
function designatorsFitAt(text: string, index: number): boolean {
  return isDigitAt(text, index - 2) && isDigitAt(text, index - 1) && isDesignatorTypeAt(text, index);
}

/** The number written by `length` digits at `at` (callers have checked they are digits). */
function digitsValueAt(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) value = value * 10 + text.charCodeAt(i) - 0x30;
  return value;
}

interface Designator {
  type: string;
  /** Byte offset from `@`, or null where the card has letters (Alberta's `abac`). */
  offset: number | null;
}

function allDigitsAt(text: string, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (!isDigitAt(text, i)) return false;
  return true;
}

function allLowerAt(text: string, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x61 || code > 0x7a) return false;
  }
  return true;
}

/** Designators: type (2) + offset (4 digits, or Alberta's 4 letters) + length (4 digits, may be missing). */
function readDesignators(text: string, from: number): { designators: Designator[]; end: number } {
  const designators: Designator[] = [];
  let index = from;
  while (designators.length < 99 && isDesignatorTypeAt(text, index) && !isElementIdAt(text, index + 2)) {
    const numericOffset = allDigitsAt(text, index + 2, 4);
    if (!numericOffset && !allLowerAt(text, index + 2, 4)) break;
    designators.push({
      type: text.slice(index, index + 2),
      offset: numericOffset ? Number(text.slice(index + 2, index + 6)) : null,
    });
    index += allDigitsAt(text, index + 6, 4) ? 10 : 6;
  }
  return { designators, end: index };
}

// ---------------------------------------------------------------- locating the DL/ID subfile

function subfileTypeAt(text: string, index: number): DocumentType | null {
  const first = text.charCodeAt(index);
  const second = text.charCodeAt(index + 1);
  if ((first === 0x44 && second === 0x4c) || (first === 0x45 && second === 0x4e)) return 'DL'; // DL, EN
  if (first === 0x49 && second === 0x44) return 'ID';
  return null;
}

function isSeparator(code: number, extra: number | null): boolean {
  return isControl(code) || code === extra;
}

interface SubfileStart {
  type: DocumentType | null;
  /** Index of the first element ID. */
  dataIndex: number;
}

/**
 * The DL/ID subfile is where a `DL`/`ID`/`EN` type is followed by an element ID (offsets in the
 * header are wrong on a third of real cards), or, on cards whose data lacks the type prefix
 * (Connecticut, Wyoming), the first element starting a token after the designators.
 */
function findSubfile(text: string, designatorsEnd: number, separator: number | null): SubfileStart | null {
  for (let i = designatorsEnd; i + 3 <= text.length; i++) {
    const type = subfileTypeAt(text, i);
    if (type !== null) {
      let j = i + 2;
      while (j < text.length && j <= i + 3 && isSeparator(text.charCodeAt(j), separator)) j++;
      if (isElementIdAt(text, j)) return { type, dataIndex: j };
    }
    const startsToken = i === designatorsEnd || isSeparator(text.charCodeAt(i - 1), separator);
    if (startsToken && isElementIdAt(text, i)) return { type: null, dataIndex: i };
  }
  return null;
}

// ---------------------------------------------------------------- splitting into elements

/** Values longer than this (padding excluded) can only be several elements run together. */
const LONGEST_SINGLE_VALUE = 50;
const SPACE = 0x20;
/** Control characters other than LF and CR (RS, FS, STX, ETX…). */
const OTHER_SEPARATORS = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]/;
const OTHER_SEPARATORS_ALL = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]/g;
const separatorPatterns = new Map<number, RegExp>();

/** Everything that separates elements besides LF and CR, including a separator the header declares. */
function otherSeparatorsPattern(extra: number | null): RegExp {
  if (extra === null) return OTHER_SEPARATORS_ALL;
  let pattern = separatorPatterns.get(extra);
  if (pattern === undefined) {
    const escaped = `\\u${extra.toString(16).padStart(4, '0')}`;
    pattern = new RegExp(`[\\x00-\\x09\\x0b\\x0c\\x0e-\\x1f\\x7f${escaped}]`, 'g');
    separatorPatterns.set(extra, pattern);
  }
  return pattern;
}
const CODE_M = 0x4d;
const CODE_Z = 0x5a;

function isUpperAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= 0x41 && code <= 0x5a;
}

/** A jurisdiction subfile starting at `index`: `Z` + letter, then the same again (`ZVZVA`). */
function isJurisdictionSubfileAt(text: string, index: number): boolean {
  return text.charCodeAt(index) === CODE_Z && isUpperAt(text, index + 1)
    && text.charCodeAt(index + 2) === CODE_Z && text.charCodeAt(index + 3) === text.charCodeAt(index + 1);
}

function lastNonSpace(text: string, start: number, end: number): number {
  let last = end;
  while (last > start && text.charCodeAt(last - 1) === SPACE) last--;
  return last;
}

/** Adds elements to the table, repairing runs where separators were lost. */
class SubfileReader {
  readonly elements: ElementValues;
  readonly repairs: string[] = [];

  /** `data`: the text every `run` given to the methods below is. */
  constructor(data: string, private readonly version: number) {
    this.elements = new ElementValues(data);
  }

  repaired(what: string): void {
    if (!this.repairs.includes(what)) this.repairs.push(what);
  }

  /**
   * The element at run[idAt] ending at `end`. If its value has a fixed length but runs on, a
   * separator was lost and the next element follows straight away (or after a typed `M`).
   */
  addWithOverflow(run: string, idAt: number, end: number): void {
    let at = idAt;
    for (let guard = 0; guard < 64; guard++) {
      const length = fixedLengthAt(run, at);
      const valueStart = at + 3;
      if (length === 0 || end - valueStart <= length) break;
      let next = valueStart + length;
      if (run.charCodeAt(next) === CODE_M && isElementIdAt(run, next + 1) && next + 4 <= end) next++;
      if (next + 3 > end || !isElementIdAt(run, next)) break;
      this.elements.add(at, valueStart, valueStart + length);
      this.repaired('split elements whose separator was missing');
      at = next;
    }
    this.elements.add(at, at + 3, end);
  }

  /** A run of elements with no separators between them, split by splitRunTogether (run-together.ts). */
  addRunTogether(run: string, start: number, end: number): void {
    const chosen = splitRunTogether(run, start, end, this.version);
    if (chosen.length > 1) this.repaired('separators missing: split the data by element IDs');
    for (let k = 0; k < chosen.length; k++) this.addWithOverflow(run, chosen[k] ?? start, chosen[k + 1] ?? end);
  }
}

// ---------------------------------------------------------------- entry point

export function readPayload(input: unknown): PayloadResult {
  const decoded = decodeInput(input);
  if (decoded === null || decoded.length === 0 || decoded.length > MAX_INPUT_CHARS) {
    return { ok: false, code: 'not_a_licence' };
  }
  const framed = readStandardFraming(decoded);
  return framed !== null ? { ok: true, payload: framed } : readWithRepairs(decoded);
}

/** `text.startsWith(word, at)` for at ≥ 0, by code (startsWith with a position costs a call). */
function isWordAt(text: string, at: number, word: string): boolean {
  if (at + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) if (text.charCodeAt(at + i) !== word.charCodeAt(i)) return false;
  return true;
}

/** Any non-ASCII character, or a control character other than LF and CR (the `g` flag is for lastIndex). */
const NOT_PLAIN_DATA = /[^\n\r\x20-\x7e]/g;
const CODE_AT = 0x40;
const CODE_THREE = 0x33;
const LF = 0x0a;
const CR = 0x0d;
const RS = 0x1e;

/**
 * The common case at a counter, read without the repair machinery: `@` first (after a
 * byte-order mark at most), a header gap of control characters only, `ANSI`/`AAMVA` + IIN +
 * version, designators, the DL/ID subfile right after them, and data of printable ASCII split
 * by LF/CR. Returns null as soon as any of that does not hold, and `readWithRepairs` reads the
 * payload instead. For every payload it accepts it returns exactly what `readWithRepairs` would
 * (test/unit/licenses/paths.test.ts compares them), so every quirk still goes through the repairs.
 */
export function readStandardFraming(text: string): Payload | null {
  const hasByteOrderMark = text.charCodeAt(0) === BYTE_ORDER_MARK;
  const atIndex = hasByteOrderMark ? 1 : 0;
  if (text.charCodeAt(atIndex) !== CODE_AT) return null;
  // The gap between `@` and the file type: control characters only (no typed letters, no `|`).
  let fileTypeIndex = atIndex + 1;
  while (fileTypeIndex - atIndex <= 8 && isControl(text.charCodeAt(fileTypeIndex))) fileTypeIndex++;
  if (fileTypeIndex - atIndex > 8) return null;
  let cursor: number;
  if (isWordAt(text, fileTypeIndex, 'ANSI')) cursor = fileTypeIndex + 4;
  else if (isWordAt(text, fileTypeIndex, 'AAMVA')) cursor = fileTypeIndex + 5;
  else return null;
  if (text.charCodeAt(cursor) === SPACE) cursor++;
  // IIN (6) + version (2); a pre-2000 card (IIN starting with 3, version 00) takes the full path.
  if (!allDigitsAt(text, cursor, 8) || text.charCodeAt(cursor) === CODE_THREE) return null;
  const version = (text.charCodeAt(cursor + 6) - 0x30) * 10 + text.charCodeAt(cursor + 7) - 0x30;
  if (version === 0) return null;
  const iin = text.slice(cursor, cursor + 6);

  // Designators, as readDesignators reads them, keeping only the first DL/ID/EN one.
  let index = locateDesignators(text, cursor + 8, version);
  let count = 0;
  let declaredType: DocumentType | null = null;
  let declaredOffset = -1;
  while (count < 99 && isDesignatorTypeAt(text, index) && !isElementIdAt(text, index + 2)) {
    const numericOffset = allDigitsAt(text, index + 2, 4);
    if (!numericOffset && !allLowerAt(text, index + 2, 4)) break;
    if (declaredType === null) {
      declaredType = subfileTypeAt(text, index);
      if (declaredType !== null) {
        declaredOffset = numericOffset ? digitsValueAt(text, index + 2, 4) : -1;
      }
    }
    count++;
    index += allDigitsAt(text, index + 6, 4) ? 10 : 6;
  }
  const designatorsEnd = index;

  // The subfile starts right at the end of the designators, with or without its type.
  const subfileType = subfileTypeAt(text, designatorsEnd);
  const dataIndex = subfileType === null ? designatorsEnd : designatorsEnd + 2;
  if (!isElementIdAt(text, dataIndex)) return null;

  // Only printable ASCII after the gap, and LF and CR inside the data (elsewhere they only make
  // the full path read the payload).
  NOT_PLAIN_DATA.lastIndex = fileTypeIndex;
  if (NOT_PLAIN_DATA.test(text)) return null;

  const repairs: string[] = [];
  if (hasByteOrderMark) repairs.push('removed a byte-order mark');
  const standardGap = fileTypeIndex - atIndex === 4 && text.charCodeAt(atIndex + 1) === LF
    && text.charCodeAt(atIndex + 2) === RS && text.charCodeAt(atIndex + 3) === CR;
  if (!standardGap) repairs.push('header: damaged separators repaired');
  if (subfileType === null) repairs.push('licence data has no DL/ID prefix');
  if (declaredType !== null) {
    const pointedAt = atIndex + declaredOffset;
    const pointsAtSubfile = declaredOffset >= 0
      && (subfileTypeAt(text, pointedAt) !== null || pointedAt === dataIndex);
    if (!pointsAtSubfile) repairs.push('header offset points nowhere: found the licence data by content');
  }
  const documentType: DocumentType = subfileType ?? declaredType ?? 'DL';
  return readElements(text, dataIndex, version, false, iin, documentType, repairs);
}

/** Every repair the parser knows, for any payload (the path `readStandardFraming` falls back to). */
export function readWithRepairs(decoded: string): PayloadResult {
  const repairs: string[] = [];
  let text = removeNoise(decoded, repairs);
  const aim = text.lastIndexOf(']L', 8) >= 0 ? AIM_PREFIX.exec(text) : null;
  if (aim !== null && aim.index < 8 && text.indexOf('@') > aim.index) {
    text = text.slice(0, aim.index) + text.slice(aim.index + aim[0].length);
    repairs.push('removed the scanner prefix');
  }

  const header = readHeader(text, repairs);
  if ('ok' in header) return header;
  const separator = header.extraSeparator;
  const { designators, end: designatorsEnd } = readDesignators(text, header.designatorsIndex);
  const subfile = findSubfile(text, designatorsEnd, separator);
  if (subfile === null) return { ok: false, code: 'cut_short' };

  const declared = designators.find((d) => d.type === 'DL' || d.type === 'ID' || d.type === 'EN');
  const documentType: DocumentType = subfile.type ?? (declared?.type === 'ID' ? 'ID' : 'DL');
  if (subfile.type === null) repairs.push('licence data has no DL/ID prefix');
  if (declared !== undefined && header.atIndex >= 0) {
    const pointedAt = header.atIndex + (declared.offset ?? -1);
    const pointsAtSubfile = declared.offset !== null
      && (subfileTypeAt(text, pointedAt) !== null || pointedAt === subfile.dataIndex);
    if (!pointsAtSubfile) repairs.push('header offset points nowhere: found the licence data by content');
  }

  // Elements end at LF or CR. Any other control character, or a separator the header declares,
  // becomes LF first, so the scan below needs only two native searches per element.
  const rest = text.slice(subfile.dataIndex);
  const data = separator !== null || OTHER_SEPARATORS.test(rest)
    ? rest.replace(otherSeparatorsPattern(separator), '\n')
    : rest;
  return {
    ok: true,
    payload: readElements(data, 0, header.version, header.typedSegmentTerminator, header.iin, documentType, repairs),
  };
}

/**
 * Splits data[from…] into elements at LF/CR, up to the end of the DL/ID subfile, repairing
 * lost separators; the caller has turned every other separator into LF.
 */
function readElements(
  data: string,
  from: number,
  version: number,
  typedSegmentTerminator: boolean,
  iin: string,
  documentType: DocumentType,
  repairs: string[],
): Payload {
  const reader = new SubfileReader(data, version);
  let lastStart = -1;
  let lastEnd = -1;
  let stoppedAtSubfileEnd = false;
  let nextLf = data.indexOf('\n', from);
  let nextCr = data.indexOf('\r', from);
  let jurisdictionSubfile = data.indexOf('Z', from);
  while (jurisdictionSubfile >= 0 && !isJurisdictionSubfileAt(data, jurisdictionSubfile)) {
    jurisdictionSubfile = data.indexOf('Z', jurisdictionSubfile + 1);
  }
  for (let tokenStart = from; tokenStart <= data.length;) {
    if (nextLf >= 0 && nextLf < tokenStart) nextLf = data.indexOf('\n', tokenStart);
    if (nextCr >= 0 && nextCr < tokenStart) nextCr = data.indexOf('\r', tokenStart);
    const tokenEnd = nextLf < 0 ? (nextCr < 0 ? data.length : nextCr) : nextCr < 0 ? nextLf : Math.min(nextLf, nextCr);
    let start = tokenStart;
    let end = tokenEnd;
    tokenStart = tokenEnd + 1;
    while (start < end && data.charCodeAt(start) === SPACE) start++;
    if (start === end) continue;
    if (data.charCodeAt(start) === CODE_Z) {
      stoppedAtSubfileEnd = true;
      break;
    }
    // A jurisdiction subfile glued on, after a CR typed as `M` or a stripped separator.
    const z = jurisdictionSubfile;
    if (z >= start + 3 && z + 4 <= end) {
      end = data.charCodeAt(z - 1) === CODE_M && z - 1 >= start + 3 ? z - 1 : z;
      stoppedAtSubfileEnd = true;
      reader.repaired('found the end of the licence data by content');
    }
    const slot = elementSlot(data, start);
    if (!isElementSlot(slot)) continue;
    if (end - start - 3 > LONGEST_SINGLE_VALUE && lastNonSpace(data, start, end) - start - 3 > LONGEST_SINGLE_VALUE) {
      reader.addRunTogether(data, start, end);
    } else if (end - start - 3 <= fixedLengthOfSlot(slot) || fixedLengthOfSlot(slot) === 0) {
      reader.elements.addAtSlot(slot, start + 3, end); // what addWithOverflow does when nothing runs on
    } else {
      reader.addWithOverflow(data, start, end);
    }
    lastStart = start;
    lastEnd = end;
    if (stoppedAtSubfileEnd) break;
  }

  // With CR typed as M, the subfile's terminator arrived as an M glued to the last element.
  let typedTerminator = false;
  if (typedSegmentTerminator && !stoppedAtSubfileEnd && lastStart >= 0
    && data.charCodeAt(lastEnd - 1) === CODE_M) {
    typedTerminator = true;
    const lastId = lastIdOfToken(reader.elements, data.slice(lastStart, lastEnd));
    if (lastId !== null && fixedLength(lastId) === null) {
      reader.elements.trimEnd(lastId, 1);
      reader.repaired('removed a typed segment terminator (M)');
    }
  }

  return {
    iin,
    aamvaVersion: version,
    documentType,
    elements: reader.elements,
    endsInsideSubfile: !stoppedAtSubfileEnd && !typedTerminator && lastEnd === data.length,
    repairs: reader.repairs.length === 0 ? repairs : repairs.concat(reader.repairs),
  };
}

/** The element whose recorded value ends where the last token ends. */
function lastIdOfToken(elements: ElementValues, token: string): string | null {
  for (let at = token.length - 4; at >= 0; at--) {
    if (!isElementIdAt(token, at)) continue;
    const id = token.slice(at, at + 3);
    const value = elements.get(id);
    if (value !== undefined && at + 3 + value.length === token.length) return id;
  }
  return null;
}
