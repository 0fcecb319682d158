/**
 * Check-in through a caregiver for one of their patients: a patient kept on the caregiver's
 * profile (caregiver_patients: records, not customers), or a patient who is a customer in their
 * own right and names this caregiver (customer_caregivers, or the profile's caregiver). The
 * caregiver's own checks still apply; the patient's card, birth date and rules decide the
 * allotment, looked up in the state system with both cards. An expired caregiver card stops
 * buying for any patient (the caregiver may still check in for themselves).
 */
import type Database from 'better-sqlite3';
import type { CheckInPreparation, CheckInRefusal, PatientKind } from '../../preload/contract/queue.js';
import { showStoreDate } from '../../preload/contract/customers.js';
import { CoreError } from '../core/errors.js';
import { findCustomerProfile, type CustomerProfile, type JurisdictionRules, type Residency } from '../compliance/rules.js';
import { identificationExpiredMessage, underAgeMessage } from '../compliance/refusals.js';
import { ageOn } from '../licenses/checks.js';
import type { CustomerFacts, QueueContext } from './context.js';

export interface RecordPatient {
  kind: PatientKind;
  id: string;
  displayName: string;
  /** The patient's medical card number ('' when a customer patient has none on file). */
  medicalLicence: string;
  licenceExpires: string | null;
  dateOfBirth: string | null;
  /** A customer patient: their facts as check-in reads them; null for a record on the caregiver's profile. */
  customer: CustomerFacts | null;
}

/** Why no patient can be bought for while the caregiver card has lapsed, or null. */
export function caregiverCardLapsed(caregiver: CustomerFacts, today: string): string | null {
  if (!caregiver.caregiverIdExpires || caregiver.caregiverIdExpires >= today) return null;
  return `${caregiver.firstName} ${caregiver.lastName}'s caregiver card expired on ${showStoreDate(caregiver.caregiverIdExpires)}: they cannot buy for a patient until it is renewed (enter the new expiration on their profile).`;
}

/** The caregiver's patients, each with why they cannot be checked in for (or null). */
export function recordPatientsOf(ctx: QueueContext, caregiver: CustomerFacts, today: string): CheckInPreparation['patients'] {
  return loadPatients(ctx, caregiver.id).map((row) => ({
    kind: row.kind,
    id: row.id,
    displayName: row.displayName,
    medicalLicence: row.medicalLicence,
    problem: patientProblem(ctx, row, caregiver, today),
  }));
}

export function recordPatient(ctx: QueueContext, caregiver: CustomerFacts, patientId: string, kind: PatientKind): RecordPatient {
  const row = loadPatients(ctx, caregiver.id).find((candidate) => candidate.id === patientId && candidate.kind === kind);
  if (!row) {
    throw new CoreError(
      'not_found',
      kind === 'customer'
        ? `That patient does not name ${caregiver.firstName} ${caregiver.lastName} as a caregiver any more: open the check-in again.`
        : `That patient is not on ${caregiver.firstName} ${caregiver.lastName}'s profile any more: open the check-in again.`,
    );
  }
  return row;
}

/** Why a patient cannot be checked in for, in words, or null. */
function patientProblem(ctx: QueueContext, row: RecordPatient, caregiver: CustomerFacts, today: string): string | null {
  const lapsed = caregiverCardLapsed(caregiver, today);
  if (lapsed) return lapsed;
  const caregiverName = `${caregiver.firstName} ${caregiver.lastName}`;
  const patient = row.customer;
  if (patient === null) {
    if (row.licenceExpires !== null && row.licenceExpires < today) return `${row.displayName}'s medical card expired on ${showStoreDate(row.licenceExpires)}: update it on ${caregiverName}'s profile.`;
    if (row.dateOfBirth === null) return `${row.displayName} has no birth date on file: enter it on ${caregiverName}'s profile (Customers › Caregiver-patients › Edit).`;
    return null;
  }
  // A patient with a profile of their own: their own profile holds the facts to correct.
  if (patient.banned) return `${row.displayName} is banned from this store: do not serve them. A manager can lift the ban in the profile.`;
  if (!patient.medicalId) return `${row.displayName} has no medical ID in the profile: add it before buying for them.`;
  if (patient.medicalIdExpires && patient.medicalIdExpires < today) return `${row.displayName}'s medical card expired on ${showStoreDate(patient.medicalIdExpires)}: update it on ${patient.firstName}'s profile.`;
  if (ctx.rules().identificationMustBeUnexpired.value && patient.identificationExpires && patient.identificationExpires < today) {
    return identificationExpiredMessage(row.displayName, patient.identificationExpires, 'check_in');
  }
  if (ctx.openEntryOf(patient.id) || patientQueued(ctx.deps.sqlite(), patient.id)) return `${row.displayName} is already in the queue.`;
  return null;
}

