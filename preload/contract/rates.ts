/**
 * Tax rates cross every boundary as whole parts per million of the price ("ratePpm"):
 * 62_500 = 6.25%, 86_250 = 8.625%, 102_500 = 10.25%. Any rate written with up to four decimals of
 * a percent is exact, so a city's 8.625% is stored, charged and printed as itself.
 */
import { z } from 'zod';

export const RATE_PPM_PER_PERCENT = 10_000;
export const MAX_RATE_PPM = 1_000_000;

export const ratePpmSchema = z
  .number()
  .int('A rate has at most four decimals (8.625%).')
  .min(0, 'A rate cannot be negative.')
  .max(MAX_RATE_PPM, 'A rate is at most 100%.');

/** 86_250 → "8.625%"; 150_000 → "15%". Exact: no floating-point division. */
export function formatRatePercent(ratePpm: number): string {
  const whole = Math.floor(ratePpm / RATE_PPM_PER_PERCENT);
  const fraction = String(ratePpm % RATE_PPM_PER_PERCENT).padStart(4, '0').replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''}%`;
}

/** "8.625", "8.625%" or " 10.25 % " → 86_250 / 102_500 parts per million; an error in staff words otherwise. */
export function parseRatePercent(text: string): { ok: true; ratePpm: number } | { ok: false; message: string } {
  const cleaned = text.trim().replace(/\s*%$/, '');
  const match = /^(\d{1,3})(?:\.(\d{0,4}))?$/.exec(cleaned) ?? /^()\.(\d{1,4})$/.exec(cleaned);
  if (!match) {
    return { ok: false, message: 'Enter the rate as a percentage with at most four decimals, for example 8.625.' };
  }
  const ratePpm = Number(match[1] || '0') * RATE_PPM_PER_PERCENT + Number((match[2] ?? '').padEnd(4, '0'));
  if (ratePpm > MAX_RATE_PPM) return { ok: false, message: 'A rate is at most 100%.' };
  return { ok: true, ratePpm };
}
