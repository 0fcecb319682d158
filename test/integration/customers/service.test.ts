/**
 * Customers in the core against a real SQLite file with the demo store: the matching rules,
 * search by each field, the caregiver cap, documents and what Illinois lets the register keep.
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveAuditEvents } from '../../../main/audit/archive.js';
import { appendAudit, verifyAuditChain } from '../../../main/audit/log.js';
import { seedDemoStore } from '../../../main/demo/seed.js';
import { CustomerService, emptyForm } from '../../../main/customers/service.js';
import { openStore, type Store } from '../../../main/store/db.js';
import { newId } from '../../../main/store/ids.js';
import type { CustomerForm } from '../../../preload/contract/customers.js';
import { modernPayload } from '../../unit/licenses/build.js';
import { migrationsFolder, resourcesDir, tempDir } from '../../support/paths.js';

const NOW = Date.UTC(2026, 10, 22, 18, 0, 0);
let work: { dir: string; cleanup: () => void };
let store: Store;
let service: CustomerService;
let actor: { id: string };

beforeEach(async () => {
  work = tempDir('register-customers-');
  store = openStore({ file: join(work.dir, 'register.sqlite'), migrationsFolder });
  await seedDemoStore(store.sqlite, resourcesDir, async (pin) => `scrypt$1$1$1$AA$${pin}`, NOW);
  service = new CustomerService({ sqlite: () => store.sqlite, clock: () => NOW, resourcesDir, dataDir: work.dir });
  actor = store.sqlite.prepare("SELECT id FROM employees WHERE role = 'budtender'").get() as { id: string };
});
afterEach(() => {
  store.close();
  work.cleanup();
});

function useJurisdiction(code: string): void {
  store.sqlite.prepare("UPDATE settings SET value = ? WHERE key = 'store.jurisdiction'").run(JSON.stringify(code));
}

let born = 0;
/** A profile form; each one born on another day, so two are never the same person (names + birth date). */
function form(overrides: Partial<CustomerForm>): CustomerForm {
  born += 1;
  const dateOfBirth = `1980-05-${String((born % 28) + 1).padStart(2, '0')}`;
  return { ...emptyForm({ adultUseAvailable: true }), firstName: 'Ann', lastName: 'Example', dateOfBirth, ...overrides };
}

const cmd = () => newId();

