/** Customers: a caregiver's patients. */
import type { CaregiverPatient } from '../../preload/contract/customers.js';

type PatientInput = Omit<CaregiverPatient, 'id' | 'caregiverId' | 'dateOfBirth'> & { dateOfBirth?: string | null | undefined };
import { credentialNumberProblemFor } from '../compliance/rules.js';
import { applyCommand } from '../core/commands.js';
import { captureCaregiverPatient, captureCaregiverPatientRemoval } from '../hub-sync/capture.js';
import { CoreError } from '../core/errors.js';
import { newId } from '../store/ids.js';
import { ageOn } from '../licenses/index.js';
import { type Actor, isIsoDate } from './shared.js';
import { CustomerLicenceScan } from './licence-scan.js';

export abstract class CustomerPatients extends CustomerLicenceScan {
  // -------------------------------------------------------------------------------------------
  // Caregivers' patients
  // -------------------------------------------------------------------------------------------

  patientsOf(caregiverId: string): CaregiverPatient[] {
    return (
      this.prepare(
        `SELECT id, caregiver_id AS caregiverId, first_name AS firstName, last_name AS lastName, medical_licence AS medicalLicence,
                licence_expires AS licenceExpires, date_of_birth AS dateOfBirth FROM caregiver_patients WHERE caregiver_id = ? ORDER BY last_name, first_name`,
      ).all(caregiverId) as CaregiverPatient[]
    );
  }

