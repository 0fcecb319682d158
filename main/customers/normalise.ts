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

/** Dates as people type them; one implementation shared with the screens (the contract). */
export { parseDateEntry } from '../../preload/contract/customers.js';
