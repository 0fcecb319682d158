/**
 * The fast readings (by position in the payload, by character code, for one field only) must give
 * exactly what the general readings give: cleanValueIn and cleanTextIn against cleanValue and
 * cleanText of the slice, readDateIn against readDate, fullNameSuffix against splitFullName's
 * suffix, valueFitsShapeAt against valueFitsShape, and the edge-comma rule against its regular
 * expressions. Seeded inputs built from the pieces that make these readings differ: padding,
 * commas, placeholders, digits, tabs and non-ASCII whitespace.
 */
import { describe, expect, it } from 'vitest';
import { ELEMENT_SLOTS, idOfSlot, valueFitsShape, valueFitsShapeAt } from '../../../main/licenses/elements.js';
import {
  cleanText,
  cleanTextIn,
  cleanValue,
  cleanValueIn,
  fullNameSuffix,
  readDate,
  readDateIn,
  readPostalCode,
  splitFullName,
} from '../../../main/licenses/values.js';

/** mulberry32, as the fuzz test. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  ' ', '  ', ',', ', ', '$', '\t', '\u00a0', '\u2028', 'NONE', 'none', 'UNAVL', 'unavailable', 'N', 'U', 'JOHN', 'Q', 'JR', 'III',
  'é', '19860606', '06061986', '0', '1', '2', '9', 'M', 'F', 'X', 'T', 'USA', 'CAN', 'VA', '23269', '-', '4321', 'A1A', '1A1',
  '5\'-04"', '068 in', 'BLK', 'DAQ', '12/10/2030', '2030-12-10', '.',
];

function randomText(random: () => number, parts: number): string {
  let text = '';
  for (let i = 0; i < parts; i++) text += PIECES[Math.floor(random() * PIECES.length)] ?? '';
  return text;
}

/** Ontario's rule as first written: the runs of commas and whitespace off both ends, by regular expression. */
function cleanTextByRegex(raw: string): string | null {
  const value = cleanValue(raw);
  if (value === null || (!value.startsWith(',') && !value.endsWith(','))) return value;
  return cleanValue(value.replace(/[,\s]+$/, '').replace(/^[,\s]+/, ''));
}

describe('readings by position equal the general readings', () => {
  it('cleanValueIn, cleanTextIn and readDateIn, over seeded texts and ranges (an end before the start too)', () => {
    const random = randomSource(0xb0517);
    for (let i = 0; i < 20_000; i++) {
      const text = randomText(random, 1 + Math.floor(random() * 6));
      const start = Math.floor(random() * (text.length + 1));
      // Now and then a range that ends before it starts, as between overlapping element IDs.
      const end = random() < 0.1 ? Math.max(0, start - 2) : start + Math.floor(random() * (text.length - start + 1));
      const slice = text.slice(start, end);
      const where = JSON.stringify([text, start, end]);
      expect(cleanValueIn(text, start, end), where).toBe(cleanValue(slice));
      expect(cleanTextIn(text, start, end), where).toBe(cleanText(slice));
      expect(cleanText(slice), where).toBe(cleanTextByRegex(slice));
      for (const order of ['CCYYMMDD', 'MMDDCCYY'] as const) {
        expect(readDateIn(text, start, end, order), where).toEqual(readDate(slice, order));
      }
    }
  });

  it('fullNameSuffix is splitFullName(...).suffix, for commas, dollar signs and the Pennsylvania order', () => {
    const random = randomSource(0x50ff1);
    const names = ['PUBLIC', 'JOHN', 'Q', 'JR', 'III', '', ' ', 'NONE', 'MARY ANN', 'JR.', '3RD'];
    for (let i = 0; i < 20_000; i++) {
      const separator = [',', '$', ' ', ', '][Math.floor(random() * 4)] ?? ',';
      const parts = Array.from({ length: 1 + Math.floor(random() * 5) }, () => names[Math.floor(random() * names.length)] ?? '');
      const raw = parts.join(separator) + (random() < 0.3 ? separator : '');
      expect(fullNameSuffix(raw), JSON.stringify(raw)).toBe(splitFullName(raw).suffix);
    }
    expect(fullNameSuffix('PUBLIC,JOHN,Q,JR,')).toBe('JR');
    expect(fullNameSuffix('LastNameTest,FirstNameTest, ,')).toBeNull();
    expect(fullNameSuffix(undefined)).toBeNull();
  });

  it('a ZIP+4 written with a hyphen comes out as written, without its 0000 padding', () => {
    expect(readPostalCode('85641-4321')).toEqual({ value: '85641-4321', recognised: true });
    expect(readPostalCode('85641-0000')).toEqual({ value: '85641', recognised: true });
    // The same rule as the general reading of other spellings.
    expect(readPostalCode('85641 4321')).toEqual({ value: '85641-4321', recognised: true });
    expect(readPostalCode('856410000')).toEqual({ value: '85641', recognised: true });
    expect(readPostalCode('8564-14321')).toEqual({ value: '85641-4321', recognised: true });
  });

  it('valueFitsShapeAt is valueFitsShape of the slice, for every element slot', () => {
    const random = randomSource(0x5a9e);
    for (let i = 0; i < 3_000; i++) {
      const value = randomText(random, Math.floor(random() * 3));
      const text = `DAQ${value}\nDCS`;
      for (let slot = 0; slot < ELEMENT_SLOTS; slot++) {
        expect(valueFitsShapeAt(slot, text, 3, 3 + value.length), `${idOfSlot(slot)} ${JSON.stringify(value)}`)
          .toBe(valueFitsShape(idOfSlot(slot), value));
      }
    }
  });
});
