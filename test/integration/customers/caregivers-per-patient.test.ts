/**
 * A patient's caregivers against a real SQLite file with the demo store (Illinois): up to 3 per
 * patient (2 under 18), as the jurisdiction file says; a 4th is refused in words; Oklahoma and
 * California follow their own files. Every caregiver named can buy for the patient at the register,
 * and drizzle/0024 carries a store's existing caregiver links over.
 */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDemoStore } from '../../../main/demo/seed.js';
import { CheckoutService } from '../../../main/checkout/service.js';
import { toEmployee } from '../../../main/staff/service.js';
import { CustomerService, emptyForm } from '../../../main/customers/service.js';
import { applyPragmas } from '../../../main/store/db.js';
import { openStore, type Store } from '../../../main/store/db.js';
import { newId } from '../../../main/store/ids.js';
import type { CustomerForm } from '../../../preload/contract/customers.js';
import { migrationsFolder, resourcesDir, tempDir } from '../../support/paths.js';

const NOW = Date.UTC(2026, 10, 22, 18, 0, 0);
let work: { dir: string; cleanup: () => void };
let store: Store;
let service: CustomerService;
let actor: { id: string };

beforeEach(async () => {
  work = tempDir('register-caregivers-');
  store = openStore({ file: join(work.dir, 'register.sqlite'), migrationsFolder });
  await seedDemoStore(store.sqlite, resourcesDir, async (pin) => `scrypt$1$1$1$AA$${pin}`, NOW);
  service = new CustomerService({ sqlite: () => store.sqlite, clock: () => NOW, resourcesDir, dataDir: work.dir });
  actor = store.sqlite.prepare("SELECT id FROM employees WHERE role = 'budtender'").get() as { id: string };
});
afterEach(() => {
  store.close();
  work.cleanup();
});

const cmd = () => newId();

function form(overrides: Partial<CustomerForm>): CustomerForm {
  return { ...emptyForm({ adultUseAvailable: true }), firstName: 'Ann', lastName: 'Example', dateOfBirth: '1980-05-05', ...overrides };
}

function useJurisdiction(code: string): void {
  store.sqlite.prepare("UPDATE settings SET value = ? WHERE key = 'store.jurisdiction'").run(JSON.stringify(code));
}

/** Four caregivers: the demo's Henry and Grace, and two more signed up here. */
function fourCaregivers(): string[] {
  const made = ['Ivy', 'Jack'].map(
    (first, index) =>
      service.create(actor, cmd(), form({ firstName: first, lastName: 'Carer', adultUse: false, caregiverLicence: true, caregiverId: `CG${index}X7Y8Z9`, caregiverIdExpires: '2030-01-01', identificationExpires: '2030-01-01' }), null).id,
  );
  return [...service.caregivers('').filter((c) => !made.includes(c.id)).map((c) => c.id), ...made];
}

function patient(overrides: Partial<CustomerForm>): CustomerForm {
  return form({ adultUse: false, stateMedicalId: true, medicalId: 'MPAB12CD34', medicalIdExpires: '2030-01-01', identificationExpires: '2030-01-01', ...overrides });
}

