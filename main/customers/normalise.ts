/**
 * Search keys, computed exactly as the generated columns of drizzle/0005_customers_columns.sql
 * compute them (SQLite's lower()/upper() change ASCII letters only, so these do too): a query is
 * normalised here and compared with an index range, never with LIKE '%x%'.
 */
import { createHmac } from 'node:crypto';

const asciiLower = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
const asciiUpper = (text: string): string => text.replace(/[a-z]/g, (c) => c.toUpperCase());

/** Names: case and spaces ignored (search_first, search_last, search_nickname). */
export function nameKey(name: string): string {
  return asciiLower(name.replace(/ /g, ''));
}

/** Phone: digits only, a leading US country code 1 dropped from 11 digits (search_phone). */
export function phoneKey(phone: string): string {
  const digits = phone.replace(/[ \-().+]/g, '');
  return digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
}

/** What a person typed as a phone number, reduced to the digits the index holds. */
export function phoneQueryKey(query: string): string {
  const digits = query.replace(/\D/g, '');
  return digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
}

export function emailKey(email: string): string {
  return asciiLower(email.trim());
}

/** Licence, medical and caregiver numbers: upper case, no spaces or dashes. */
export function idKey(id: string): string {
  return asciiUpper(id.replace(/[ -]/g, ''));
}

/**
 * The licence number as matching uses it everywhere: an HMAC with the store's secret, so a
 * jurisdiction that forbids keeping scanned licence data keeps only this fingerprint.
 */
export function licenceFingerprint(secret: string, licenceNumber: string): string {
  return createHmac('sha256', secret).update(idKey(licenceNumber)).digest('hex');
}

/** The upper bound of a prefix range: every string starting with `prefix` sorts below it. */
export function prefixEnd(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

/**
 * A date as people type it: `11/30/2017`, `11302017`, `2017-11-30` (also `11-30-2017`).
 * Returns yyyy-mm-dd, or null when it is not a real calendar date.
 */
export function parseDateEntry(input: string): string | null {
  const text = input.trim();
  let year: number;
  let month: number;
  let day: number;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match) {
    [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/.exec(text))) {
    [month, day, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{2})(\d{2})(\d{4})$/.exec(text))) {
    [month, day, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else {
    return null;
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