describe('matching a scanned licence', () => {
  it('returns every profile with the licence number, and only those', () => {
    const first = service.create(actor, cmd(), form({ firstName: 'Michael', lastName: 'Sample', dateOfBirth: '1986-06-06', licenceNumber: 'T64235789' }), null);
    const second = service.create(actor, cmd(), form({ firstName: 'Mike', lastName: 'Sample', dateOfBirth: '1986-06-06', licenceNumber: 't64-235-789' }), null);
    // The same names and birth date as the first: made on purpose, with the reason staff gave.
    service.create(actor, cmd(), form({ firstName: 'Michael', lastName: 'Sample', dateOfBirth: '1986-06-06', licenceNumber: 'OTHER1' }), null, 'Another Michael Sample');
    const result = service.lookupByLicence(modernPayload());
    if (result.kind !== 'licence') throw new Error(result.message);
    expect(result.matchedBy).toBe('licence_number');
    expect(result.matches.map((m) => m.id).sort()).toEqual([first.id, second.id].sort());
  });

  it('falls back to first name, last name and birth date, all three equal ignoring case and spacing', () => {
    const match = service.create(actor, cmd(), form({ firstName: 'mi chael', lastName: 'SAMPLE', dateOfBirth: '1986-06-06' }), null);
    service.create(actor, cmd(), form({ firstName: 'Michael', lastName: 'Sample', dateOfBirth: '1986-06-07' }), null);
    service.create(actor, cmd(), form({ firstName: 'Michelle', lastName: 'Sample', dateOfBirth: '1986-06-06' }), null);
    service.create(actor, cmd(), form({ firstName: 'Michael', lastName: 'Simple', dateOfBirth: '1986-06-06' }), null);
    const result = service.lookupByLicence(modernPayload());
    if (result.kind !== 'licence') throw new Error(result.message);
    expect(result.matchedBy).toBe('name_and_birth_date');
    expect(result.matches.map((m) => m.id)).toEqual([match.id]);
  });

  it('offers signup, with the Member section and Address of Record from the barcode, when nothing matches', () => {
    const result = service.lookupByLicence(modernPayload());
    if (result.kind !== 'licence') throw new Error(result.message);
    expect(result.matchedBy).toBe('none');
    expect(result.matches).toEqual([]);
    expect(result.prefill).toMatchObject({
      firstName: 'Michael',
      lastName: 'Sample',
      middleName: 'John',
      dateOfBirth: '1986-06-06',
      gender: 'male',
      identificationExpires: '2030-12-10',
      licenceNumber: 'T64235789',
      address: { street: '2300 West Broad Street', city: 'Richmond', state: 'VA' },
      scanned: true,
    });
    expect(result.checks).toEqual([]);
  });

  it('never returns caregiver-patients, by scan or by search', () => {
    useJurisdiction('OK');
    const caregiver = service.create(
      actor,
      cmd(),
      form({ adultUse: false, caregiverLicence: true, caregiverId: 'CG1', caregiverIdExpires: '2030-01-01' }),
      null,
    );
    service.addPatient(actor, cmd(), caregiver.id, { firstName: 'Michael', lastName: 'Sample', medicalLicence: 'T64235789', licenceExpires: '2030-01-01' });
    const result = service.lookupByLicence(modernPayload());
    if (result.kind !== 'licence') throw new Error(result.message);
    expect(result.matches).toEqual([]);
    for (const [field, query] of [['name', 'Sample'], ['name', 'Michael'], ['licence', 'T64235789'], ['medical_id', 'T642']] as const) {
      expect(service.search(field, query, 25).results).toEqual([]);
    }
  });

  it('asks for a rescan, and fills nothing, when the scan was misread', () => {
    const result = service.lookupByLicence(modernPayload({ DAC: 'JOHNDBD081884194' }));
    expect(result).toEqual({
      kind: 'not_a_licence',
      message: 'The scanner misread this licence (its first name came out garbled): scan it again. If it keeps happening, search for the customer or sign them up by hand.',
    });
  });

  it('answers "not a licence" for any other barcode', () => {
    const result = service.lookupByLicence('012345678905');
    expect(result.kind).toBe('not_a_licence');
  });
});

describe('search by each field', () => {
  it('finds the demo customers by name, phone, email, medical ID and birth date', () => {
    const names = (field: Parameters<CustomerService['search']>[0], query: string) => service.search(field, query, 25).results.map((r) => r.displayName);
    expect(names('name', 'chen')).toEqual(['Grace Chen', 'Lily Chen']);
    expect(names('name', 'gra che')).toEqual(['Grace Chen']);
    expect(names('name', 'Chen, Lily')).toEqual(['Lily Chen']);
    expect(names('phone', '217-555-0142')).toEqual(['Olivia Hart']);
    expect(names('phone', '(217) 555')).toEqual(['Grace Chen', 'Rosa Delgado', 'Olivia Hart']);
    expect(names('email', 'SAM.OK')).toEqual(['Samuel Okafor']);
    expect(names('medical_id', 'mp7k')).toEqual(['Rosa Delgado']);
    expect(names('medical_id', 'cg8b')).toEqual(['Henry Alvarez']);
    expect(names('birth_date', '09/30/1961')).toEqual(['Rosa Delgado']);
    expect(names('birth_date', '09301961')).toEqual(['Rosa Delgado']);
    const rewards = service.search('rewards_card', '1234', 25);
    expect(rewards.results).toEqual([]);
    // The rewards tables exist now (issue 9): no card ends in 1234 in the demo store.
    expect(rewards.note).toBeNull();
  });

  it('finds a nickname and shows it as First "Nick" Last', () => {
    service.create(actor, cmd(), form({ firstName: 'Robert', lastName: 'Tables', nickname: 'Bobby' }), null);
    expect(service.search('name', 'bob', 25).results.map((r) => r.displayName)).toEqual(['Robert "Bobby" Tables']);
  });

  it('by licence number: a prefix where the number may be kept (OK), the whole number only where it may not (IL)', () => {
    useJurisdiction('OK');
    service.create(actor, cmd(), form({ adultUse: false, stateMedicalId: true, medicalId: 'PAAA-1', medicalIdExpires: '2030-01-01', licenceNumber: 'D123456' }), null);
    expect(service.search('licence', 'd1234', 25).results).toHaveLength(1);
    useJurisdiction('IL');
    expect(service.search('licence', 'd1234', 25).results).toHaveLength(0);
    expect(service.search('licence', 'D123456', 25).results).toHaveLength(1);
  });
});

