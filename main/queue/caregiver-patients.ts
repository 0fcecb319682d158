/**
 * Check-in through a caregiver for a patient kept on the caregiver's profile (caregiver_patients:
 * records, not customers). The caregiver's own checks still apply; the patient's card, birth date
 * and rules decide the allotment, looked up in the state system with both cards.
 */
import type Database from 'better-sqlite3';
import type { CheckInPreparation, CheckInRefusal } from '../../preload/contract/queue.js';
import { showStoreDate } from '../../preload/contract/customers.js';
import { CoreError } from '../core/errors.js';
import { findCustomerProfile, type CustomerProfile, type JurisdictionRules } from '../compliance/rules.js';
import { ageOn } from '../licenses/checks.js';
import type { CustomerFacts } from './context.js';

export interface RecordPatient {
  id: string;
  displayName: string;
  medicalLicence: string;
  licenceExpires: string;
  dateOfBirth: string | null;
}

/** The patients a caregiver keeps on their profile, each with why they cannot be checked in (or null). */
export function recordPatientsOf(db: Database.Database, caregiver: CustomerFacts, today: string): CheckInPreparation['patients'] {
  return loadRecords(db, caregiver.id).map((row) => ({
    id: row.id,
    displayName: row.displayName,
    medicalLicence: row.medicalLicence,
    problem: recordProblem(row, caregiver, today),
  }));
}

export function recordPatient(db: Database.Database, caregiver: CustomerFacts, patientId: string): RecordPatient {
  const row = loadRecords(db, caregiver.id).find((candidate) => candidate.id === patientId);
  if (!row) {
    throw new CoreError('not_found', `That patient is not on ${caregiver.firstName} ${caregiver.lastName}'s profile any more: open the check-in again.`);
  }
  return row;
}

/** Why a record patient cannot be checked in, in words, or null. */
function recordProblem(row: RecordPatient, caregiver: CustomerFacts, today: string): string | null {
  if (row.licenceExpires < today) return `${row.displayName}'s medical card expired on ${showStoreDate(row.licenceExpires)}: update it on ${caregiver.firstName} ${caregiver.lastName}'s profile.`;
  if (row.dateOfBirth === null) {
    return `${row.displayName} has no birth date on file: enter it on ${caregiver.firstName} ${caregiver.lastName}'s profile (Customers › Caregiver-patients › Edit).`;
  }
  return null;
}

/** The patient's refusals and rules profile (an in-state medical patient of their age). */
export function assessRecordPatient(
  row: RecordPatient,
  caregiver: CustomerFacts,
  rules: JurisdictionRules,
  today: string,
): { refusals: CheckInRefusal[]; profile: CustomerProfile | null } {
  const refusals: CheckInRefusal[] = [];
  const problem = recordProblem(row, caregiver, today);
  if (problem) refusals.push({ code: 'patient_record', message: problem });
  let profile: CustomerProfile | null = null;
  if (row.dateOfBirth) {
    let age: number | null = null;
    try {
      age = ageOn(row.dateOfBirth, today);
    } catch {
      age = null;
    }
    profile = age === null ? null : findCustomerProfile(rules, { customerType: 'medical', residency: 'in_state', ageYears: age });
    if (!profile) refusals.push({ code: 'patient_record', message: `${rules.name}'s rules have no medical patients of ${row.displayName}'s age: check the birth date on the caregiver's profile.` });
  }
  return { refusals, profile };
}

function loadRecords(db: Database.Database, caregiverId: string): RecordPatient[] {
  return db
    .prepare(
      `SELECT id, first_name || ' ' || last_name AS displayName, medical_licence AS medicalLicence, licence_expires AS licenceExpires, date_of_birth AS dateOfBirth
         FROM caregiver_patients WHERE caregiver_id = ? ORDER BY last_name, first_name`,
    )
    .all(caregiverId) as RecordPatient[];
}
