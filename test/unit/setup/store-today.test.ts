import { describe, expect, it } from 'vitest';
import { storeToday } from '../../../renderer/src/screens/setup/storeToday.js';

describe("the store's date for its first tax rates", () => {
  it("is the chosen time zone's date, not the PC's: 03:00 UTC on 7 December is still 6 December in Chicago", () => {
    const at = Date.UTC(2026, 11, 7, 3, 0);
    expect(storeToday(at, 'America/Chicago', 'x')).toBe('2026-12-06');
    expect(storeToday(at, 'UTC', 'x')).toBe('2026-12-07');
    expect(storeToday(at, 'America/Los_Angeles', 'x')).toBe('2026-12-06');
  });

  it('falls back to the date given when the time zone is not one the computer knows', () => {
    expect(storeToday(Date.UTC(2026, 11, 7, 3, 0), 'Nowhere/Atlantis', '2026-12-07')).toBe('2026-12-07');
  });
});
