import { describe, expect, it } from 'vitest';
import { businessDateOf, businessDayBounds } from '../../../main/till/business-day.js';

const CHICAGO = 'America/Chicago';

describe('business day', () => {
  it.each([
    // [UTC instant, day-end hour, business date]
    ['2026-12-07T07:30:00Z', 4, '2026-12-06'], // 01:30 CST on the 7th, before 4: the 6th
    ['2026-12-07T10:00:00Z', 4, '2026-12-07'], // 04:00 CST: the 7th begins
    ['2026-12-07T05:59:00Z', 0, '2026-12-06'], // 23:59 CST with midnight day end
    ['2026-12-07T06:00:00Z', 0, '2026-12-07'],
  ])('%s with day end %i → %s', (iso, hour, date) => {
    expect(businessDateOf(Date.parse(iso), CHICAGO, hour)).toBe(date);
  });

  it('bounds are exact, also across a daylight-saving change (23 and 25 hour days)', () => {
    const plain = businessDayBounds('2026-12-06', CHICAGO, 4);
    expect(new Date(plain.start).toISOString()).toBe('2026-12-06T10:00:00.000Z');
    expect(plain.end - plain.start).toBe(24 * 3_600_000);
    const spring = businessDayBounds('2026-03-08', CHICAGO, 4); // clocks go forward at 02:00 on the 8th
    expect(new Date(spring.start).toISOString()).toBe('2026-03-08T09:00:00.000Z');
    expect(spring.end - spring.start).toBe(24 * 3_600_000);
    const saturday = businessDayBounds('2026-03-07', CHICAGO, 4);
    expect(saturday.end - saturday.start).toBe(23 * 3_600_000);
    const fall = businessDayBounds('2026-10-31', CHICAGO, 4); // back at 02:00 on Nov 1
    expect(fall.end - fall.start).toBe(25 * 3_600_000);
    for (const bounds of [plain, spring, saturday, fall]) {
      expect(businessDateOf(bounds.start, CHICAGO, 4)).toBe(businessDateOf(bounds.end - 1, CHICAGO, 4));
      expect(businessDateOf(bounds.end, CHICAGO, 4)).not.toBe(businessDateOf(bounds.start, CHICAGO, 4));
    }
  });
});