/** A caregiver already checked in for this customer patient. */
function patientQueued(db: Database.Database, customerId: string): boolean {
  return db.prepare('SELECT 1 FROM queue_entries WHERE patient_customer_id = ? AND removed_at IS NULL').get(customerId) !== undefined;
}

/** The patient's refusals and rules profile (a medical patient of their age: in-state for a record; their own residency for a customer). */
export function assessRecordPatient(
  ctx: QueueContext,
  row: RecordPatient,
  caregiver: CustomerFacts,
  rules: JurisdictionRules,
  today: string,
): { refusals: CheckInRefusal[]; profile: CustomerProfile | null } {
  const refusals: CheckInRefusal[] = [];
  const problem = patientProblem(ctx, row, caregiver, today);
  if (problem) refusals.push({ code: 'patient_record', message: problem });
  let profile: CustomerProfile | null = null;
  if (row.dateOfBirth) {
    let age: number | null = null;
    try {
      age = ageOn(row.dateOfBirth, today);
    } catch {
      age = null;
    }
    const patient = row.customer;
    const customerType = patient?.customerType === 'medical_recommendation' ? 'medical_recommendation' : 'medical';
    const state = patient ? patient.licenceState : rules.code;
    const residency: Residency | null = state ? (state.trim().toUpperCase() === rules.code ? 'in_state' : 'out_of_state') : null;
    if (age !== null) {
      profile =
        findCustomerProfile(rules, { customerType, residency, ageYears: age }) ??
        (residency === null ? (findCustomerProfile(rules, { customerType, residency: 'out_of_state', ageYears: age }) ?? findCustomerProfile(rules, { customerType, residency: 'in_state', ageYears: age })) : null);
    }
    if (!profile) {
      refusals.push({ code: 'patient_record', message: `${rules.name}'s rules have no medical patients of ${row.displayName}'s age: check the birth date on ${patient ? `${patient.firstName}'s` : "the caregiver's"} profile.` });
    } else if (age !== null && age < profile.minimumAge.value) {
      refusals.push({ code: 'patient_record', message: underAgeMessage(row.displayName, age, profile) });
    }
  } else if (row.customer) {
    refusals.push({ code: 'patient_record', message: `The date of birth in ${row.displayName}'s profile cannot be read: correct it in the profile.` });
  }
  return { refusals, profile };
}

function loadPatients(ctx: QueueContext, caregiverId: string): RecordPatient[] {
  const db = ctx.deps.sqlite();
  const records = (
    db
      .prepare(
        `SELECT id, first_name || ' ' || last_name AS displayName, medical_licence AS medicalLicence, licence_expires AS licenceExpires, date_of_birth AS dateOfBirth
           FROM caregiver_patients WHERE caregiver_id = ? ORDER BY last_name, first_name`,
      )
      .all(caregiverId) as Array<Omit<RecordPatient, 'kind' | 'customer'>>
  ).map((row) => ({ ...row, kind: 'caregiver_patient' as const, customer: null }));
  const customers: Array<RecordPatient & { sortKey: string }> = [];
  for (const id of ctx.patientsOfCaregiver(caregiverId)) {
    const patient = ctx.customer(id);
    if (!patient) continue;
    customers.push({
      kind: 'customer',
      id,
      displayName: `${patient.firstName} ${patient.lastName}`,
      sortKey: `${patient.lastName} ${patient.firstName}`,
      medicalLicence: patient.medicalId ?? '',
      licenceExpires: patient.medicalIdExpires,
      dateOfBirth: patient.dateOfBirth,
      customer: patient,
    });
  }
  customers.sort((a, b) => a.sortKey.localeCompare(b.sortKey));
  return [...customers.map(({ sortKey: _sortKey, ...row }) => row), ...records];
}
