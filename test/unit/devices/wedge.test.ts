import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { characterOf, classifyKeys, keyPressesFor, type KeyPress } from '../../../main/devices/framing/wedge.js';
import { repoRoot } from '../../support/paths.js';

const licence = readFileSync(join(repoRoot, 'test/fixtures/aamva/VA-v08-1.txt'), 'latin1');

/** A deterministic pseudo-random sequence, so the "person" types the same way every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

/** A person typing: 110-320 ms between keys, with the odd quick pair (45-70 ms). */
function personTyping(text: string, seed = 7, startT = 0): KeyPress[] {
  const next = random(seed);
  const presses = keyPressesFor(text, 0, startT);
  let t = startT;
  return presses.map((press, index) => {
    if (index > 0) t += next() < 0.15 ? 45 + next() * 25 : 110 + next() * 210;
    return { ...press, t };
  });
}

/** Scanner pacing with jitter of ±20 %. */
function scannerTyping(text: string, gapMs: number, startT = 0, seed = 3): KeyPress[] {
  const next = random(seed);
  let t = startT;
  return keyPressesFor(text, 0).map((press, index) => {
    if (index > 0) t += gapMs * (0.8 + next() * 0.4);
    return { ...press, t };
  });
}

const fastDevice = { maxInterKeyMs: 30, minLength: 6 };
const zebraDevice = { maxInterKeyMs: 110, minLength: 8 };

describe('keyboard-wedge burst classification', () => {
  for (const gap of [1, 10]) {
    it(`takes a licence typed at ${gap} ms a key as one scan, control characters recovered`, () => {
      const result = classifyKeys(scannerTyping(licence, gap), fastDevice);
      expect(result.scans).toHaveLength(1);
      expect(result.scans[0]!.text).toBe(licence);
      expect(result.typedKeys).toBe(0);
    });
  }

  it('takes a scanner at 80 ms a key as a scan with a device threshold set for it, and not with a fast threshold', () => {
    const timeline = scannerTyping('012345678905\r', 80);
    const slow = classifyKeys(timeline, zebraDevice);
    expect(slow.scans.map((s) => s.text)).toEqual(['012345678905\r']);
    expect(classifyKeys(timeline, fastDevice).scans).toEqual([]);
  });

  it('never takes a person typing for a scan, with either threshold', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const timeline = personTyping('Customer asked about the 3.5 g jar of Blue Dream 012345678905', seed);
      expect(classifyKeys(timeline, fastDevice).scans).toEqual([]);
      expect(classifyKeys(timeline, zebraDevice).scans).toEqual([]);
    }
  });

  it('separates a scan from typing around it in the same timeline', () => {
    const before = personTyping('note ', 11, 0);
    const scan = scannerTyping('012345678905\r', 10, before[before.length - 1]!.t + 400);
    const after = personTyping(' ok', 12, scan[scan.length - 1]!.t + 500);
    const result = classifyKeys([...before, ...scan, ...after], fastDevice);
    expect(result.scans.map((s) => s.text)).toEqual(['012345678905\r']);
    expect(result.typedKeys).toBe(8);
  });

  it('tolerates one browser stall inside an established scan', () => {
    const timeline = scannerTyping('0123456789012345', 10);
    const stalled = timeline.map((press, index) => (index >= 10 ? { ...press, t: press.t + 70 } : press));
    expect(classifyKeys(stalled, fastDevice).scans.map((s) => s.text)).toEqual(['0123456789012345']);
  });

  it('requires and strips a configured prefix and suffix', () => {
    const device = { ...fastDevice, prefix: '~', suffix: '\r' };
    expect(classifyKeys(scannerTyping('~012345678905\r', 5), device).scans.map((s) => s.text)).toEqual(['012345678905']);
    expect(classifyKeys(scannerTyping('012345678905\r', 5), device).scans).toEqual([]);
  });

  it('recovers control characters sent as Ctrl+key, and ignores modifier keys', () => {
    const base = { alt: false, shift: false, t: 0 };
    expect(characterOf({ ...base, key: 'j', code: 'KeyJ', ctrl: true })).toBe('\n');
    expect(characterOf({ ...base, key: 'M', code: 'KeyM', ctrl: true, shift: true })).toBe('\r');
    expect(characterOf({ ...base, key: '^', code: 'Digit6', ctrl: true, shift: true })).toBe('\x1e');
    expect(characterOf({ ...base, key: '6', code: 'Digit6', ctrl: true, shift: true })).toBe('\x1e');
    expect(characterOf({ ...base, key: 'Enter', code: 'Enter', ctrl: false })).toBe('\r');
    expect(characterOf({ ...base, key: 'Shift', code: 'ShiftLeft', ctrl: false, shift: true })).toBeNull();
    expect(characterOf({ ...base, key: 'ArrowLeft', code: 'ArrowLeft', ctrl: false })).toBeNull();
    // Shift key-downs between a scanner's capitals do not break its burst.
    const withShifts = keyPressesFor('ABCDEFGH', 4).flatMap((press) => [{ ...press, key: 'Shift', code: 'ShiftLeft' }, press]);
    expect(classifyKeys(withShifts, fastDevice).scans.map((s) => s.text)).toEqual(['ABCDEFGH']);
  });

  it('a short fast burst (a person hitting two keys at once) is not a scan', () => {
    expect(classifyKeys(keyPressesFor('as', 3), fastDevice).scans).toEqual([]);
  });
});

describe('a keyboard-emulating magnetic stripe reader', () => {
  it('types both tracks fast enough to be a swipe, which is recognised as the card number', async () => {
    const { recognise } = await import('../../../main/devices/decode/recognise.js');
    const swipe = '%B6035710000123456^REWARDS/CARD^2912101?;6035710000123456=2912101?\r';
    const result = classifyKeys(scannerTyping(swipe, 4), { maxInterKeyMs: 30, minLength: 8, suffix: '\r' });
    expect(result.scans).toHaveLength(1);
    const recognised = recognise({ bytes: Buffer.from(result.scans[0]!.text, 'latin1') });
    expect(recognised).toEqual({ kind: 'card', cardNumber: '6035710000123456' });
  });

  it('does not take a person typing the same characters for a swipe', () => {
    const typed = '%B6035710000123456^REWARDS/CARD^2912101?';
    expect(classifyKeys(personTyping(typed), { maxInterKeyMs: 30, minLength: 8 }).scans).toEqual([]);
  });
});
