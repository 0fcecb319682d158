/** Customers: one profile read (form, alerts, history). */
import type { CustomerDetail, CustomerForm, CustomerHistoryEntry } from '../../preload/contract/customers.js';
import { showStoreDate } from '../../preload/contract/customers.js';
import { ageOn } from '../licenses/index.js';
import { type CustomerRow, type ProfileRow, SENIOR_GROUP, isIsoDate, parseDetails, describeAction, displayName } from './shared.js';
import { CustomerAttachments } from './attachments.js';

export abstract class CustomerProfiles extends CustomerAttachments {
  formOf(row: CustomerRow, profile: ProfileRow | null, groups: string[]): CustomerForm {
    return {
      firstName: row.first_name,
      middleName: row.middle_name,
      lastName: row.last_name,
      nickname: row.nickname,
      dateOfBirth: row.date_of_birth,
      gender: (['male', 'female', 'non_binary', 'unspecified'] as const).find((g) => g === row.gender) ?? 'unspecified',
      licenceNumber: row.licence_number,
      licenceState: row.licence_state,
      identificationExpires: row.identification_expires,
      address: {
        street: profile?.address_street ?? null,
        street2: profile?.address_street2 ?? null,
        city: profile?.address_city ?? null,
        state: profile?.address_state ?? null,
        postalCode: profile?.address_postal_code ?? null,
      },
      adultUse: row.adult_use === null ? row.customer_type === 'adult_use' : row.adult_use === 1,
      stateMedicalId: row.state_medical_id === null ? row.medical_id !== null : row.state_medical_id === 1,
      medicalId: row.medical_id,
      medicalIdExpires: row.medical_id_expires,
      recommendationExpires: profile?.recommendation_expires ?? null,
      physician: { name: profile?.physician_name ?? null, licence: profile?.physician_licence ?? null, phone: profile?.physician_phone ?? null },
      caregiverLicence: row.caregiver_licence === null ? row.customer_type === 'caregiver' : row.caregiver_licence === 1,
      caregiverId: row.caregiver_id,
      caregiverIdExpires: row.caregiver_id_expires,
      caregiverCustomerId: profile?.caregiver_customer_id ?? null,
      otherCaregiverIds: this.otherCaregiversOf(row.id, profile?.caregiver_customer_id ?? null),
      phone: row.phone,
      otherPhone: profile?.other_phone ?? null,
      email: row.email,
      delivery: {
        street: profile?.delivery_street ?? null,
        street2: profile?.delivery_street2 ?? null,
        city: profile?.delivery_city ?? null,
        state: profile?.delivery_state ?? null,
        postalCode: profile?.delivery_postal_code ?? null,
      },
      notes: row.notes,
      warning1: row.warning_1 === 1,
      warning2: row.warning_2 === 1,
      banned: row.banned === 1,
      groups,
      scanned: profile?.scanned_at !== null && profile?.scanned_at !== undefined,
    };
  }

  /** The patient's caregivers besides the one named first, in the order they were added. */
  protected otherCaregiversOf(patientId: string, first: string | null): string[] {
    return (
      this.prepare('SELECT caregiver_id AS id FROM customer_caregivers WHERE patient_id = ? ORDER BY added_at, rowid').all(patientId) as Array<{ id: string }>
    )
      .map((row) => row.id)
      .filter((id) => id !== first);
  }

