/**
 * Customers: a new profile that would duplicate an existing one. The same state medical ID is
 * never saved on two profiles; the same first name, last name and birth date stops a signup
 * until staff open the existing profile or say why this is a different person (audited).
 * Names compare as search does: case and spaces ignored; medical IDs: case, spaces and dashes.
 */
import type { CustomerForm, CustomerSummary, Duplicates } from '../../preload/contract/customers.js';
import { showStoreDate } from '../../preload/contract/customers.js';
import { CoreError } from '../core/errors.js';
import { idKey, nameKey } from './normalise.js';
import { SUMMARY_COLUMNS, type SummaryRow } from './shared.js';
import { CustomerProfiles } from './profile.js';

export abstract class CustomerDuplicates extends CustomerProfiles {
  /** Profiles other than `selfId` this one would duplicate. */
  duplicates(
    selfId: string | null,
    who: { firstName: string; lastName: string; dateOfBirth: string; medicalId: string | null },
  ): Duplicates {
    const other = selfId ?? '';
    const medical = who.medicalId ? idKey(who.medicalId.trim()) : '';
    const sameMedicalId =
      medical === ''
        ? []
        : (this.prepare(`SELECT ${SUMMARY_COLUMNS} FROM customers WHERE search_medical_id = ? AND id <> ? ORDER BY search_last, search_first LIMIT 10`).all(
            medical,
            other,
          ) as SummaryRow[]);
    const first = nameKey(who.firstName.trim());
    const last = nameKey(who.lastName.trim());
    const sameNameAndBirth =
      first === '' || last === '' || !/^\d{4}-\d{2}-\d{2}$/.test(who.dateOfBirth)
        ? []
        : (this.prepare(
            `SELECT ${SUMMARY_COLUMNS} FROM customers WHERE search_last = ? AND search_first = ? AND date_of_birth = ? AND id <> ? ORDER BY updated_at DESC LIMIT 10`,
          ).all(last, first, who.dateOfBirth, other) as SummaryRow[]);
    return { sameMedicalId: sameMedicalId.map((r) => this.summary(r)), sameNameAndBirth: sameNameAndBirth.map((r) => this.summary(r)) };
  }

  /**
   * Refuses a save that would duplicate another profile. `medicalIdBefore` is the ID the profile
   * held (an edit that keeps it is not refused for a duplicate made before this check existed);
   * `checkNames` is false on an edit and when staff said why this is a different person.
   */
  protected refuseDuplicates(form: CustomerForm, selfId: string | null, medicalIdBefore: string | null, checkNames: boolean): string[] {
    const found = this.duplicates(selfId, form);
    const medicalChanged = form.medicalId !== null && (medicalIdBefore === null || idKey(medicalIdBefore) !== idKey(form.medicalId));
    if (medicalChanged && found.sameMedicalId.length > 0) {
      const holder = found.sameMedicalId[0]!;
      throw new CoreError(
        'conflict',
        `Medical ID ${form.medicalId} is already on ${holder.displayName}'s profile (born ${showStoreDate(holder.dateOfBirth)}): open that profile instead of making another, or check the number on the card.`,
        { duplicate: { kind: 'medical_id', customers: found.sameMedicalId.map(brief) } },
      );
    }
    if (checkNames && found.sameNameAndBirth.length > 0) {
      const holder = found.sameNameAndBirth[0]!;
      throw new CoreError(
        'conflict',
        `${holder.displayName}, born ${showStoreDate(holder.dateOfBirth)}, already has a profile: open it, or choose Create anyway and say why this is a different person.`,
        { duplicate: { kind: 'name_and_birth_date', customers: found.sameNameAndBirth.map(brief) } },
      );
    }
    return found.sameNameAndBirth.map((c) => c.id);
  }
}

function brief(customer: CustomerSummary): { id: string; displayName: string; dateOfBirth: string; medicalId: string | null } {
  return { id: customer.id, displayName: customer.displayName, dateOfBirth: customer.dateOfBirth, medicalId: customer.medicalId };
}