describe('what Illinois lets the register keep', () => {
  it('keeps only a fingerprint of the licence number, never the number, and refuses a licence image', () => {
    const created = service.create(actor, cmd(), form({ licenceNumber: 'T64235789', scanned: true }), null);
    const row = store.sqlite.prepare('SELECT licence_number, licence_key FROM customers WHERE id = ?').get(created.id) as {
      licence_number: string | null;
      licence_key: string | null;
    };
    expect(row.licence_number).toBeNull();
    expect(row.licence_key).toMatch(/^[0-9a-f]{64}$/);
    const audit = store.sqlite.prepare('SELECT details FROM audit_events').all() as Array<{ details: string }>;
    expect(audit.some((a) => a.details.includes('T64235789'))).toBe(false);
    // Saving without retyping the number keeps the fingerprint, so the next scan still finds them.
    service.update(actor, cmd(), created.id, { ...created.form, nickname: 'Mike' }, null);
    const result = service.lookupByLicence(modernPayload({ DAC: 'SOMEONE' }));
    if (result.kind !== 'licence') throw new Error(result.message);
    expect(result.matches.map((m) => m.id)).toEqual([created.id]);
    expect(() => service.addDocument(actor, cmd(), { customerId: created.id, kind: 'full_licence', mime: 'image/png', source: { from: 'upload', uploadId: newId() }, useAsPhoto: true })).toThrow(/does not allow keeping an image of the licence/);
    expect(service.config().licenceDataNotice).toMatch(/does not allow keeping scanned licence data/);
  });

  it('a draft keeps the fingerprint, not the number, and the profile saved from it is still found by the scan', () => {
    const draft = service.saveDraft(actor, cmd(), { draftId: null, customerId: null, title: 'Michael Sample', form: { firstName: 'Michael', licenceNumber: 'T64235789' } });
    const stored = store.sqlite.prepare('SELECT form FROM customer_drafts WHERE id = ?').get(draft.id) as { form: string };
    expect(stored.form).not.toContain('T64235789');
    expect(service.getDraft(draft.id).form).toEqual({ firstName: 'Michael', licenceNumber: null });
    const created = service.create(actor, cmd(), form({ firstName: 'Other', lastName: 'Name', licenceNumber: null }), draft.id);
    expect(service.drafts()).toEqual([]);
    const result = service.lookupByLicence(modernPayload());
    if (result.kind !== 'licence') throw new Error(result.message);
    expect(result.matches.map((m) => m.id)).toEqual([created.id]);
  });
});

