/** Customers: create and update a profile (validated, applied once, audited with a diff). */
import type { CustomerDetail, CustomerForm, CustomerKind, CustomerSettings, RequirableField } from '../../preload/contract/customers.js';
import { customerFormSchema, REQUIRABLE_FIELDS, showStoreDate } from '../../preload/contract/customers.js';
import { REQUIRED_FIELDS_KEY, SENIOR_AGE_KEY } from './base.js';
import { credentialNumberProblemFor } from '../compliance/rules.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { newId } from '../store/ids.js';
import { ageOn } from '../licenses/index.js';
import { licenceFingerprint, nameKey } from './normalise.js';
import { type Actor, type CustomerRow, SENIOR_GROUP, FIELD_LABELS, isIsoDate } from './shared.js';
import { captureCaregiverLinks, captureCustomer, captureCustomerDocument, customerSnapshot, type CaregiverLinkChanges } from '../hub-sync/capture.js';
import { CustomerDuplicates } from './duplicates.js';

export abstract class CustomerWrites extends CustomerDuplicates {
  // -------------------------------------------------------------------------------------------
  // Create and update
  // -------------------------------------------------------------------------------------------

  /** Checks a form against the store's rules; returns the customer type it makes. */
  protected validate(form: CustomerForm, selfId: string | null): CustomerKind {
    const config = this.config();
    const today = this.today();
    const dates: Array<[string | null, string]> = [
      [form.dateOfBirth, 'birth date'],
      [form.identificationExpires, 'identification expiration'],
      [form.medicalIdExpires, 'medical ID expiration'],
      [form.recommendationExpires, 'recommendation expiration'],
      [form.caregiverIdExpires, 'caregiver licence expiration'],
    ];
    for (const [value, what] of dates) {
      if (value !== null && !isIsoDate(value)) throw new CoreError('invalid_message', `The ${what} is not a real date: type it as 11/30/2017.`);
    }
    if (form.dateOfBirth > today) throw new CoreError('invalid_message', 'The birth date is in the future: check it against the licence.');
    if (form.adultUse && !config.adultUseAvailable) {
      throw new CoreError('invalid_message', `${config.jurisdictionName} has no adult-use sales: choose another customer type.`);
    }
    if (form.caregiverLicence) {
      if (!config.caregiverAvailable) throw new CoreError('invalid_message', `${config.jurisdictionName} has no caregivers: choose another customer type.`);
      if (!form.caregiverId || !form.caregiverIdExpires) {
        throw new CoreError('invalid_message', 'Enter the caregiver licence number and its expiration, or choose another customer type.');
      }
    }
    // A caregiver is a patient too only when they hold a medical ID of their own.
    const medicalCard = form.caregiverLicence
      ? form.medicalId !== null
      : !form.adultUse && (form.stateMedicalId || config.stateMedicalIdAlwaysRequired);
    if (medicalCard && (!form.medicalId || !form.medicalIdExpires)) {
      throw new CoreError('invalid_message', 'Enter the state medical ID and its expiration (a medical patient needs both).');
    }
    let kind: CustomerKind;
    if (form.caregiverLicence) kind = 'caregiver';
    else if (form.adultUse) kind = 'adult_use';
    else if (medicalCard) kind = 'medical';
    else {
      if (!config.medicalRecommendationAvailable) {
        throw new CoreError('invalid_message', 'Choose a customer type: Adult use or Medical with state ID.');
      }
      if (!form.recommendationExpires) throw new CoreError('invalid_message', "Enter the medical recommendation's expiration.");
      if (config.physicianCardForRecommendation && (!form.physician.name || !form.physician.licence)) {
        throw new CoreError('invalid_message', "Enter the physician's name and licence number from the recommendation.");
      }
      kind = 'medical_recommendation';
    }
    // A card number must fit the format the state publishes for it (California's MMIC: nine digits).
    const cardProblem = credentialNumberProblemFor(this.rules(), kind, kind === 'caregiver' ? form.caregiverId : form.medicalId);
    if (cardProblem !== null) {
      const field = kind === 'caregiver' ? 'Caregiver ID' : 'Medical ID';
      throw new CoreError('invalid_message', `${field}: ${cardProblem}. Check the number on the card and type it again.`);
    }
    this.checkCaregivers(form, selfId, today);
    if (form.groups.some((g) => nameKey(g) === SENIOR_GROUP)) {
      // senior follows the birth date; choosing it by hand is allowed (a store may add a younger customer).
    }
    const missing = this.missingRequired(form);
    if (missing.length > 0) {
      const words = missing.map((field) => CustomerWrites.REQUIRED_WORDS[field]);
      throw new CoreError('invalid_message', `${words.join('; ')}: this store requires ${missing.length === 1 ? 'it' : 'them'} on every profile.`);
    }
    return kind;
  }

