/**
 * Splitting a run of elements whose separators were stripped (`DCSDOEDCTJOHNDBD08192014…`): a
 * dynamic programme over the places an element ID occurs, scoring each value by how well it fits
 * its element's shape. Only such payloads come here (payload.ts, readElements).
 */
import { elementSlot, isRareFreeTextSlot, isVersionElementIdAt, maxValueLengthOfSlot, valueFitsShapeAt } from './elements.js';
import { cleanValue } from './values.js';

/** Padding a value may carry beyond its longest length (Ontario pads names to 40+). */
const PADDING_ALLOWANCE = 45;
const SPACE = 0x20;

/**
 * A run of elements with no separators between them (`DCSDOEDCTJOHNDBD08192014…`) in
 * run[start, end): the split points, among the places an element ID of `version` occurs, that
 * make the most values fit their element's shape (dates 8 digits, sex one digit…), each element
 * used once. The first is `start`.
 */
export function splitRunTogether(run: string, start: number, end: number, version: number): number[] {
  const candidates: number[] = [start];
  // Every element ID starts with D: let indexOf skip to the next one.
  for (let i = run.indexOf('D', start + 3); i >= 0 && i + 3 <= end; i = run.indexOf('D', i + 1)) {
    if (isVersionElementIdAt(run, i, version)) candidates.push(i);
  }
  const banned = new Set<number>();
  let chosen: number[] = [start];
  for (let attempt = 0; attempt < 4; attempt++) {
    chosen = bestSplit(run, banned.size === 0 ? candidates : withoutBanned(candidates, banned), end);
    // An element used twice: keep the occurrence whose value fits best, ban the others.
    // By slot: the position and score of the occurrence kept so far.
    const keptPosition: number[] = [];
    const keptScore: number[] = [];
    let duplicate = false;
    for (let k = 0; k < chosen.length; k++) {
      const position = chosen[k] ?? start;
      const slot = elementSlot(run, position);
      const score = segmentScore(slot, maxValueLengthOfSlot(slot), run, position + 3, chosen[k + 1] ?? end);
      const kept = keptPosition[slot];
      if (kept === undefined) {
        keptPosition[slot] = position;
        keptScore[slot] = score;
        continue;
      }
      duplicate = true;
      if (score > (keptScore[slot] ?? 0) && kept !== start) {
        banned.add(kept);
        keptPosition[slot] = position;
        keptScore[slot] = score;
      } else {
        banned.add(position);
      }
    }
    if (!duplicate) break;
  }
  return chosen;
}

function withoutBanned(positions: readonly number[], banned: ReadonlySet<number>): number[] {
  const kept: number[] = [];
  for (const position of positions) if (!banned.has(position)) kept.push(position);
  return kept;
}

/** Dynamic programme over split points; ties go to fewer, longer values. */
function bestSplit(run: string, positions: readonly number[], runEnd: number): number[] {
  const count = positions.length;
  const best = new Array<number>(count + 1).fill(0);
  const next = new Array<number>(count).fill(count);
  for (let k = count - 1; k >= 0; k--) {
    const start = positions[k] ?? 0;
    const slot = elementSlot(run, start);
    const longestValue = maxValueLengthOfSlot(slot);
    const longest = start + 3 + longestValue + PADDING_ALLOWANCE;
    let bestScore = Number.NEGATIVE_INFINITY;
    // A value's length without its padding only grows with its end: once one is longer than the
    // element's longest value, every later one is too and scores TOO_LONG without a look.
    let tooLong = false;
    for (let m = k + 1; m <= count; m++) {
      const end = m === count ? runEnd : positions[m] ?? runEnd;
      // Beyond the longest value only the nearest split is worth scoring (it will be poor).
      if (end > longest && m > k + 1) break;
      let segment = TOO_LONG;
      if (!tooLong) {
        segment = segmentScore(slot, longestValue, run, start + 3, end);
        tooLong = segment === TOO_LONG && trimmedLength(run, start + 3, end) > longestValue;
      }
      const score = segment + (best[m] ?? 0);
      if (score >= bestScore) {
        bestScore = score;
        next[k] = m;
      }
    }
    best[k] = bestScore;
  }
  const chosen: number[] = [];
  for (let k = 0; k < count; k = next[k] ?? count) chosen.push(positions[k] ?? 0);
  return chosen;
}

/**
 * Whether a value starting at run[first] (not a space) may clean to null: it starts with
 * whitespace trim() removes, or with the first letter of a placeholder (NONE, UNAVL…). Any other
 * printable ASCII character starts a value cleanValue keeps, so no slice is needed to know.
 */
function mayBePlaceholder(run: string, first: number): boolean {
  const code = run.charCodeAt(first);
  return code <= 0x20 || code >= 0x7f || code === 0x4e || code === 0x6e || code === 0x55 || code === 0x75;
}

/** The score of a value longer than its element's longest (and of one that does not fit its shape). */
const TOO_LONG = -4;

/** The length of run[start, end) without its padding, as segmentScore measures it. */
function trimmedLength(run: string, start: number, end: number): number {
  let first = start;
  let last = Math.max(start, end);
  while (first < last && run.charCodeAt(first) === SPACE) first++;
  while (last > first && run.charCodeAt(last - 1) === SPACE) last--;
  return last - first;
}

/** How well run[start, end) fits as the value of the element in `slot` (an element ID's slot). */
function segmentScore(slot: number, longestValue: number, run: string, start: number, end: number): number {
  let first = start;
  // Overlapping candidates (`NDDAJ` holds DDA and DAJ) give an empty value.
  let last = Math.max(start, end);
  while (first < last && run.charCodeAt(first) === SPACE) first++;
  while (last > first && run.charCodeAt(last - 1) === SPACE) last--;
  if (last - first > longestValue) return TOO_LONG;
  const fits = valueFitsShapeAt(slot, run, first, last);
  if (fits === true) return 2;
  // A NONE placeholder fits any element; an empty value fits but proves nothing.
  if (fits === false) return last === first ? 0 : mayBePlaceholder(run, first) && cleanValue(run.slice(first, last)) === null ? 1 : -4;
  if (last === first || isRareFreeTextSlot(slot)) return 0;
  return 1;
}