  addPatient(actor: Actor, commandId: string, caregiverId: string, input: PatientInput): CaregiverPatient {
    const patient = this.checkPatient(input);
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'customers.addPatient', actorId: actor.id },
      () => {
        const caregiver = this.row(caregiverId);
        if (caregiver.customer_type !== 'caregiver') {
          throw new CoreError('conflict', 'Make this customer a Caregiver (Customer type) and save the profile before adding caregiver-patients.');
        }
        const cap = this.caregiverCap();
        const count = (this.prepare('SELECT COUNT(*) AS n FROM caregiver_patients WHERE caregiver_id = ?').get(caregiverId) as { n: number }).n;
        if (typeof cap === 'number' && count >= cap) {
          throw new CoreError(
            'conflict',
            `${this.rules().caregivers.maxPatientsPerCaregiver.confidence === 'H' ? this.rules().name : 'This store'} allows at most ${cap} patient${cap === 1 ? '' : 's'} per caregiver: remove one before adding another.`,
            { cap },
          );
        }
        this.checkCaregiversOfLicence(caregiverId, patient.medicalLicence, patient.dateOfBirth);
        const id = newId(now);
        this.prepare(
          `INSERT INTO caregiver_patients (id, caregiver_id, first_name, last_name, medical_licence, licence_expires, date_of_birth, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, caregiverId, patient.firstName, patient.lastName, patient.medicalLicence, patient.licenceExpires, patient.dateOfBirth, now, now);
        captureCaregiverPatient(this.sqlite, id, now);
        const created: CaregiverPatient = { id, caregiverId, ...patient };
        return { result: created, audit: { customerId: caregiverId, details: { patientId: id, patient: `${patient.firstName} ${patient.lastName}` } } };
      },
      now,
    );
    return result;
  }

  updatePatient(actor: Actor, commandId: string, id: string, input: PatientInput): CaregiverPatient {
    const patient = this.checkPatient(input);
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'customers.updatePatient', actorId: actor.id },
      () => {
        const existing = this.prepare('SELECT * FROM caregiver_patients WHERE id = ?').get(id) as
          | { caregiver_id: string; first_name: string; last_name: string; medical_licence: string; licence_expires: string; date_of_birth: string | null }
          | undefined;
        if (!existing) throw new CoreError('not_found', 'This caregiver-patient record does not exist any more.');
        this.prepare(
          'UPDATE caregiver_patients SET first_name = ?, last_name = ?, medical_licence = ?, licence_expires = ?, date_of_birth = ?, updated_at = ? WHERE id = ?',
        ).run(patient.firstName, patient.lastName, patient.medicalLicence, patient.licenceExpires, patient.dateOfBirth, now, id);
        captureCaregiverPatient(this.sqlite, id, now);
        const changes = [
          ['Patient first name', existing.first_name, patient.firstName],
          ['Patient last name', existing.last_name, patient.lastName],
          ['Patient medical licence', existing.medical_licence, patient.medicalLicence],
          ['Patient licence expiration', existing.licence_expires, patient.licenceExpires],
          ['Patient birth date', existing.date_of_birth, patient.dateOfBirth],
        ]
          .filter(([, from, to]) => from !== to)
          .map(([field, from, to]) => ({ field: field!, from: from ?? null, to: to ?? null }));
        return {
          result: { id, caregiverId: existing.caregiver_id, ...patient },
          audit: { customerId: existing.caregiver_id, details: { patientId: id, patient: `${patient.firstName} ${patient.lastName}`, changes } },
        };
      },
      now,
    );
    return result;
  }

  removePatient(actor: Actor, commandId: string, id: string): { removed: true } {
    const now = this.deps.clock();
    applyCommand(
      this.sqlite,
      { commandId, name: 'customers.removePatient', actorId: actor.id },
      () => {
        const existing = this.prepare('SELECT caregiver_id, first_name, last_name FROM caregiver_patients WHERE id = ?').get(id) as
          | { caregiver_id: string; first_name: string; last_name: string }
          | undefined;
        if (!existing) throw new CoreError('not_found', 'This caregiver-patient record was already removed.');
        this.prepare('DELETE FROM caregiver_patients WHERE id = ?').run(id);
        captureCaregiverPatientRemoval(this.sqlite, id, existing.caregiver_id, now);
        return {
          result: { removed: true as const },
          audit: { customerId: existing.caregiver_id, details: { patientId: id, patient: `${existing.first_name} ${existing.last_name}` } },
        };
      },
      now,
    );
    return { removed: true };
  }

  /**
   * One patient (one medical card) has at most the state's number of caregivers (Illinois: 3): the
   * caregivers who keep a record with this card, and those named on a patient profile with it.
   */
  private checkCaregiversOfLicence(caregiverId: string, licence: string, dateOfBirth: string | null): void {
    const card = licence.replace(/[\s-]/g, '').toUpperCase();
    const rows = this.prepare(
      `SELECT caregiver_id AS id FROM caregiver_patients WHERE upper(replace(replace(medical_licence, ' ', ''), '-', '')) = ?
       UNION
       SELECT l.caregiver_id AS id FROM customer_caregivers l JOIN customers c ON c.id = l.patient_id
        WHERE c.search_medical_id = ?`,
    ).all(card, card) as Array<{ id: string }>;
    const others = rows.filter((row) => row.id !== caregiverId).length;
    let age: number | null = null;
    try {
      age = dateOfBirth ? ageOn(dateOfBirth, this.today()) : null;
    } catch {
      age = null;
    }
    const { cap, minor } = this.caregiversPerPatientCap(age);
    if (cap !== null && others >= cap) {
      throw new CoreError(
        'conflict',
        `The patient with medical card ${licence} already has ${others} caregiver${others === 1 ? '' : 's'}: ${this.rules().name} allows at most ${cap} per patient${minor ? ' under 18' : ''}.`,
        { cap, caregivers: others },
      );
    }
  }

  /** Dates checked; a missing birth date is kept as null (the patient cannot be sold to until it is entered). */
  private checkPatient(input: PatientInput): Omit<CaregiverPatient, 'id' | 'caregiverId'> {
    if (!isIsoDate(input.licenceExpires)) throw new CoreError('invalid_message', "The patient's licence expiration is not a real date.");
    // A caregiver-patient buys as an in-state medical patient: their number must fit that card's published format.
    const cardProblem = credentialNumberProblemFor(this.rules(), 'medical', input.medicalLicence);
    if (cardProblem !== null) throw new CoreError('invalid_message', `Medical licence number: ${cardProblem}. Check the number on the patient's card and type it again.`);
    const dateOfBirth = input.dateOfBirth ?? null;
    if (dateOfBirth !== null) {
      if (!isIsoDate(dateOfBirth)) throw new CoreError('invalid_message', "The patient's birth date is not a real date: type it as 11/30/2017.");
      if (dateOfBirth > this.today()) throw new CoreError('invalid_message', "The patient's birth date is in the future: check it against the patient's card.");
    }
    return { ...input, dateOfBirth };
  }
}