  /**
   * The patient's caregivers: each a Caregiver customer, not the patient, named once, and no more of
   * them than the state allows (Illinois: 3, 2 for a patient under 18). The first one named is the
   * form's Caregiver; the list is made tidy in place (no repeats, the first filled in).
   */
  protected checkCaregivers(form: CustomerForm, selfId: string | null, today: string): void {
    const ids = [...new Set([form.caregiverCustomerId, ...form.otherCaregiverIds].filter((id): id is string => id !== null && id !== ''))];
    for (const id of ids) {
      if (id === selfId) throw new CoreError('invalid_message', 'A customer cannot be their own caregiver.');
      const caregiver = this.prepare('SELECT customer_type FROM customers WHERE id = ?').get(id) as { customer_type: string } | undefined;
      if (!caregiver || caregiver.customer_type !== 'caregiver') {
        throw new CoreError('invalid_message', 'The chosen caregiver is not a Caregiver customer: choose another from the list.');
      }
    }
    let age: number | null = null;
    try {
      age = isIsoDate(form.dateOfBirth) ? ageOn(form.dateOfBirth, today) : null;
    } catch {
      age = null;
    }
    const { cap, minor } = this.caregiversPerPatientCap(age);
    if (cap !== null && ids.length > cap) {
      const name = this.rules().name;
      throw new CoreError(
        'conflict',
        `${name} allows at most ${cap} caregiver${cap === 1 ? '' : 's'} per patient${minor ? ' under 18' : ''}: remove one before adding another.`,
        { cap, caregivers: ids.length },
      );
    }
    form.caregiverCustomerId = ids[0] ?? null;
    form.otherCaregiverIds = ids.slice(1);
  }

  /** The licence fields as stored: the number only where the state allows, the fingerprint always. */
  protected licenceColumns(form: CustomerForm, existing: CustomerRow | null, draftFingerprint: string | null): { number: string | null; key: string | null } {
    if (form.licenceNumber) {
      const secret = this.licenceSecret(true)!;
      return { number: this.mayKeepLicenceData() ? form.licenceNumber : null, key: licenceFingerprint(secret, form.licenceNumber) };
    }
    if (draftFingerprint) return { number: null, key: draftFingerprint };
    // Where the number is not kept, the form never shows it: an empty field keeps the fingerprint.
    if (existing && !this.mayKeepLicenceData()) return { number: null, key: existing.licence_key };
    return { number: null, key: null };
  }

  /** What a missing required field says: what to enter, and why. */
  protected static readonly REQUIRED_WORDS: Record<RequirableField, string> = {
    phone: 'Enter a phone number',
    email: 'Enter an email address',
    address: 'Enter the full address of record (street, city, state and ZIP)',
    identificationExpires: "Enter the ID's expiration date",
    middleName: 'Enter the middle name',
  };

  protected missingRequired(form: CustomerForm): RequirableField[] {
    const blank = (value: string | null) => value === null || value.trim() === '';
    return this.requiredFields().filter((field) => {
      switch (field) {
        case 'address':
          return blank(form.address.street) || blank(form.address.city) || blank(form.address.state) || blank(form.address.postalCode);
        default:
          return blank(form[field]);
      }
    });
  }

  /** A manager sets the profile settings: required fields and the automatic senior group. Audited before/after. */
  saveProfileSettings(actor: Actor, commandId: string, settings: CustomerSettings): CustomerSettings {
    const now = this.deps.clock();
    const before = this.profileSettings();
    applyCommand(
      this.sqlite,
      { commandId, name: 'customers.settings.save', actorId: actor.id },
      () => {
        const write = this.prepare('INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?, ?, ?)');
        write.run(REQUIRED_FIELDS_KEY, JSON.stringify(REQUIRABLE_FIELDS.filter((field) => settings.requiredFields.includes(field))), now);
        write.run(SENIOR_AGE_KEY, JSON.stringify(settings.seniorGroup.enabled ? settings.seniorGroup.age : null), now);
        return { result: null, audit: { details: { before, after: settings } } };
      },
      now,
    );
    return this.profileSettings();
  }