describe('credential formats from the jurisdiction files (rules.md §3.3, CA-4)', () => {
  it("California: a medical (MMIC) customer's card number must be nine digits where it is entered, on create and on update", () => {
    useJurisdiction('CA');
    const medical = (medicalId: string) => form({ adultUse: false, stateMedicalId: true, medicalId, medicalIdExpires: '2030-01-01' });
    expect(() => service.create(actor, cmd(), medical('REC-55'), null)).toThrow(
      'Medical ID: "REC-55" is not a valid county Medical Marijuana Identification Card (MMIC) number (nine digits). Check the number on the card and type it again.',
    );
    expect(() => service.create(actor, cmd(), medical('12345678'), null)).toThrow(/nine digits/);
    const created = service.create(actor, cmd(), medical('123456789'), null);
    expect(created.customerType).toBe('medical');
    expect(() => service.update(actor, cmd(), created.id, { ...created.form, medicalId: '1234567890' }, null)).toThrow(/nine digits/);
    // Illinois publishes no card format: any number is kept.
    useJurisdiction('IL');
    expect(service.create(actor, cmd(), medical('REC-55'), null).customerType).toBe('medical');
  });
});

describe('customer types and the caregiver cap', () => {
  it('derives the type from the toggles and refuses what the state does not allow', () => {
    expect(service.create(actor, cmd(), form({}), null).customerType).toBe('adult_use');
    expect(() => service.create(actor, cmd(), form({ adultUse: false }), null)).toThrow(/state medical ID and its expiration/);
    expect(service.create(actor, cmd(), form({ adultUse: false, medicalId: 'MP1', medicalIdExpires: '2030-01-01' }), null).customerType).toBe('medical');
    useJurisdiction('OK');
    expect(() => service.create(actor, cmd(), form({ adultUse: true }), null)).toThrow(/no adult-use sales/);
    useJurisdiction('CA');
    expect(() => service.create(actor, cmd(), form({ adultUse: false, stateMedicalId: false, recommendationExpires: '2027-01-01' }), null)).toThrow(/physician/);
    const rec = service.create(
      actor,
      cmd(),
      form({ adultUse: false, stateMedicalId: false, recommendationExpires: '2027-01-01', physician: { name: 'Dr. Who', licence: 'A123', phone: null } }),
      null,
    );
    expect(rec.customerType).toBe('medical_recommendation');
    expect(service.config()).toMatchObject({ medicalRecommendationAvailable: true, stateMedicalIdAlwaysRequired: false, physicianCardForRecommendation: true });
  });

  it('caps the patients per caregiver at the jurisdiction rule (Oklahoma: 5) and removes one on request', () => {
    useJurisdiction('OK');
    expect(service.config().maxPatientsPerCaregiver).toBe(5);
    const caregiver = service.create(actor, cmd(), form({ adultUse: false, caregiverLicence: true, caregiverId: 'CG-9', caregiverIdExpires: '2030-01-01' }), null);
    const patients = [];
    for (let i = 0; i < 5; i++) {
      patients.push(service.addPatient(actor, cmd(), caregiver.id, { firstName: `P${i}`, lastName: 'Patient', medicalLicence: `PT${i}`, licenceExpires: '2030-01-01' }));
    }
    expect(() => service.addPatient(actor, cmd(), caregiver.id, { firstName: 'Six', lastName: 'Patient', medicalLicence: 'PT6', licenceExpires: '2030-01-01' })).toThrow(/at most 5 patients per caregiver/);
    service.removePatient(actor, cmd(), patients[0]!.id);
    service.addPatient(actor, cmd(), caregiver.id, { firstName: 'Six', lastName: 'Patient', medicalLicence: 'PT6', licenceExpires: '2030-01-01' });
    expect(service.get(caregiver.id).patients).toHaveLength(5);
    useJurisdiction('IL');
    const ilCaregiver = service.create(actor, cmd(), form({ caregiverLicence: true, caregiverId: 'CG-1', caregiverIdExpires: '2030-01-01' }), null);
    service.addPatient(actor, cmd(), ilCaregiver.id, { firstName: 'One', lastName: 'Patient', medicalLicence: 'X1', licenceExpires: '2030-01-01' });
    expect(() => service.addPatient(actor, cmd(), ilCaregiver.id, { firstName: 'Two', lastName: 'Patient', medicalLicence: 'X2', licenceExpires: '2030-01-01' })).toThrow(/at most 1 patient per caregiver/);
  });

  it("Oklahoma's 5 is a store setting (rules.md §0.1, OK-2: it caps growing rights), Illinois' 1 is the law and no setting changes it", () => {
    const setCap = (value: unknown) =>
      store.sqlite.prepare('INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?, ?, 1)').run('customers.maxPatientsPerCaregiver', JSON.stringify(value));
    useJurisdiction('OK');
    setCap(2);
    expect(service.config().maxPatientsPerCaregiver).toBe(2);
    const caregiver = service.create(actor, cmd(), form({ adultUse: false, caregiverLicence: true, caregiverId: 'CG-9', caregiverIdExpires: '2030-01-01' }), null);
    for (const name of ['One', 'Two']) service.addPatient(actor, cmd(), caregiver.id, { firstName: name, lastName: 'Patient', medicalLicence: name, licenceExpires: '2030-01-01' });
    expect(() => service.addPatient(actor, cmd(), caregiver.id, { firstName: 'Three', lastName: 'Patient', medicalLicence: 'T3', licenceExpires: '2030-01-01' })).toThrow(
      'This store allows at most 2 patients per caregiver: remove one before adding another.',
    );
    setCap(null); // no cap
    expect(service.config().maxPatientsPerCaregiver).toBeNull();
    service.addPatient(actor, cmd(), caregiver.id, { firstName: 'Three', lastName: 'Patient', medicalLicence: 'T3', licenceExpires: '2030-01-01' });
    useJurisdiction('IL');
    setCap(3);
    expect(service.config().maxPatientsPerCaregiver).toBe(1);
  });

  it('a patient may name only a Caregiver customer as their caregiver', () => {
    const caregivers = service.caregivers('');
    expect(caregivers.map((c) => c.displayName)).toEqual(['Henry Alvarez', 'Grace Chen']);
    const adult = service.search('name', 'hart', 5).results[0]!;
    expect(() => service.create(actor, cmd(), form({ adultUse: false, medicalId: 'M1', medicalIdExpires: '2030-01-01', caregiverCustomerId: adult.id }), null)).toThrow(/not a Caregiver customer/);
    const patient = service.create(actor, cmd(), form({ adultUse: false, medicalId: 'M1', medicalIdExpires: '2030-01-01', caregiverCustomerId: caregivers[0]!.id }), null);
    expect(patient.caregiver?.displayName).toBe('Henry Alvarez');
  });

  it('joins "senior" by age (65 by default, or the settings age)', () => {
    const walter = service.search('name', 'briggs', 1).results[0]!; // born 1955
    expect(service.get(walter.id).groups).toEqual([{ name: 'senior', automatic: true }]);
    const olivia = service.search('name', 'hart', 1).results[0]!;
    expect(service.get(olivia.id).groups).toEqual([]);
    store.sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('customers.seniorAge', '35', 0)").run();
    expect(service.get(olivia.id).groups).toEqual([{ name: 'senior', automatic: true }]);
  });
});