  get(id: string): CustomerDetail {
    const row = this.row(id);
    const profile = this.profileRow(id);
    const stored = this.storedGroups(id);
    const form = this.formOf(row, profile, stored);
    const today = this.today();
    const age = isIsoDate(row.date_of_birth) && row.date_of_birth <= today ? ageOn(row.date_of_birth, today) : null;
    const groups = stored.map((name) => ({ name, automatic: false }));
    const seniorAge = this.seniorAge();
    if (age !== null && seniorAge !== null && age >= seniorAge && !stored.includes(SENIOR_GROUP)) groups.unshift({ name: SENIOR_GROUP, automatic: true });
    const documents = this.documentsOf(id);
    const caregiverRow = profile?.caregiver_customer_id
      ? (this.prepare('SELECT id, first_name, last_name, nickname, caregiver_id FROM customers WHERE id = ?').get(profile.caregiver_customer_id) as
          | { id: string; first_name: string; last_name: string; nickname: string | null; caregiver_id: string | null }
          | undefined)
      : undefined;
    return {
      id,
      customerType: row.customer_type,
      displayName: displayName(row.first_name, row.last_name, row.nickname),
      form,
      groups,
      age,
      alerts: this.alerts(row, form, age, today),
      documents,
      patients: this.patientsOf(id),
      caregiver: caregiverRow
        ? { id: caregiverRow.id, displayName: displayName(caregiverRow.first_name, caregiverRow.last_name, caregiverRow.nickname), caregiverId: caregiverRow.caregiver_id }
        : null,
      otherCaregivers: form.otherCaregiverIds.flatMap((caregiverId) => {
        const other = this.prepare('SELECT id, first_name, last_name, nickname, caregiver_id FROM customers WHERE id = ?').get(caregiverId) as
          | { id: string; first_name: string; last_name: string; nickname: string | null; caregiver_id: string | null }
          | undefined;
        return other ? [{ id: other.id, displayName: displayName(other.first_name, other.last_name, other.nickname), caregiverId: other.caregiver_id }] : [];
      }),
      photoDocumentId: profile?.photo_document_id ?? null,
      progress: {
        scanned: form.scanned,
        photo: profile?.photo_document_id != null || documents.some((d) => d.kind === 'profile_photo' || d.kind === 'full_licence'),
        mdRec: documents.some((d) => d.kind === 'doctors_permit'),
        // The membership agreement signed on the reception tablet (main/tablet/).
        signature: documents.some((d) => d.kind === 'membership_agreement'),
        saved: true,
      },
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  protected alerts(row: CustomerRow, form: CustomerForm, age: number | null, today: string): string[] {
    const alerts: string[] = [];
    if (form.banned) alerts.push('Banned: do not serve this customer.');
    const labels = this.warningLabels();
    if (form.warning1) alerts.push(`Warning: ${labels[0]}`);
    if (form.warning2) alerts.push(`Warning: ${labels[1]}`);
    const expired = (date: string | null, what: string) => {
      if (date && date < today) alerts.push(`${what} expired on ${showStoreDate(date)}.`);
    };
    if (row.identification_expires && row.identification_expires < today) {
      alerts.push(`The identification expired on ${showStoreDate(row.identification_expires)}: scan their renewed licence or state ID before checking them in or selling.`);
    }
    if (!form.adultUse || row.customer_type !== 'adult_use') {
      expired(row.medical_id_expires, 'The state medical ID');
      expired(form.recommendationExpires, 'The medical recommendation');
    }
    expired(row.caregiver_id_expires, 'The caregiver licence');
    const adultUse = this.rules().profiles.find((p) => p.match.customerType === 'adult_use');
    if (age !== null && row.customer_type === 'adult_use' && adultUse && age < adultUse.minimumAge.value) {
      alerts.push(`This customer is ${age} — adult-use sales need ${adultUse.minimumAge.value} or older.`);
    }
    return alerts;
  }

  history(id: string, limit: number): CustomerHistoryEntry[] {
    this.row(id);
    const rows = this.prepare(
      // Hot and archived events (main/audit/archive.ts), newest first.
      `SELECT a.id, a.at, a.action, a.details, e.name AS employeeName
         FROM (SELECT seq, id, at, action, details, employee_id FROM audit_events WHERE customer_id = @id
               UNION ALL
               SELECT seq, id, at, action, details, employee_id FROM audit_events_archive WHERE customer_id = @id) a
         LEFT JOIN employees e ON e.id = a.employee_id ORDER BY a.seq DESC LIMIT @limit`,
    ).all({ id, limit }) as Array<{ id: string; at: number; action: string; details: string; employeeName: string | null }>;
    return rows.map((row) => {
      const details = parseDetails(row.details);
      const changes = Array.isArray(details.changes)
        ? (details.changes as Array<{ field?: unknown; from?: unknown; to?: unknown }>)
            .filter((c) => typeof c.field === 'string')
            .map((c) => ({
              field: c.field as string,
              from: typeof c.from === 'string' ? c.from : null,
              to: typeof c.to === 'string' ? c.to : null,
            }))
        : [];
      return { id: row.id, at: row.at, employeeName: row.employeeName, action: row.action, summary: describeAction(row.action, details), changes };
    });
  }

}