describe('caregivers per patient', () => {
  it('Illinois: a patient keeps 3 caregivers; a 4th is refused in words and nothing changes', () => {
    const [a, b, c, d] = fourCaregivers();
    expect(service.config().maxCaregiversPerPatient).toBe(3);
    const saved = service.create(actor, cmd(), patient({ caregiverCustomerId: a!, otherCaregiverIds: [b!, c!] }), null);
    expect(saved.form.caregiverCustomerId).toBe(a);
    expect(saved.form.otherCaregiverIds).toEqual([b, c]);
    expect(saved.otherCaregivers.map((x) => x.id)).toEqual([b, c]);
    expect(store.sqlite.prepare('SELECT COUNT(*) AS n FROM customer_caregivers WHERE patient_id = ?').get(saved.id)).toEqual({ n: 3 });

    expect(() => service.update(actor, cmd(), saved.id, { ...saved.form, otherCaregiverIds: [b!, c!, d!] }, null)).toThrow(
      'Illinois allows at most 3 caregivers per patient: remove one before adding another.',
    );
    expect(service.get(saved.id).form.otherCaregiverIds).toEqual([b, c]);

    // One removed, another added: still 3, the first stays first.
    const swapped = service.update(actor, cmd(), saved.id, { ...saved.form, otherCaregiverIds: [c!, d!] }, null);
    expect(swapped.form.caregiverCustomerId).toBe(a);
    expect(swapped.form.otherCaregiverIds.sort()).toEqual([c!, d!].sort());
    const rows = store.sqlite.prepare('SELECT caregiver_id AS id FROM customer_caregivers WHERE patient_id = ? ORDER BY caregiver_id').all(swapped.id);
    expect(rows).toEqual([a, c, d].sort().map((id) => ({ id })));
  });

  it('a caregiver named twice counts once; a patient under 18 may have 2 in Illinois', () => {
    const [a, b, c] = fourCaregivers();
    const twice = service.create(actor, cmd(), patient({ caregiverCustomerId: a!, otherCaregiverIds: [a!, b!] }), null);
    expect([twice.form.caregiverCustomerId, ...twice.form.otherCaregiverIds]).toEqual([a, b]);
    expect(() => service.create(actor, cmd(), patient({ firstName: 'Minnie', dateOfBirth: '2015-01-01', medicalId: 'MPZZ12CD34', caregiverCustomerId: a!, otherCaregiverIds: [b!, c!] }), null)).toThrow(
      'Illinois allows at most 2 caregivers per patient under 18: remove one before adding another.',
    );
  });

  it('Oklahoma allows one caregiver per adult patient; California names no cap', () => {
    const [a, b, c, d] = fourCaregivers();
    useJurisdiction('OK');
    expect(() => service.create(actor, cmd(), patient({ caregiverCustomerId: a!, otherCaregiverIds: [b!] }), null)).toThrow(/Oklahoma allows at most 1 caregiver per patient/);
    useJurisdiction('CA');
    expect(service.config().maxCaregiversPerPatient).toBeNull();
    const many = service.create(actor, cmd(), patient({ medicalId: '123456789', caregiverCustomerId: a!, otherCaregiverIds: [b!, c!, d!] }), null);
    expect(many.form.otherCaregiverIds).toHaveLength(3);
  });

  it("a caregiver-patient record: a 4th caregiver keeping the same patient's card is refused", () => {
    const caregivers = fourCaregivers();
    useJurisdiction('OK'); // Oklahoma lets a caregiver keep several records; its cap per patient is 1
    const [a, b] = caregivers;
    service.addPatient(actor, cmd(), a!, { firstName: 'Pat', lastName: 'One', medicalLicence: 'PAAA-1111-2222', licenceExpires: '2030-01-01', dateOfBirth: '1990-01-01' });
    expect(() => service.addPatient(actor, cmd(), b!, { firstName: 'Pat', lastName: 'One', medicalLicence: 'paaa 1111 2222', licenceExpires: '2030-01-01', dateOfBirth: '1990-01-01' })).toThrow(
      'The patient with medical card paaa 1111 2222 already has 1 caregiver: Oklahoma allows at most 1 per patient.',
    );
  });

  it('every caregiver named on the patient can buy for them at the register', () => {
    const [a, b, c] = fourCaregivers();
    const saved = service.create(actor, cmd(), patient({ caregiverCustomerId: a!, otherCaregiverIds: [b!, c!] }), null);
    const checkout = new CheckoutService({
      sqlite: () => store.sqlite,
      clock: () => NOW,
      resourcesDir,
      allotments: null,
      trace: null,
      queue: null,
      consumeGrant: () => {
        throw new Error('no grants here');
      },
    });
    const employee = toEmployee(store.sqlite.prepare(`SELECT id, name, role, active FROM employees WHERE role = 'budtender'`).get() as { id: string; name: string; role: 'budtender'; active: number });
    for (const caregiverId of [a!, b!, c!]) {
      const ticket = checkout.openTicket(employee, { saleCommandId: newId(), customerId: caregiverId });
      expect(ticket.patients.map((p) => p.id)).toContain(saved.id);
      checkout.discard(ticket.id);
    }
  });
});

describe('drizzle/0024_caregivers_per_patient', () => {
  it("carries each patient's caregiver over from the profile to the caregivers list", () => {
    const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
    const at = journal.entries.findIndex((entry) => entry.tag.endsWith('_caregivers_per_patient'));
    expect(at).toBeGreaterThan(0);
    const openAt = (file: string, count: number) => {
      const folder = join(work.dir, `upto-${count}`);
      cpSync(migrationsFolder, folder, { recursive: true });
      writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }));
      const sqlite = new Database(file);
      applyPragmas(sqlite);
      migrate(drizzle(sqlite), { migrationsFolder: folder });
      return sqlite;
    };
    const file = join(work.dir, 'old.sqlite');
    const before = openAt(file, at);
    before.exec(`INSERT INTO customers (id, customer_type, first_name, last_name, date_of_birth, created_at, updated_at) VALUES
                   ('CG1', 'caregiver', 'Cara', 'Giver', '1970-01-01', 1, 1), ('P1', 'medical', 'Pat', 'Ient', '1980-01-01', 1, 1), ('P2', 'medical', 'No', 'Carer', '1980-01-01', 1, 1);
                 INSERT INTO customer_profiles (customer_id, caregiver_customer_id, updated_at) VALUES ('P1', 'CG1', 5), ('P2', NULL, 5);
                 INSERT INTO queue_entries (id, customer_id, checked_in_as, position, checked_in_at, allotment_source) VALUES ('Q1', 'CG1', 'caregiver', 1, 1, 'not_required');`);
    before.close();
    const after = openAt(file, at + 1);
    expect(after.prepare('SELECT patient_id, caregiver_id, added_at FROM customer_caregivers').all()).toEqual([{ patient_id: 'P1', caregiver_id: 'CG1', added_at: 5 }]);
    expect(after.prepare('SELECT caregiver_patient_id FROM queue_entries').get()).toEqual({ caregiver_patient_id: null });
    expect(after.pragma('foreign_key_check')).toEqual([]);
    after.close();
  });
});