describe('profile settings (Settings › Customer profiles)', () => {
  it('a store may turn the automatic senior group off, and back on at another age; each change is audited', () => {
    const walter = service.search('name', 'briggs', 1).results[0]!; // born 1955
    const saved = service.saveProfileSettings(actor, cmd(), { requiredFields: [], seniorGroup: { enabled: false, age: 65 } });
    expect(saved.seniorGroup).toEqual({ enabled: false, age: 65 });
    expect(service.get(walter.id).groups).toEqual([]);
    expect(service.config().seniorAge).toBeNull();
    service.saveProfileSettings(actor, cmd(), { requiredFields: [], seniorGroup: { enabled: true, age: 70 } });
    expect(service.config().seniorAge).toBe(70);
    expect(service.get(walter.id).groups).toEqual([{ name: 'senior', automatic: true }]);
    const audits = store.sqlite.prepare("SELECT details FROM audit_events WHERE action = 'customers.settings.save' ORDER BY seq").all() as Array<{ details: string }>;
    expect(audits).toHaveLength(2);
    expect(JSON.parse(audits[0]!.details)).toMatchObject({ before: { seniorGroup: { enabled: true } }, after: { seniorGroup: { enabled: false } } });
  });

  it('fields the store requires must be filled on create and on update, each named with what to enter', () => {
    service.saveProfileSettings(actor, cmd(), { requiredFields: ['phone', 'address'], seniorGroup: { enabled: true, age: 65 } });
    expect(service.config().requiredFields).toEqual(['phone', 'address']);
    expect(() => service.create(actor, cmd(), form({}), null)).toThrow(/Enter a phone number; Enter the full address of record \(street, city, state and ZIP\): this store requires them/);
    expect(() => service.create(actor, cmd(), form({ phone: '555-0100', address: { ...form({}).address, street: '1 Main St', city: 'Peoria', state: 'IL' } }), null)).toThrow(
      /Enter the full address of record/,
    );
    const full = form({ phone: '555-0100', address: { ...form({}).address, street: '1 Main St', city: 'Peoria', state: 'IL', postalCode: '61602' } });
    const created = service.create(actor, cmd(), full, null);
    expect(() => service.update(actor, cmd(), created.id, { ...full, phone: '  ' }, null)).toThrow(/Enter a phone number: this store requires it/);
  });
});

