/**
 * Checks on a parsed licence at intake: age on the store's local date, expiry, issue date,
 * plausible birth date. Minimum ages come from the jurisdiction rules (21 adult use, 18 medical
 * in the rules file), never from here.
 *
 * Policies (research/rules.md §4.1, §4.4):
 * - a 29 February birthday counts on 1 March in non-leap years;
 * - a document is valid through its expiration date and expired from the day after;
 * - all dates are calendar dates in the store's time zone (see `storeLocalDate`).
 */
import type { ParsedLicense } from './types.js';
import { daysInMonth } from './values.js';

export interface CheckOptions {
  /** The store's local date, yyyy-mm-dd. */
  today: string;
  /** Minimum age for this sale, from the jurisdiction rules (e.g. 21 adult use, 18 medical). */
  minimumAge: number;
}

export type LicenseProblem =
  | { code: 'under_age'; age: number; minimumAge: number; message: string }
  | { code: 'expired'; expirationDate: string; message: string }
  | { code: 'expiry_unknown'; message: string }
  | { code: 'issued_in_future'; issueDate: string; message: string }
  | { code: 'impossible_birth_date'; dateOfBirth: string | null; message: string };

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Nobody alive is older; a birth date before this is a misread. */
const OLDEST_PLAUSIBLE_AGE = 120;

function parseIsoDate(iso: string): CalendarDate | null {
  const match = ISO_DATE.exec(iso);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

function requireIsoDate(iso: string, what: string): CalendarDate {
  const date = parseIsoDate(iso);
  if (date === null) throw new RangeError(`${what} must be a calendar date yyyy-mm-dd, got ${JSON.stringify(iso)}`);
  return date;
}

/**
 * Whole years between a birth date and `today` (both yyyy-mm-dd). A 29 February birthday
 * counts on 1 March in non-leap years. Throws RangeError on a malformed date.
 */
export function ageOn(dateOfBirth: string, today: string): number {
  const birth = requireIsoDate(dateOfBirth, 'dateOfBirth');
  const now = requireIsoDate(today, 'today');
  let age = now.year - birth.year;
  let birthdayMonth = birth.month;
  let birthdayDay = birth.day;
  if (birth.month === 2 && birth.day === 29 && daysInMonth(now.year, 2) === 28) {
    birthdayMonth = 3;
    birthdayDay = 1;
  }
  if (now.month < birthdayMonth || (now.month === birthdayMonth && now.day < birthdayDay)) age--;
  return age;
}

/** Problems that stop (or need a manager for) a sale. An empty list means the card passes. */
export function checkLicense(
  license: Pick<ParsedLicense, 'dateOfBirth' | 'expirationDate' | 'issueDate'>,
  options: CheckOptions,
): LicenseProblem[] {
  const { today, minimumAge } = options;
  requireIsoDate(today, 'today');
  const problems: LicenseProblem[] = [];

  const birth = license.dateOfBirth === null ? null : parseIsoDate(license.dateOfBirth);
  const issue = license.issueDate === null ? null : parseIsoDate(license.issueDate);
  if (birth === null || license.dateOfBirth === null) {
    problems.push({ code: 'impossible_birth_date', dateOfBirth: license.dateOfBirth, message: 'the birth date cannot be read' });
  } else if (license.dateOfBirth > today) {
    problems.push({ code: 'impossible_birth_date', dateOfBirth: license.dateOfBirth, message: 'the birth date is in the future' });
  } else if (ageOn(license.dateOfBirth, today) > OLDEST_PLAUSIBLE_AGE) {
    problems.push({ code: 'impossible_birth_date', dateOfBirth: license.dateOfBirth, message: 'the birth date is implausibly old' });
  } else if (issue !== null && license.issueDate !== null && license.dateOfBirth > license.issueDate) {
    problems.push({ code: 'impossible_birth_date', dateOfBirth: license.dateOfBirth, message: 'the birth date is after the issue date' });
  } else {
    const age = ageOn(license.dateOfBirth, today);
    if (age < minimumAge) {
      problems.push({ code: 'under_age', age, minimumAge, message: `the customer is ${age}, under ${minimumAge}` });
    }
  }

  if (license.expirationDate === null || parseIsoDate(license.expirationDate) === null) {
    problems.push({ code: 'expiry_unknown', message: 'the expiry date cannot be read: check the card' });
  } else if (license.expirationDate < today) {
    problems.push({ code: 'expired', expirationDate: license.expirationDate, message: `the licence expired on ${license.expirationDate}` });
  }

  if (issue !== null && license.issueDate !== null && license.issueDate > today) {
    problems.push({ code: 'issued_in_future', issueDate: license.issueDate, message: `the issue date ${license.issueDate} is in the future` });
  }
  return problems;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (yyyy-mm-dd) at `epochMs` in the store's IANA time zone. */
export function storeLocalDate(epochMs: number, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(new Date(epochMs));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}
