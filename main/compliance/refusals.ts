/**
 * The words of the age and ID refusals, one wording for every path that refuses (check-in, a
 * ticket opened straight from the register, payment): the age in plain words against the rule
 * profile's minimum, the expiry date as the store shows dates, and what staff do next.
 */
import { showStoreDate } from '../../preload/contract/customers.js';
import type { CustomerProfile } from './rules.js';

/** "Yara Young is 19 — adult-use sales need 21 or older." */
export function underAgeMessage(name: string, age: number, profile: Pick<CustomerProfile, 'match' | 'minimumAge' | 'label'>): string {
  const minimum = profile.minimumAge.value;
  switch (profile.match.customerType) {
    case 'adult_use':
      return `${name} is ${age} — adult-use sales need ${minimum} or older.`;
    case 'caregiver':
      return `${name} is ${age} — a caregiver must be ${minimum} or older to buy for a patient.`;
    default:
      return `${name} is ${age} — ${profile.label} needs ${minimum} or older.`;
  }
}

/** "Gavin Reyes's ID expired on 07/21/2024: scan their renewed licence or state ID ..." */
export function identificationExpiredMessage(name: string, expires: string, doing: 'check_in' | 'sell'): string {
  const before = doing === 'check_in' ? 'checking them in' : 'selling';
  return `${name}'s ID expired on ${showStoreDate(expires)}: scan their renewed licence or state ID at Customers (it updates the profile) before ${before}.`;
}

/** The ID's expiry is not on the profile: nobody can tell it is valid. */
export function identificationUnknownMessage(name: string): string {
  return `${name}'s ID has no expiration date on file: scan their licence at Customers, or enter the date in the profile.`;
}