describe('documents', () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('fake image body')]);

  it('round-trip: uploaded in parts, stored by sha256 in the data folder, read back, and never lost by an edit', () => {
    const customer = service.search('name', 'delgado', 1).results[0]!;
    const uploadId = newId();
    service.documents.receivePart(uploadId, 0, png.subarray(0, 10).toString('base64'));
    service.documents.receivePart(uploadId, 1, png.subarray(10).toString('base64'));
    const doc = service.addDocument(actor, cmd(), { customerId: customer.id, kind: 'doctors_permit', mime: 'image/png', source: { from: 'upload', uploadId }, useAsPhoto: false });
    expect(doc.title).toMatch(/^Doctors Permit 2026-11-22 12:00$/);
    expect(readdirSync(join(work.dir, 'customer-documents'))).toEqual([doc.sha256]);
    expect(readFileSync(join(work.dir, 'customer-documents', doc.sha256))).toEqual(png);
    expect(Buffer.from(service.readDocument(doc.id).dataBase64, 'base64')).toEqual(png);
    const before = service.get(customer.id);
    service.update(actor, cmd(), customer.id, { ...before.form, notes: 'edited', medicalIdExpires: '2031-09-30' }, null);
    const after = service.get(customer.id);
    expect(after.documents.map((d) => d.id)).toEqual([doc.id]);
    expect(after.progress.mdRec).toBe(true);
    expect(existsSync(join(work.dir, 'customer-uploads', `${uploadId}.part`))).toBe(false);
  });

  it('a document added before the first save waits on the draft (through later draft saves) and becomes the new profile\'s', () => {
    const draft = service.saveDraft(actor, cmd(), { draftId: null, customerId: null, title: 'Dora Draft', form: { firstName: 'Dora' } });
    const uploadId = newId();
    service.documents.receivePart(uploadId, 0, png.toString('base64'));
    const doc = service.addDocument(actor, cmd(), { draftId: draft.id, kind: 'profile_photo', mime: 'image/png', source: { from: 'upload', uploadId }, useAsPhoto: true });
    expect(service.draftDocuments(draft.id).map((d) => d.id)).toEqual([doc.id]);
    expect(Buffer.from(service.readDocument(doc.id, draft.id).dataBase64, 'base64')).toEqual(png);
    // The screen keeps saving the draft with its own form: the document stays, and the form never carries it.
    service.saveDraft(actor, cmd(), { draftId: draft.id, customerId: null, title: 'Dora Draft', form: { firstName: 'Dora', lastName: 'Draft', pendingDocuments: [] } });
    expect(service.draftDocuments(draft.id).map((d) => d.id)).toEqual([doc.id]);
    expect(service.getDraft(draft.id).form).not.toHaveProperty('pendingDocuments');

    const created = service.create(actor, cmd(), form({ firstName: 'Dora', lastName: 'Draft' }), draft.id);
    expect(created.documents.map((d) => d.id)).toEqual([doc.id]);
    expect(created.progress.photo).toBe(true);
    expect(() => service.draftDocuments(draft.id)).not.toThrow();
    expect(service.draftDocuments(draft.id)).toEqual([]);
  });

  it('refuses a file whose content is not the type it claims, and a device file outside the data folder', () => {
    const customer = service.search('name', 'delgado', 1).results[0]!;
    const uploadId = newId();
    service.documents.receivePart(uploadId, 0, Buffer.from('not an image').toString('base64'));
    expect(() => service.addDocument(actor, cmd(), { customerId: customer.id, kind: 'other', mime: 'image/png', source: { from: 'upload', uploadId }, useAsPhoto: false })).toThrow(/not a image\/png/);
    expect(() => service.addDocument(actor, cmd(), { customerId: customer.id, kind: 'other', mime: 'image/png', source: { from: 'device', file: '../../etc/passwd', sha256: '0'.repeat(64) }, useAsPhoto: false })).toThrow(/not in the register's data folder/);
  });
});

