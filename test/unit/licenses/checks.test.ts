import { describe, expect, it } from 'vitest';
import { ageOn, checkLicense, storeLocalDate } from '../../../main/licenses/index.js';

const card = (dateOfBirth: string | null, expirationDate: string | null = '2030-01-01', issueDate: string | null = '2020-01-01') =>
  ({ dateOfBirth, expirationDate, issueDate });

describe('ageOn', () => {
  it('counts whole years, the birthday itself included', () => {
    expect(ageOn('2000-06-15', '2021-06-14')).toBe(20);
    expect(ageOn('2000-06-15', '2021-06-15')).toBe(21);
    expect(ageOn('2000-06-15', '2021-12-31')).toBe(21);
  });

  it('a 29 February birthday counts on 1 March in non-leap years', () => {
    expect(ageOn('2004-02-29', '2025-02-28')).toBe(20);
    expect(ageOn('2004-02-29', '2025-03-01')).toBe(21);
  });

  it('a 29 February birthday counts on 29 February in leap years', () => {
    expect(ageOn('2003-02-28', '2024-02-28')).toBe(21);
    expect(ageOn('2000-02-29', '2024-02-28')).toBe(23);
    expect(ageOn('2000-02-29', '2024-02-29')).toBe(24);
  });

  it('rejects malformed dates', () => {
    expect(() => ageOn('2000-02-30', '2024-01-01')).toThrow(RangeError);
    expect(() => ageOn('2000-01-01', '24-01-01')).toThrow(RangeError);
  });
});

describe('checkLicense', () => {
  it('passes an adult with a valid card', () => {
    expect(checkLicense(card('1990-05-05'), { today: '2025-06-01', minimumAge: 21 })).toEqual([]);
  });

  it('flags under age with the age, using the minimum age it is given', () => {
    const problems = checkLicense(card('2005-06-02'), { today: '2025-06-01', minimumAge: 21 });
    expect(problems).toEqual([expect.objectContaining({ code: 'under_age', age: 19, minimumAge: 21 })]);
    expect(checkLicense(card('2005-06-02'), { today: '2025-06-01', minimumAge: 18 })).toEqual([]);
  });

  it('29 February birthday turning 21 is under age on 28 February and of age on 1 March', () => {
    const dob = '2004-02-29';
    expect(checkLicense(card(dob), { today: '2025-02-28', minimumAge: 21 })).toEqual([
      expect.objectContaining({ code: 'under_age', age: 20 }),
    ]);
    expect(checkLicense(card(dob), { today: '2025-03-01', minimumAge: 21 })).toEqual([]);
  });

  it('a card is valid through its expiration date and expired the day after', () => {
    expect(checkLicense(card('1990-01-01', '2025-06-01'), { today: '2025-06-01', minimumAge: 21 })).toEqual([]);
    expect(checkLicense(card('1990-01-01', '2025-06-01'), { today: '2025-06-02', minimumAge: 21 })).toEqual([
      expect.objectContaining({ code: 'expired', expirationDate: '2025-06-01' }),
    ]);
  });

  it('flags a missing expiry date', () => {
    expect(checkLicense(card('1990-01-01', null), { today: '2025-06-01', minimumAge: 21 })).toEqual([
      expect.objectContaining({ code: 'expiry_unknown' }),
    ]);
  });

  it('flags an issue date in the future', () => {
    expect(checkLicense(card('1990-01-01', '2030-01-01', '2025-06-02'), { today: '2025-06-01', minimumAge: 21 })).toEqual([
      expect.objectContaining({ code: 'issued_in_future', issueDate: '2025-06-02' }),
    ]);
  });

  it.each([
    ['in the future', '2026-01-01', '2020-01-01'],
    ['after the issue date', '2021-01-01', '2020-01-01'],
    ['implausibly old', '1880-01-01', '2020-01-01'],
    ['unreadable', null, '2020-01-01'],
    ['not a calendar date', '1990-02-30', '2020-01-01'],
  ])('flags an impossible birth date: %s', (_name, dob, issue) => {
    const problems = checkLicense(card(dob, '2030-01-01', issue), { today: '2025-06-01', minimumAge: 21 });
    expect(problems.map((problem) => problem.code)).toEqual(['impossible_birth_date']);
  });

  it('flags the specimen cards whose birth date is after their issue date (MO-v01-1)', () => {
    const problems = checkLicense(card('2017-08-09', '2018-02-04', '2011-06-30'), { today: '2025-06-01', minimumAge: 21 });
    expect(problems.map((problem) => problem.code).sort()).toEqual(['expired', 'impossible_birth_date']);
  });

  it('rejects a malformed today', () => {
    expect(() => checkLicense(card('1990-01-01'), { today: '06/01/2025', minimumAge: 21 })).toThrow(RangeError);
  });
});

describe('storeLocalDate', () => {
  it('gives the calendar date in the store time zone', () => {
    const instant = Date.UTC(2025, 0, 1, 3, 30); // 03:30 UTC on 1 January
    expect(storeLocalDate(instant, 'UTC')).toBe('2025-01-01');
    expect(storeLocalDate(instant, 'America/Chicago')).toBe('2024-12-31');
    expect(storeLocalDate(instant, 'Asia/Tokyo')).toBe('2025-01-01');
  });

  it('moves with daylight saving', () => {
    expect(storeLocalDate(Date.UTC(2025, 6, 1, 4, 30), 'America/Chicago')).toBe('2025-06-30');
    expect(storeLocalDate(Date.UTC(2025, 6, 1, 5, 30), 'America/Chicago')).toBe('2025-07-01');
  });
});
