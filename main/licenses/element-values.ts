/**
 * The DL/ID subfile's elements as the payload reader records them: positions in the scanned
 * text, sliced (and cleaned, and read as dates) only when the profile asks for a value.
 */
import { ELEMENT_SLOTS, elementSlot, idOfSlot } from './elements.js';
import { cleanTextIn, cleanValueIn, readDateIn, type DateOrder, type ReadDate } from './values.js';

/** PDF417 holds at most ~1.8k characters; anything far longer is not a licence scan. */
export const MAX_INPUT_CHARS = 20_000;
/** Packs a value's start and end (both ≤ MAX_INPUT_CHARS < 2^15) into one small integer. */
const POSITION_BITS = 15;
const POSITION_MASK = (1 << POSITION_BITS) - 1;

/**
 * The DL/ID subfile's elements, first occurrence of each, values as encoded (padding kept).
 * Only positions are recorded: a value is sliced when asked for, and most never are.
 */
export class ElementValues {
  /** By element slot: start << POSITION_BITS | end of the value; holes for absent elements. */
  private readonly bounds = new Array<number>(ELEMENT_SLOTS);
  private count = 0;

  /** `source`: the text every recorded position refers to (at most MAX_INPUT_CHARS long). */
  constructor(private readonly source: string) {}

  /** Records the element whose ID starts at `source[idAt]` with value source[valueStart, valueEnd). */
  add(idAt: number, valueStart: number, valueEnd: number): void {
    this.addAtSlot(elementSlot(this.source, idAt), valueStart, valueEnd);
  }

  /** `add` for an ID whose slot the caller has already worked out. */
  addAtSlot(slot: number, valueStart: number, valueEnd: number): void {
    if (slot < 0 || this.bounds[slot] !== undefined) return;
    this.bounds[slot] = (valueStart << POSITION_BITS) | valueEnd;
    this.count++;
  }

  /** Shortens a recorded value (a typed terminator glued to it). */
  trimEnd(id: string, characters: number): void {
    const slot = elementSlot(id, 0);
    const packed = slot < 0 ? undefined : this.bounds[slot];
    if (packed === undefined) return;
    const start = packed >> POSITION_BITS;
    this.bounds[slot] = (start << POSITION_BITS) | Math.max(start, (packed & POSITION_MASK) - characters);
  }

  get(id: string): string | undefined {
    return this.at(elementSlot(id, 0));
  }

  has(id: string): boolean {
    return this.holds(elementSlot(id, 0));
  }

  /** The value of the element in `slot` (see `elementSlot`), undefined when absent. */
  at(slot: number): string | undefined {
    const packed = slot < 0 ? undefined : this.bounds[slot];
    return packed === undefined
      ? undefined
      : this.source.slice(packed >> POSITION_BITS, packed & POSITION_MASK);
  }

  /** `cleanValue(this.at(slot))`, slicing only what is kept. */
  clean(slot: number): string | null {
    const packed = slot < 0 ? undefined : this.bounds[slot];
    return packed === undefined ? null : cleanValueIn(this.source, packed >> POSITION_BITS, packed & POSITION_MASK);
  }

  /** `cleanText(this.at(slot))`, slicing only what is kept. */
  cleanText(slot: number): string | null {
    const packed = slot < 0 ? undefined : this.bounds[slot];
    return packed === undefined ? null : cleanTextIn(this.source, packed >> POSITION_BITS, packed & POSITION_MASK);
  }

  /** `readDate(this.at(slot), expected)`, reading the usual eight digits in place. */
  date(slot: number, expected: DateOrder): ReadDate | null {
    const packed = slot < 0 ? undefined : this.bounds[slot];
    return packed === undefined ? null : readDateIn(this.source, packed >> POSITION_BITS, packed & POSITION_MASK, expected);
  }

  /** Whether the element in `slot` is present. */
  holds(slot: number): boolean {
    return slot >= 0 && this.bounds[slot] !== undefined;
  }

  get size(): number {
    return this.count;
  }

  /** Every element as `{ id: value }`, for tests and diagnostics. */
  toRecord(): Record<string, string> {
    const record: Record<string, string> = {};
    for (let slot = 0; slot < ELEMENT_SLOTS; slot++) {
      const value = this.at(slot);
      if (value !== undefined) record[idOfSlot(slot)] = value;
    }
    return record;
  }
}