describe('edits and history', () => {
  it('an event moved to the audit archive still shows in the customer\'s history and the recent customers', () => {
    const customer = service.search('name', 'hart', 1).results[0]!;
    const before = service.get(customer.id);
    service.update(actor, cmd(), customer.id, { ...before.form, nickname: 'Liv' }, null);
    appendAudit(store.sqlite, { employeeId: actor.id, action: 'staff.logout' }, NOW); // the chain tip stays hot
    expect(archiveAuditEvents(store.sqlite, { before: NOW + 1, limit: 1_000_000 })).toBeGreaterThan(0);
    expect(store.sqlite.prepare('SELECT COUNT(*) AS n FROM audit_events WHERE customer_id = ?').get(customer.id)).toEqual({ n: 0 });
    expect(service.history(customer.id, 10)[0]).toMatchObject({ action: 'customers.update', summary: 'Profile edited', employeeName: 'Bea Budtender' });
    expect(service.recent(50).find((row) => row.id === customer.id)).toMatchObject({ lastActivity: 'Profile edited' });
    expect(verifyAuditChain(store.sqlite).ok).toBe(true);
  });

  it('records each changed field, old → new, with the employee; the number itself stays out where it may not be kept', () => {
    const customer = service.search('name', 'hart', 1).results[0]!;
    const before = service.get(customer.id);
    service.update(actor, cmd(), customer.id, { ...before.form, nickname: 'Liv', phone: '+1 217 555 0199', licenceNumber: 'H1234' }, null);
    const history = service.history(customer.id, 10);
    expect(history[0]).toMatchObject({ action: 'customers.update', summary: 'Profile edited', employeeName: 'Bea Budtender' });
    expect(history[0]!.changes).toEqual(
      expect.arrayContaining([
        { field: 'Nickname', from: null, to: 'Liv' },
        { field: 'Phone', from: '+1 217 555 0142', to: '+1 217 555 0199' },
        { field: 'Licence number', from: null, to: '(new fingerprint)' },
      ]),
    );
    expect(JSON.stringify(history)).not.toContain('H1234');
    expect(service.get(customer.id).displayName).toBe('Olivia "Liv" Hart');
  });

  it('applies a repeated commandId once', () => {
    const id = cmd();
    const first = service.create(actor, id, form({ firstName: 'Once' }), null);
    const second = service.create(actor, id, form({ firstName: 'Once' }), null);
    expect(second.id).toBe(first.id);
    expect(service.search('name', 'once', 5).results).toHaveLength(1);
  });
});

it('the migration keeps the demo seed working: every seeded customer gets its search columns', () => {
  const sqlite = new Database(join(work.dir, 'register.sqlite'), { readonly: true });
  const rows = sqlite.prepare('SELECT search_last FROM customers WHERE search_last IS NULL').all();
  sqlite.close();
  expect(rows).toEqual([]);
});
