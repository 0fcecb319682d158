/**
 * Builds AAMVA DL/ID payloads by the standard's rules (2020 CDS Annex D.12): the `@ LF RS CR`
 * compliance header, file type, IIN, versions, entry count, subfile designators with correct
 * offsets and lengths, then each subfile: type, elements separated by LF, ended by CR. Damage
 * helpers then reproduce what scanners and keyboard wedges do to real payloads.
 */

export type Element = [id: string, value: string];

export interface PayloadSpec {
  /** Issuer Identification Number, 6 digits. Default 636000 (Virginia). */
  iin?: string;
  /** AAMVA version. Default 8. */
  version?: number;
  /** Jurisdiction version; null leaves the field out (version 01 headers, Illinois v02). */
  jurisdictionVersion?: number | null;
  fileType?: 'ANSI ' | 'AAMVA';
  documentType?: 'DL' | 'ID' | 'EN';
  elements: Element[];
  /** A jurisdiction subfile (`ZV` + `ZVA`…). Default: `ZV` with one element. */
  jurisdictionSubfile?: { type: string; elements: Element[] } | null;
  /** Start the DL/ID data without its `DL`/`ID` type (Connecticut, Wyoming). */
  omitSubfileType?: boolean;
}

const LF = '\n';
const RS = '\u001e';
const CR = '\r';

function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}

function fourDigits(n: number): string {
  return String(n).padStart(4, '0');
}

export function buildPayload(spec: PayloadSpec): string {
  const version = spec.version ?? 8;
  const jurisdictionVersion = spec.jurisdictionVersion === undefined ? (version <= 1 ? null : 0) : spec.jurisdictionVersion;
  const type = spec.documentType ?? 'DL';
  const subfiles: Array<{ type: string; body: string }> = [
    {
      type,
      body: (spec.omitSubfileType ? '' : type) + spec.elements.map(([id, value]) => id + value).join(LF) + CR,
    },
  ];
  const jurisdiction = spec.jurisdictionSubfile === undefined
    ? { type: 'ZV', elements: [['ZVA', '01']] as Element[] }
    : spec.jurisdictionSubfile;
  if (jurisdiction !== null) {
    subfiles.push({
      type: jurisdiction.type,
      body: jurisdiction.type + jurisdiction.elements.map(([id, value]) => id + value).join(LF) + CR,
    });
  }
  const header = `@${LF}${RS}${CR}${spec.fileType ?? 'ANSI '}${spec.iin ?? '636000'}${twoDigits(version)}`
    + (jurisdictionVersion === null ? '' : twoDigits(jurisdictionVersion))
    + twoDigits(subfiles.length);
  let offset = header.length + 10 * subfiles.length;
  let designators = '';
  for (const subfile of subfiles) {
    designators += subfile.type + fourDigits(offset) + fourDigits(subfile.body.length);
    offset += subfile.body.length;
  }
  return header + designators + subfiles.map((subfile) => subfile.body).join('');
}

/** A version 08 Virginia driver's licence, every field the register reads (AAMVA D.13 style). */
export function modernElements(overrides: Record<string, string | null> = {}): Element[] {
  const base: Element[] = [
    ['DAQ', 'T64235789'],
    ['DCS', 'SAMPLE'],
    ['DDE', 'N'],
    ['DAC', 'MICHAEL'],
    ['DDF', 'N'],
    ['DAD', 'JOHN'],
    ['DDG', 'N'],
    ['DCU', 'JR'],
    ['DCA', 'D'],
    ['DCB', 'K'],
    ['DCD', 'PH'],
    ['DBD', '06062019'],
    ['DBB', '06061986'],
    ['DBA', '12102030'],
    ['DBC', '1'],
    ['DAU', '068 in'],
    ['DAY', 'BRO'],
    ['DAG', '2300 WEST BROAD STREET'],
    ['DAI', 'RICHMOND'],
    ['DAJ', 'VA'],
    ['DAK', '232690000  '],
    ['DCF', '2424244747474786102204'],
    ['DCG', 'USA'],
    ['DDA', 'F'],
    ['DDB', '06062018'],
  ];
  return applyOverrides(base, overrides);
}

/** Replace values (string), drop elements (null) or append new ones, keeping the order. */
export function applyOverrides(base: Element[], overrides: Record<string, string | null>): Element[] {
  const result: Element[] = [];
  for (const [id, value] of base) {
    if (!(id in overrides)) result.push([id, value]);
    else if (overrides[id] !== null) result.push([id, overrides[id] ?? '']);
  }
  for (const [id, value] of Object.entries(overrides)) {
    if (value !== null && !base.some(([baseId]) => baseId === id)) result.push([id, value]);
  }
  return result;
}

/** The profile `modernElements()` encodes, as the parser should return it. */
export const MODERN_FIELDS = {
  licenseNumber: 'T64235789',
  firstName: 'MICHAEL',
  middleName: 'JOHN',
  lastName: 'SAMPLE',
  nameSuffix: 'JR',
  dateOfBirth: '1986-06-06',
  expirationDate: '2030-12-10',
  issueDate: '2019-06-06',
  sex: 'M',
  street: '2300 WEST BROAD STREET',
  street2: null,
  city: 'RICHMOND',
  state: 'VA',
  postalCode: '23269',
  country: 'USA',
  documentType: 'DL',
  aamvaVersion: 8,
  iin: '636000',
} as const;

export function modernPayload(overrides: Record<string, string | null> = {}, spec: Partial<PayloadSpec> = {}): string {
  return buildPayload({ ...spec, elements: modernElements(overrides) });
}

// ---------------------------------------------------------------- damage, as seen in the field

/** Keyboard wedge / text box: every CR becomes LF. */
export const crToLf = (payload: string): string => payload.replace(/\r/g, '\n');
/** Windows line endings: every CR becomes CRLF. */
export const crToCrlf = (payload: string): string => payload.replace(/\r/g, '\r\n');
/** A wedge with no keystroke for RS drops it. */
export const dropRs = (payload: string): string => payload.replace(/\u001e/g, '');
/** Ctrl chords typed as their letters: RS (Ctrl+^, Ctrl+6) → `6`, CR (Ctrl+M) → `M`. */
export const controlLetters = (payload: string): string => payload.replace(/\u001e/g, '6').replace(/\r/g, 'M');
/** Every control character removed. */
export const stripSeparators = (payload: string): string => payload.replace(/[\u0000-\u001f]/g, '');
/** Every control character replaced by a printable one. */
export const substituteSeparators = (payload: string, by: string): string => payload.replace(/[\n\r]/g, by).replace(/\u001e/g, by);
/** Replace the header between `@` and the file type (`@\n\x1e\r` → `gap`). */
export const mangleHeader = (payload: string, gap: string): string => payload.replace(/^@[\s\S]*?(?=ANSI|AAMVA)/, `@${gap}`);
/** Zebra wedge C1 noise around LF. */
export const c1Noise = (payload: string): string => payload.replace(/\n/g, '\u0090\n\u0090');

/** Overwrite the offset of the first designator of `type` (4 characters). */
export function setOffset(payload: string, type: string, offset: string): string {
  const at = payload.search(new RegExp(`${type}\\d{8}`));
  if (at < 0) throw new Error(`no ${type} designator`);
  return payload.slice(0, at + 2) + offset + payload.slice(at + 6);
}
