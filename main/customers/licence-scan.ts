/** Customers: a scanned licence matched to profiles, and a new profile prefilled from it. */
import { emptyForm, showStoreDate } from '../../preload/contract/customers.js';
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
    const checks = this.scanChecks(licence, today);
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

  /**
   * What staff must know before serving the person on this card, in plain words: their age
   * against the store's minimum ages (the jurisdiction file's), an expired or unreadable card.
   */
  protected scanChecks(licence: ParsedLicense, today: string): Array<{ code: string; message: string }> {
    const rules = this.rules();
    const checks: Array<{ code: string; message: string }> = [];
    // Ages are the rules' (checkLicense is asked only about dates here).
    for (const problem of checkLicense(licence, { today, minimumAge: 0 })) {
      if (problem.code === 'expired') {
        checks.push({
          code: 'expired',
          message: `This licence expired on ${showStoreDate(problem.expirationDate)}: ask for a valid ID (a renewed licence or a state ID) before checking them in or selling.`,
        });
      } else {
        checks.push({ code: problem.code, message: `${problem.message.charAt(0).toUpperCase()}${problem.message.slice(1)}.` });
      }
    }
    if (!licence.dateOfBirth || checks.some((c) => c.code === 'impossible_birth_date')) return checks;
    const age = ageOn(licence.dateOfBirth, today);
    const adultUse = rules.profiles.find((p) => p.match.customerType === 'adult_use');
    // The youngest a patient may buy for themselves (an under-age patient buys through an adult).
    const patientAges = rules.profiles
      .filter((p) => (p.match.customerType === 'medical' || p.match.customerType === 'medical_recommendation') && p.whoMayBuy.value === 'customer')
      .map((p) => p.minimumAge.value);
    const patientAge = patientAges.length > 0 ? Math.min(...patientAges) : null;
    const minorBuysThrough = rules.profiles.some((p) => p.whoMayBuy.value === 'parent_guardian_or_caregiver') ? 'a parent, guardian or caregiver' : 'their caregiver';
    const underPatientAge = patientAge !== null && age < patientAge;
    if (adultUse && age < adultUse.minimumAge.value) {
      const rest = underPatientAge
        ? ` A patient under ${patientAge} buys only through ${minorBuysThrough}.`
        : patientAge !== null
          ? ' Serve them only as a medical patient, with a valid medical card.'
          : '';
      checks.push({ code: underPatientAge ? 'under_age' : 'under_adult_use_age', message: `This customer is ${age} — adult-use sales need ${adultUse.minimumAge.value} or older.${rest}` });
    } else if (!adultUse && underPatientAge) {
      checks.push({ code: 'under_age', message: `This customer is ${age} — a patient under ${patientAge} buys only through ${minorBuysThrough}.` });
    }
    return checks;
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
export function refusalMessage(error: LicenseError): string {
  const sentence = `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
  if (error.code === 'misread') return `${sentence} If it keeps happening, search for the customer or sign them up by hand.`;
  return `${sentence} Scan the licence again, or search by hand.`;
}
