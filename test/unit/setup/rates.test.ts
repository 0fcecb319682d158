/**
 * Rates typed as a percentage become whole parts per million exactly (no floating point), and print
 * back as typed: 8.625 → 86_250 → "8.625%".
 */
import { describe, expect, it } from 'vitest';
import { formatRatePercent, parseRatePercent } from '../../../preload/contract/rates.js';
import { rateProblem } from '../../../main/setup/store-settings.js';

describe('tax rates in parts per million', () => {
  it.each([
    ['8.625', 86_250],
    ['8.625%', 86_250],
    [' 10.25 % ', 102_500],
    ['15', 150_000],
    ['6.25', 62_500],
    ['0', 0],
    ['.5', 5_000],
    ['9.8725', 98_725],
    ['0.0001', 1],
    ['100', 1_000_000],
    // 1.005 × 10_000 is 10049.999… in floating point: parsed as digits, it is exact.
    ['1.005', 10_050],
    ['4.35', 43_500],
  ])('"%s" → %d', (text, ratePpm) => {
    expect(parseRatePercent(text)).toEqual({ ok: true, ratePpm });
  });

  it.each(['', 'abc', '8.62501', '-1', '1,5', '1000', '8..6', '%'])('refuses "%s" with a message for staff', (text) => {
    const parsed = parseRatePercent(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/rate/);
  });

  it('refuses more than 100%', () => {
    expect(parseRatePercent('100.01')).toEqual({ ok: false, message: 'A rate is at most 100%.' });
  });

  it.each([
    [86_250, '8.625%'],
    [102_500, '10.25%'],
    [150_000, '15%'],
    [62_500, '6.25%'],
    [1, '0.0001%'],
    [2_500, '0.25%'],
    [0, '0%'],
    [1_000_000, '100%'],
  ])('%d prints as %s', (ratePpm, text) => {
    expect(formatRatePercent(ratePpm)).toBe(text);
    expect(parseRatePercent(text)).toEqual({ ok: true, ratePpm });
  });

  it('checks a store rate against its tax: legal maximum and steps, in the same unit', () => {
    const tax = { settingKey: 'tax.rates.x', label: 'Municipal tax', kind: 'local_cannabis', appliesTo: ['Adult use'], maxRatePpm: 30_000, stepRatePpm: 2_500, note: null };
    expect(rateProblem(tax, 27_500)).toBeNull();
    expect(rateProblem(tax, 30_001)).toMatch(/at most 3% by law/);
    expect(rateProblem(tax, 26_250)).toMatch(/steps of 0\.25% \(for example 2\.75%\)/);
    expect(rateProblem({ ...tax, maxRatePpm: null, stepRatePpm: null }, 86_250)).toBeNull();
    expect(rateProblem({ ...tax, maxRatePpm: null, stepRatePpm: null }, 1_000_001)).toMatch(/between 0% and 100%/);
  });
});