  /**
   * A new profile. The same medical ID as another profile is refused; the same names and birth
   * date too, unless `duplicateReason` says why this is a different person (kept in the audit).
   */
  create(actor: Actor, commandId: string, input: CustomerForm, draftId: string | null, duplicateReason: string | null = null): CustomerDetail {
    const form = customerFormSchema.parse(input);
    const kind = this.validate(form, null);
    const now = this.deps.clock();
    const reason = duplicateReason?.trim() ? duplicateReason.trim() : null;
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'customers.create', actorId: actor.id },
      () => {
        // Inside the transaction: two screens signing up the same person cannot both pass.
        const sameNameAndBirth = this.refuseDuplicates(form, null, null, reason === null);
        const id = newId(now);
        const licence = this.licenceColumns(form, null, draftId ? this.draftFingerprint(draftId) : null);
        this.prepare(
          `INSERT INTO customers (id, customer_type, first_name, middle_name, last_name, date_of_birth, identification_expires,
             medical_id, medical_id_expires, caregiver_id, caregiver_id_expires, phone, email, created_at, updated_at,
             licence_number, licence_key, licence_state, nickname, gender, banned, warning_1, warning_2, notes,
             adult_use, state_medical_id, caregiver_licence)
           VALUES (@id, @kind, @firstName, @middleName, @lastName, @dateOfBirth, @identificationExpires,
             @medicalId, @medicalIdExpires, @caregiverId, @caregiverIdExpires, @phone, @email, @now, @now,
             @licenceNumber, @licenceKey, @licenceState, @nickname, @gender, @banned, @warning1, @warning2, @notes,
             @adultUse, @stateMedicalId, @caregiverLicence)`,
        ).run(this.customerParams(id, kind, form, licence, now));
        const links = this.writeProfile(id, form, now, form.scanned ? now : null);
        this.writeGroups(id, form.groups, now);
        const documentIds = draftId ? this.attachPendingDocuments(draftId, id, now) : [];
        if (draftId) this.prepare('DELETE FROM customer_drafts WHERE id = ?').run(draftId);
        captureCustomer(this.sqlite, id, null, now);
        captureCaregiverLinks(this.sqlite, links, now);
        for (const documentId of documentIds) captureCustomerDocument(this.sqlite, documentId, now);
        return {
          result: { id },
          audit: {
            customerId: id,
            details: {
              customerType: kind,
              fromScan: form.scanned,
              ...(draftId ? { draftId } : {}),
              ...(documentIds.length > 0 ? { documentIds } : {}),
              ...(sameNameAndBirth.length > 0
                ? { sameNameAndBirthAs: sameNameAndBirth, duplicateOf: `${form.firstName} ${form.lastName}, born ${showStoreDate(form.dateOfBirth)}`, duplicateReason: reason }
                : {}),
            },
          },
        };
      },
      now,
    );
    return this.get(result.id);
  }

  update(actor: Actor, commandId: string, id: string, input: CustomerForm, draftId: string | null): CustomerDetail {
    const form = customerFormSchema.parse(input);
    const kind = this.validate(form, id);
    const now = this.deps.clock();
    applyCommand(
      this.sqlite,
      { commandId, name: 'customers.update', actorId: actor.id },
      () => {
        const existing = this.row(id);
        this.refuseDuplicates(form, id, existing.medical_id, false);
        const hubBefore = customerSnapshot(this.sqlite, id);
        const profile = this.profileRow(id);
        const before = this.formOf(existing, profile, this.storedGroups(id));
        const licence = this.licenceColumns(form, existing, draftId ? this.draftFingerprint(draftId) : null);
        const changes = this.diff(before, form, existing.licence_key, licence.key);
        this.prepare(
          `UPDATE customers SET customer_type = @kind, first_name = @firstName, middle_name = @middleName, last_name = @lastName,
             date_of_birth = @dateOfBirth, identification_expires = @identificationExpires, medical_id = @medicalId,
             medical_id_expires = @medicalIdExpires, caregiver_id = @caregiverId, caregiver_id_expires = @caregiverIdExpires,
             phone = @phone, email = @email, updated_at = @now, licence_number = @licenceNumber, licence_key = @licenceKey,
             licence_state = @licenceState, nickname = @nickname, gender = @gender, banned = @banned, warning_1 = @warning1,
             warning_2 = @warning2, notes = @notes, adult_use = @adultUse, state_medical_id = @stateMedicalId,
             caregiver_licence = @caregiverLicence
           WHERE id = @id`,
        ).run(this.customerParams(id, kind, form, licence, now));
        const links = this.writeProfile(id, form, now, profile?.scanned_at ?? (form.scanned ? now : null));
        this.writeGroups(id, form.groups, now);
        if (draftId) this.prepare('DELETE FROM customer_drafts WHERE id = ?').run(draftId);
        if (kind !== 'caregiver') {
          const patients = this.prepare('SELECT COUNT(*) AS n FROM caregiver_patients WHERE caregiver_id = ?').get(id) as { n: number };
          if (patients.n > 0) {
            throw new CoreError('conflict', 'This caregiver still has caregiver-patients: remove them before turning Caregiver Licence off.');
          }
        }
        captureCustomer(this.sqlite, id, hubBefore, now);
        captureCaregiverLinks(this.sqlite, links, now);
        return { result: { id }, audit: { customerId: id, details: { customerType: kind, changes, ...(draftId ? { draftId } : {}) } } };
      },
      now,
    );
    return this.get(id);
  }

  protected customerParams(id: string, kind: CustomerKind, form: CustomerForm, licence: { number: string | null; key: string | null }, now: number) {
    return {
      id,
      kind,
      firstName: form.firstName,
      middleName: form.middleName,
      lastName: form.lastName,
      dateOfBirth: form.dateOfBirth,
      identificationExpires: form.identificationExpires,
      medicalId: form.medicalId,
      medicalIdExpires: form.medicalIdExpires,
      caregiverId: form.caregiverLicence ? form.caregiverId : null,
      caregiverIdExpires: form.caregiverLicence ? form.caregiverIdExpires : null,
      phone: form.phone,
      email: form.email,
      now,
      licenceNumber: licence.number,
      licenceKey: licence.key,
      licenceState: form.licenceState ? form.licenceState.toUpperCase() : null,
      nickname: form.nickname,
      gender: form.gender,
      banned: form.banned ? 1 : 0,
      warning1: form.warning1 ? 1 : 0,
      warning2: form.warning2 ? 1 : 0,
      notes: form.notes,
      adultUse: form.adultUse ? 1 : 0,
      stateMedicalId: form.stateMedicalId ? 1 : 0,
      caregiverLicence: form.caregiverLicence ? 1 : 0,
    };
  }

  /** The profile and the patient's caregivers; returns the caregiver links added and taken away (for the store hub). */
  protected writeProfile(id: string, form: CustomerForm, now: number, scannedAt: number | null): CaregiverLinkChanges {
    this.prepare(
      `INSERT INTO customer_profiles (customer_id, address_street, address_street2, address_city, address_state, address_postal_code,
         delivery_street, delivery_street2, delivery_city, delivery_state, delivery_postal_code, other_phone,
         recommendation_expires, physician_name, physician_licence, physician_phone, caregiver_customer_id, scanned_at, updated_at)
       VALUES (@id, @aStreet, @aStreet2, @aCity, @aState, @aPostal, @dStreet, @dStreet2, @dCity, @dState, @dPostal, @otherPhone,
         @rec, @pName, @pLicence, @pPhone, @caregiver, @scannedAt, @now)
       ON CONFLICT (customer_id) DO UPDATE SET address_street = excluded.address_street, address_street2 = excluded.address_street2,
         address_city = excluded.address_city, address_state = excluded.address_state, address_postal_code = excluded.address_postal_code,
         delivery_street = excluded.delivery_street, delivery_street2 = excluded.delivery_street2, delivery_city = excluded.delivery_city,
         delivery_state = excluded.delivery_state, delivery_postal_code = excluded.delivery_postal_code, other_phone = excluded.other_phone,
         recommendation_expires = excluded.recommendation_expires, physician_name = excluded.physician_name,
         physician_licence = excluded.physician_licence, physician_phone = excluded.physician_phone,
         caregiver_customer_id = excluded.caregiver_customer_id, scanned_at = excluded.scanned_at, updated_at = excluded.updated_at`,
    ).run({
      id,
      aStreet: form.address.street,
      aStreet2: form.address.street2,
      aCity: form.address.city,
      aState: form.address.state,
      aPostal: form.address.postalCode,
      dStreet: form.delivery.street,
      dStreet2: form.delivery.street2,
      dCity: form.delivery.city,
      dState: form.delivery.state,
      dPostal: form.delivery.postalCode,
      otherPhone: form.otherPhone,
      rec: form.recommendationExpires,
      pName: form.physician.name,
      pLicence: form.physician.licence,
      pPhone: form.physician.phone,
      caregiver: form.caregiverCustomerId,
      scannedAt,
      now,
    });
    // Every caregiver of the patient, the first one included (checkout and the queue read this table).
    const wanted = [form.caregiverCustomerId, ...form.otherCaregiverIds].filter((cid): cid is string => cid !== null);
    const kept = (this.prepare('SELECT caregiver_id AS id FROM customer_caregivers WHERE patient_id = ?').all(id) as Array<{ id: string }>).map((row) => row.id);
    const drop = this.prepare('DELETE FROM customer_caregivers WHERE patient_id = ? AND caregiver_id = ?');
    const links: CaregiverLinkChanges = { patientId: id, added: [], removed: [] };
    for (const cid of kept) {
      if (!wanted.includes(cid)) {
        drop.run(id, cid);
        links.removed.push(cid);
      }
    }
    const add = this.prepare('INSERT OR IGNORE INTO customer_caregivers (patient_id, caregiver_id, added_at) VALUES (?, ?, ?)');
    wanted.forEach((cid, index) => {
      if (add.run(id, cid, now + index).changes > 0) links.added.push({ caregiverId: cid, at: now + index });
    });
    return links;
  }

  protected writeGroups(id: string, names: string[], now: number): void {
    this.prepare('DELETE FROM customer_group_members WHERE customer_id = ?').run(id);
    const unique = [...new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n.length > 0))];
    for (const name of unique) {
      let group = this.prepare('SELECT id FROM customer_groups WHERE name = ?').get(name) as { id: string } | undefined;
      if (!group) {
        group = { id: newId(now) };
        this.prepare('INSERT INTO customer_groups (id, name, created_at) VALUES (?, ?, ?)').run(group.id, name, now);
      }
      this.prepare('INSERT OR IGNORE INTO customer_group_members (customer_id, group_id) VALUES (?, ?)').run(id, group.id);
    }
  }

  /** field: old → new, for the history. The licence number itself never enters the audit log where it may not be kept. */
  protected diff(before: CustomerForm, after: CustomerForm, keyBefore: string | null, keyAfter: string | null): Array<{ field: string; from: string | null; to: string | null }> {
    const changes: Array<{ field: string; from: string | null; to: string | null }> = [];
    const show = (value: unknown): string | null => {
      if (value === null || value === undefined || value === '') return null;
      if (typeof value === 'boolean') return value ? 'on' : 'off';
      if (Array.isArray(value)) return value.length ? value.join(', ') : null;
      if (typeof value === 'object') {
        const parts = Object.values(value as Record<string, unknown>).filter((v) => v !== null && v !== '');
        return parts.length ? parts.join(', ') : null;
      }
      return String(value);
    };
    for (const key of Object.keys(FIELD_LABELS) as Array<keyof CustomerForm>) {
      if (key === 'licenceNumber') {
        if (this.mayKeepLicenceData()) {
          const from = show(before.licenceNumber);
          const to = show(after.licenceNumber);
          if (from !== to) changes.push({ field: FIELD_LABELS[key]!, from, to });
        } else if (keyBefore !== keyAfter) {
          changes.push({ field: FIELD_LABELS[key]!, from: keyBefore ? '(fingerprint)' : null, to: keyAfter ? '(new fingerprint)' : null });
        }
        continue;
      }
      const from = show(key === 'groups' ? [...before.groups].sort() : before[key]);
      const to = show(key === 'groups' ? [...new Set(after.groups.map((g) => g.trim().toLowerCase()))].sort() : after[key]);
      if (from !== to) changes.push({ field: FIELD_LABELS[key]!, from, to });
    }
    return changes;
  }

}
