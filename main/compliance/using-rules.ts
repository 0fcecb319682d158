/**
 * Using the jurisdiction rules (rules.ts holds their schema and loading): the rate in force on a
 * date, one line's tax in cents, the profile a customer falls under, and whether a card number
 * fits the format its credential publishes.
 */
import type { CustomerProfile, CustomerType, EffectiveRate, JurisdictionRules, Residency } from './rules.js';
import { isRealDate } from './text-checks.js';

/** The rate in force on a calendar date (yyyy-mm-dd, the store's local date), or null if none. */
export function rateOn(rates: readonly EffectiveRate[], date: string): EffectiveRate | null {
  if (!isRealDate(date)) throw new Error(`rateOn needs a yyyy-mm-dd date, got "${date}".`);
  // yyyy-mm-dd strings compare in calendar order.
  return rates.find((rate) => rate.from <= date && (rate.to === null || date <= rate.to)) ?? null;
}

/**
 * The rounding rule: one tax on one line, in integer cents, rounded half up (half away from
 * zero, so a refund mirrors its sale exactly). Per line, because Illinois wants every item and
 * its excise shown separately and a single returned line must refund what it was charged.
 */
export function lineTaxCents(lineNetCents: number, ratePpm: number): number {
  if (!Number.isSafeInteger(lineNetCents) || !Number.isSafeInteger(ratePpm) || ratePpm < 0) {
    throw new Error('lineTaxCents takes integer cents and a whole, non-negative rate in parts per million.');
  }
  // Exact integer arithmetic (a remainder, never a rounded quotient); past 2^53 through BigInt.
  const scaled = Math.abs(lineNetCents) * ratePpm + 500_000;
  const magnitude = Number.isSafeInteger(scaled)
    ? (scaled - (scaled % 1_000_000)) / 1_000_000
    : Number((BigInt(Math.abs(lineNetCents)) * BigInt(ratePpm) + 500_000n) / 1_000_000n);
  return lineNetCents < 0 ? -magnitude : magnitude;
}

export interface CustomerFacts {
  customerType: CustomerType;
  /** From the state on the scanned ID; null when unknown (then residency-specific profiles do not match). */
  residency: Residency | null;
  /** Whole years on the day of the sale (see leapDayBirthday). */
  ageYears: number;
}

/** The profile that applies to a customer, or null when the jurisdiction has none (e.g. adult use in OK). */
export function findCustomerProfile(rules: JurisdictionRules, facts: CustomerFacts): CustomerProfile | null {
  return (
    rules.profiles.find((profile) => {
      const { customerType, residency, ageYears } = profile.match;
      if (customerType !== facts.customerType) return false;
      if (residency !== undefined && residency !== facts.residency) return false;
      if (ageYears?.atLeast !== undefined && facts.ageYears < ageYears.atLeast) return false;
      if (ageYears?.below !== undefined && facts.ageYears >= ageYears.below) return false;
      return true;
    }) ?? null
  );
}

const CREDENTIAL_NAMES: Record<CustomerProfile['credential']['kind'], string> = {
  none: 'card',
  state_patient_card: 'state medical card',
  state_caregiver_card: 'state caregiver card',
  physician_recommendation: 'physician recommendation',
  county_mmic: 'county Medical Marijuana Identification Card (MMIC)',
  out_of_state_patient_card: 'out-of-state medical card',
};

/**
 * Why a card number does not fit the format the profile's credential publishes (idPattern), in
 * staff words, or null when it fits or no format is published.
 */
export function credentialNumberProblem(profile: CustomerProfile, cardNumber: string | null): string | null {
  const { idPattern, idFormat, kind } = profile.credential;
  if (idPattern === null) return null;
  const trimmed = cardNumber?.trim() ?? '';
  if (trimmed !== '' && new RegExp(idPattern).test(trimmed)) return null;
  const shown = trimmed === '' ? 'No card number' : `"${trimmed}"`;
  return `${shown} is not a valid ${CREDENTIAL_NAMES[kind]} number${idFormat ? ` (${idFormat})` : ''}`;
}

/** The same check where a number is entered: it must fit a published format of some profile of that customer type. */
export function credentialNumberProblemFor(rules: JurisdictionRules, customerType: CustomerType, cardNumber: string | null): string | null {
  const checked = rules.profiles.filter((profile) => profile.match.customerType === customerType && profile.credential.idPattern !== null);
  if (checked.length === 0) return null;
  const problems = checked.map((profile) => credentialNumberProblem(profile, cardNumber));
  return problems.includes(null) ? null : problems[0]!;
}
