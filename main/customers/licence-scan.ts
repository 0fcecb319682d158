/** Customers: a scanned licence matched to profiles, and a new profile prefilled from it. */
import { emptyForm } from '../../preload/contract/customers.js';
import type { CustomerForm, CustomerSummary, LookupResult } from '../../preload/contract/customers.js';
import { ageOn, checkLicense, parseLicense, type LicenseError, type ParsedLicense } from '../licenses/index.js';
import { licenceFingerprint, nameKey } from './normalise.js';
import { SUMMARY_COLUMNS, type SummaryRow, titleCase } from './shared.js';
import { CustomerSearch } from './search.js';

export abstract class CustomerLicenceScan extends CustomerSearch {
  // -------------------------------------------------------------------------------------------
  // Licence scan → profiles
  // -------------------------------------------------------------------------------------------

  lookupByLicence(raw: string): LookupResult {
    const started = performance.now();
    const parsed = parseLicense(raw);
    if (!parsed.ok) return { kind: 'not_a_licence', message: refusalMessage(parsed.error) };
    const licence = parsed.license;
    const today = this.today();
    const rules = this.rules();
    const checks: Array<{ code: string; message: string }> = [];
    // The lowest age any adult profile serves; the adult-use age is reported as its own line.
    const adultAges = rules.profiles.map((p) => p.minimumAge.value).filter((age) => age > 0);
    const minimumAge = adultAges.length > 0 ? Math.min(...adultAges) : 18;
    for (const problem of checkLicense(licence, { today, minimumAge })) checks.push({ code: problem.code, message: problem.message });
    const adultUse = rules.profiles.find((p) => p.match.customerType === 'adult_use');
    if (adultUse && licence.dateOfBirth && !checks.some((c) => c.code === 'impossible_birth_date')) {
      const age = ageOn(licence.dateOfBirth, today);
      if (age < adultUse.minimumAge.value && age >= minimumAge) {
        checks.push({ code: 'under_adult_use_age', message: `the customer is ${age}: medical only, no adult-use sale (under ${adultUse.minimumAge.value})` });
      }
    }
    const { matchedBy, matches } = this.match(licence);
    return {
      kind: 'licence',
      licence: { ...licence },
      checks,
      matchedBy,
      matches,
      prefill: this.prefillFrom(licence),
      tookMs: performance.now() - started,
    };
  }

  /** Licence number first (every match); else first name, last name and birth date all equal. */
  match(licence: Pick<ParsedLicense, 'licenseNumber' | 'firstName' | 'lastName' | 'dateOfBirth'>): {
    matchedBy: 'licence_number' | 'name_and_birth_date' | 'none';
    matches: CustomerSummary[];
  } {
    const secret = this.licenceSecret(false);
    if (secret && licence.licenseNumber) {
      const rows = this.prepare(`SELECT ${SUMMARY_COLUMNS} FROM customers WHERE licence_key = ? ORDER BY search_last, search_first`).all(
        licenceFingerprint(secret, licence.licenseNumber),
      ) as SummaryRow[];
      if (rows.length > 0) return { matchedBy: 'licence_number', matches: rows.map((r) => this.summary(r)) };
    }
    if (licence.firstName && licence.lastName && licence.dateOfBirth) {
      const rows = this.prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM customers WHERE search_last = ? AND search_first = ? AND date_of_birth = ?`,
      ).all(nameKey(licence.lastName), nameKey(licence.firstName), licence.dateOfBirth) as SummaryRow[];
      if (rows.length > 0) return { matchedBy: 'name_and_birth_date', matches: rows.map((r) => this.summary(r)) };
    }
    return { matchedBy: 'none', matches: [] };
  }

  protected prefillFrom(licence: ParsedLicense): CustomerForm {
    const config = this.config();
    const gender = licence.sex === 'M' ? 'male' : licence.sex === 'F' ? 'female' : licence.sex === 'X' ? 'non_binary' : 'unspecified';
    return {
      ...emptyForm(config),
      firstName: titleCase(licence.firstName ?? ''),
      middleName: licence.middleName ? titleCase(licence.middleName) : null,
      lastName: titleCase(licence.lastName ?? ''),
      dateOfBirth: licence.dateOfBirth ?? '',
      gender,
      licenceNumber: licence.licenseNumber,
      licenceState: licence.state,
      identificationExpires: licence.expirationDate,
      address: {
        street: licence.street ? titleCase(licence.street) : null,
        street2: licence.street2 ? titleCase(licence.street2) : null,
        city: licence.city ? titleCase(licence.city) : null,
        state: licence.state,
        postalCode: licence.postalCode,
      },
      scanned: true,
    };
  }

}

/** The parser's reason as a sentence for the intake screen, with what to do next. */
function refusalMessage(error: LicenseError): string {
  const sentence = `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
  if (error.code === 'misread') return `${sentence} If it keeps happening, search for the customer or sign them up by hand.`;
  return `${sentence} Scan the licence again, or search by hand.`;
}
