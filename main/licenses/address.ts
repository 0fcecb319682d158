/**
 * Version 01 cards that carry the whole address in one element.
 *
 * The rule (AAMVA DL/ID-2000 and early Florida layouts, research/aamva.md §4.1): a v01 card names
 * its address parts DAG/DAH (mailing street 1/2), DAI city, DAJ state, DAK postal code, or the
 * residence set DAL/DAM/DAN/DAO/DAP. Some early layouts (Florida's among them) leave the city,
 * state and postal elements out and write the address as one line instead:
 *
 *   DAG1234 PARK ST LOT 504, KEY WEST, FL 33040-0504     the whole address in the street element
 *   DAG1234 PARK ST LOT 504 KEY WEST FL 330400504        the same without commas
 *   DAG1234 PARK ST LOT 504 + DAHKEY WEST, FL 33040      city, state and ZIP as the second line
 *
 * Only when the card has neither a city (DAI/DAN) nor a postal code (DAK/DAP) is such a line
 * split, from its end, where the parts are unambiguous: the postal code (US ZIP or ZIP+4, or a
 * Canadian postal code), then the two-letter code of a US state or Canadian province before it,
 * then the city. The city ends the street at the last `,` or `$`; with no such separator, the
 * street ends after its street type (ST, AVE, RD…), an optional direction (NE) and optional
 * units (LOT 504, APT 2B, #7), or after a post office box number. When no rule tells where the
 * street ends, the city is left empty (the line stays the street) rather than guessed.
 */
import { countryOfJurisdiction } from './jurisdictions.js';

export interface AddressParts {
  /** Null when the line was a city line (city, state and postal code only). */
  street: string | null;
  /** Null when the street and the city could not be told apart. */
  city: string | null;
  state: string;
  /** The postal code as written, for readPostalCode. */
  postalCode: string;
}

/** `…, ST 12345-6789` at the end of a line: state and postal code, separated by spaces, `,` or `$`. */
const STATE_AND_POSTAL = /^(.*?)[\s,$]*\b([A-Z]{2})[\s,$]*(\d{5}(?:[- ]?\d{1,5})?|[A-Z]\d[A-Z] ?\d[A-Z]\d)[\s,$-]*$/;

/** Street 35 + city 20 + state + ZIP+4 and separators, with room for padding; longer is not one line. */
const LONGEST_ADDRESS_LINE = 120;

const STREET_TYPES: ReadonlySet<string> = new Set([
  'ST', 'STREET', 'AVE', 'AV', 'AVENUE', 'RD', 'ROAD', 'DR', 'DRIVE', 'BLVD', 'BOULEVARD', 'LN', 'LANE',
  'CT', 'COURT', 'WAY', 'CIR', 'CIRCLE', 'PL', 'PLACE', 'TER', 'TERRACE', 'HWY', 'HIGHWAY', 'PKWY',
  'PARKWAY', 'TRL', 'TRAIL', 'LOOP', 'SQ', 'PIKE', 'RUN', 'PATH', 'XING', 'CV', 'COVE', 'PT', 'ALY',
  'CSWY', 'EXPY', 'PLZ', 'TPKE', 'ROW', 'WALK', 'BND', 'CRES', 'GRV', 'HL', 'HOLW', 'ISLE', 'KY', 'LNDG',
  'MNR', 'PASS', 'PARK', 'RDG', 'SPUR', 'TRCE', 'VW', 'VIS',
]);
/**
 * Directions after a street type; only the two-letter ones: `N`, `WEST`… also begin city names
 * (N MIAMI BEACH, WEST PALM BEACH), so they are left to the city.
 */
const DIRECTIONS: ReadonlySet<string> = new Set(['NE', 'NW', 'SE', 'SW']);
/** Unit designators, each followed by its number. */
const UNITS: ReadonlySet<string> = new Set(['APT', 'UNIT', 'LOT', 'STE', 'SUITE', 'BLDG', 'TRLR', 'SPC', 'RM', 'FL', 'FLOOR', 'NO']);
const HAS_DIGIT = /\d/;

/**
 * Splits a whole-address line (`wholeAddress`) or a city line (`cityLine`: city, state and
 * postal code). Null when the line does not end in a known state code and a postal code.
 */
export function splitAddressLine(value: string | null, kind: 'wholeAddress' | 'cityLine'): AddressParts | null {
  if (value === null || value.length > LONGEST_ADDRESS_LINE) return null;
  const match = STATE_AND_POSTAL.exec(value);
  if (match === null) return null;
  const state = match[2] ?? '';
  if (countryOfJurisdiction(state) === null) return null;
  const postalCode = match[3] ?? '';
  const rest = (match[1] ?? '').replace(/[\s,$]+$/, '');
  if (kind === 'cityLine') {
    const city = tidy(rest);
    return city === null ? null : { street: null, city, state, postalCode };
  }
  const cut = Math.max(rest.lastIndexOf(','), rest.lastIndexOf('$'));
  if (cut >= 0) return { street: tidy(rest.slice(0, cut)), city: tidy(rest.slice(cut + 1)), state, postalCode };
  const words: string[] = [];
  const starts: number[] = [];
  for (const word of rest.matchAll(/\S+/g)) {
    words.push(word[0]);
    starts.push(word.index);
  }
  const streetWords = streetLength(words);
  const cityStart = streetWords === null ? undefined : starts[streetWords];
  if (cityStart === undefined) return { street: tidy(rest), city: null, state, postalCode };
  // Sliced from the line, so spacing inside the street and the city stays as printed.
  return { street: tidy(rest.slice(0, cityStart)), city: tidy(rest.slice(cityStart)), state, postalCode };
}

/**
 * How many leading words are the street: through a post office box number, or through the first
 * street type that follows a house number and a name (`123 ST JOHNS RD` ends at RD, `9 MAIN AVE
 * PORT ST LUCIE` at AVE), then a direction and unit designators with their numbers.
 */
function streetLength(words: readonly string[]): number | null {
  const upper = words.map((word) => word.toUpperCase().replace(/[.,]/g, ''));
  const box = upper.indexOf('BOX');
  if (box >= 0 && box <= 2 && HAS_DIGIT.test(upper[box + 1] ?? '')) return box + 2;
  let end = -1;
  for (let i = 2; i < upper.length - 1; i++) {
    if (STREET_TYPES.has(upper[i] ?? '')) {
      end = i + 1;
      break;
    }
  }
  if (end < 0) return null;
  if (DIRECTIONS.has(upper[end] ?? '') && end < upper.length - 1) end++;
  for (;;) {
    const word = upper[end] ?? '';
    if (UNITS.has(word) && end + 1 < upper.length && HAS_DIGIT.test(upper[end + 1] ?? '')) end += 2;
    else if (word.startsWith('#') || HAS_DIGIT.test(word)) end++;
    else break;
  }
  return end;
}

function tidy(text: string): string | null {
  const value = text.replace(/^[\s,$]+|[\s,$]+$/g, '');
  return value === '' ? null : value;
}
