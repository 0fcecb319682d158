/**
 * Customers: a returning customer's licence scanned again at intake. The barcode is the fresher
 * record, so the ID expiration, the licence's state and number (or only its fingerprint, where
 * the state forbids keeping it) and the Address of Record are brought up to date from it, and the
 * change is audited as field: old → new, the way staff see it on the profile.
 */
import type { CustomerDetail, CustomerForm, FieldChange } from '../../preload/contract/customers.js';
import { showStoreDate } from '../../preload/contract/customers.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { captureCaregiverLinks, captureCustomer, customerSnapshot } from '../hub-sync/capture.js';
import { parseLicense } from '../licenses/index.js';
import { refusalMessage } from './licence-scan.js';
import { licenceFingerprint, nameKey } from './normalise.js';
import { FIELD_LABELS, type Actor } from './shared.js';
import { CustomerImports } from './import.js';

/** The profile fields a rescan may change: nothing the customer or staff chose, only what the card says. */
const FROM_SCAN = ['identificationExpires', 'licenceState', 'licenceNumber', 'address'] as const;

export abstract class CustomerRescan extends CustomerImports {
  updateFromScan(actor: Actor, commandId: string, customerId: string, raw: string): { detail: CustomerDetail; changes: FieldChange[] } {
    const parsed = parseLicense(raw);
    if (!parsed.ok) throw new CoreError('invalid_message', refusalMessage(parsed.error));
    const licence = parsed.license;
    const existing = this.row(customerId);
    const name = `${existing.first_name} ${existing.last_name}`;
    const secret = this.licenceSecret(false);
    const sameNumber = secret !== null && licence.licenseNumber !== null && existing.licence_key === licenceFingerprint(secret, licence.licenseNumber);
    const samePerson =
      licence.firstName !== null &&
      licence.lastName !== null &&
      nameKey(licence.firstName) === nameKey(existing.first_name) &&
      nameKey(licence.lastName) === nameKey(existing.last_name) &&
      licence.dateOfBirth === existing.date_of_birth;
    if (!sameNumber && !samePerson) {
      throw new CoreError(
        'conflict',
        `This licence is not ${name}'s: its number, name and birth date differ from the profile. Scan ${existing.first_name}'s own licence, or open the profile that matches it.`,
      );
    }

    const scan = this.prefillFrom(licence);
    const before = this.formOf(existing, this.profileRow(customerId), this.storedGroups(customerId));
    const addressRead = scan.address.street !== null && scan.address.city !== null;
    const after: CustomerForm = {
      ...before,
      identificationExpires: scan.identificationExpires ?? before.identificationExpires,
      licenceState: scan.licenceState ?? before.licenceState,
      licenceNumber: scan.licenceNumber ?? before.licenceNumber,
      address: addressRead ? scan.address : before.address,
    };
    const licenceColumns = this.licenceColumns(after, existing, null);
    const labels = new Set(FROM_SCAN.map((field) => FIELD_LABELS[field]));
    const changes = this.diff(before, after, existing.licence_key, licenceColumns.key)
      .filter((change) => labels.has(change.field))
      .map((change) => ({ ...change, from: asStoreDate(change.from), to: asStoreDate(change.to) }));
    if (changes.length === 0) return { detail: this.get(customerId), changes };

    const now = this.deps.clock();
    applyCommand(
      this.sqlite,
      { commandId, name: 'customers.updateFromScan', actorId: actor.id },
      () => {
        const hubBefore = customerSnapshot(this.sqlite, customerId);
        this.prepare(
          'UPDATE customers SET identification_expires = ?, licence_number = ?, licence_key = ?, licence_state = ?, updated_at = ? WHERE id = ?',
        ).run(after.identificationExpires, licenceColumns.number, licenceColumns.key, after.licenceState ? after.licenceState.toUpperCase() : null, now, customerId);
        const links = this.writeProfile(customerId, after, now, this.profileRow(customerId)?.scanned_at ?? now);
        // The store's hub hears of the change (only the fields changed), in this transaction.
        captureCustomer(this.sqlite, customerId, hubBefore, now);
        captureCaregiverLinks(this.sqlite, links, now);
        return { result: null, audit: { customerId, details: { changes } } };
      },
      now,
    );
    return { detail: this.get(customerId), changes };
  }
}

/** A yyyy-mm-dd value as the store shows dates; other values as they are. */
function asStoreDate(value: string | null): string | null {
  return value !== null && /^\d{4}-\d{2}-\d{2}$/.test(value) ? showStoreDate(value) : value;
}
