/**
 * Compliance checks at the counter, in the customers core on a real SQLite file (Illinois demo
 * store): a returning customer's licence rescanned updates the profile (audited old → new), a
 * signup that duplicates a profile is refused or needs a reason, and a draft that was saved or
 * discarded is never brought back by a late write.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDemoStore } from '../../../main/demo/seed.js';
import { CustomerService, emptyForm } from '../../../main/customers/service.js';
import { CoreError } from '../../../main/core/errors.js';
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
  work = tempDir('register-counter-checks-');
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

function useJurisdiction(code: string): void {
  store.sqlite.prepare("UPDATE settings SET value = ? WHERE key = 'store.jurisdiction'").run(JSON.stringify(code));
}

function form(overrides: Partial<CustomerForm>): CustomerForm {
  return { ...emptyForm({ adultUseAvailable: true }), firstName: 'Ann', lastName: 'Example', dateOfBirth: '1980-05-05', ...overrides };
}

function refusal(run: () => unknown): CoreError {
  try {
    run();
  } catch (error) {
    if (error instanceof CoreError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

function auditOf(action: string): Array<{ customer_id: string | null; details: Record<string, unknown> }> {
  return (store.sqlite.prepare('SELECT customer_id, details FROM audit_events WHERE action = ? ORDER BY seq').all(action) as Array<{ customer_id: string | null; details: string }>).map(
    (row) => ({ customer_id: row.customer_id, details: JSON.parse(row.details) as Record<string, unknown> }),
  );
}

describe('a returning customer rescanned at intake', () => {
  it('takes the ID expiration, the licence and the address from the scan, audited field: old → new', () => {
    // Signed up from last year's licence: the old expiry, the old address.
    const lookup = service.lookupByLicence(modernPayload({ DBA: '01052026', DAG: '12 OLD ROAD', DAI: 'NORFOLK', DAK: '235100000  ' }));
    if (lookup.kind !== 'licence') throw new Error(lookup.message);
    const created = service.create(actor, cmd(), lookup.prefill, null);
    expect(created.form.identificationExpires).toBe('2026-01-05');

    const renewed = modernPayload();
    const again = service.lookupByLicence(renewed);
    if (again.kind !== 'licence') throw new Error(again.message);
    expect(again.matches.map((m) => m.id)).toEqual([created.id]);

    const { detail, changes } = service.updateFromScan(actor, cmd(), created.id, renewed);
    expect(changes).toEqual([
      { field: 'ID expiration', from: '01/05/2026', to: '12/10/2030' },
      { field: 'Address of record', from: '12 Old Road, Norfolk, VA, 23510', to: '2300 West Broad Street, Richmond, VA, 23269' },
    ]);
    expect(detail.form.identificationExpires).toBe('2030-12-10');
    expect(detail.form.address).toMatchObject({ street: '2300 West Broad Street', city: 'Richmond', state: 'VA', postalCode: '23269' });
    // Everything staff chose stays as it was.
    expect(detail.form.firstName).toBe('Michael');
    expect(detail.alerts.join(' ')).not.toMatch(/expired/);

    const audit = auditOf('customers.updateFromScan');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.customer_id).toBe(created.id);
    expect(audit[0]!.details.changes).toEqual(changes);
    const history = service.history(created.id, 10);
    expect(history[0]).toMatchObject({ summary: 'Updated from a licence scan', changes });
  });

  it('changes nothing, and audits nothing, when the profile already says what the card says', () => {
    const lookup = service.lookupByLicence(modernPayload());
    if (lookup.kind !== 'licence') throw new Error(lookup.message);
    const created = service.create(actor, cmd(), lookup.prefill, null);
    const { changes } = service.updateFromScan(actor, cmd(), created.id, modernPayload());
    expect(changes).toEqual([]);
    expect(auditOf('customers.updateFromScan')).toEqual([]);
  });

  it("refuses another person's licence, and a misread scan, leaving the profile as it was", () => {
    const ann = service.create(actor, cmd(), form({ identificationExpires: '2027-01-01' }), null);
    const wrong = refusal(() => service.updateFromScan(actor, cmd(), ann.id, modernPayload()));
    expect(wrong.code).toBe('conflict');
    expect(wrong.message).toBe("This licence is not Ann Example's: its number, name and birth date differ from the profile. Scan Ann's own licence, or open the profile that matches it.");
    const misread = refusal(() => service.updateFromScan(actor, cmd(), ann.id, modernPayload({ DAC: 'JOHNDBD081884194' })));
    expect(misread.code).toBe('invalid_message');
    expect(service.get(ann.id).form.identificationExpires).toBe('2027-01-01');
  });

  it('matches by name and birth date when the renewed licence has a new number', () => {
    const lookup = service.lookupByLicence(modernPayload({ DAQ: 'OLD000001', DBA: '01052020' }));
    if (lookup.kind !== 'licence') throw new Error(lookup.message);
    const created = service.create(actor, cmd(), lookup.prefill, null);
    const { changes } = service.updateFromScan(actor, cmd(), created.id, modernPayload());
    // Illinois keeps only the number's fingerprint: the history says it changed, never the number.
    expect(changes).toContainEqual({ field: 'Licence number', from: '(fingerprint)', to: '(new fingerprint)' });
    expect(changes).toContainEqual({ field: 'ID expiration', from: '01/05/2020', to: '12/10/2030' });
    expect(JSON.stringify(auditOf('customers.updateFromScan'))).not.toContain('T64235789');
    const next = service.lookupByLicence(modernPayload());
    if (next.kind !== 'licence') throw new Error(next.message);
    expect(next.matchedBy).toBe('licence_number');
  });
});

describe('what a scan says about age and expiry, from the jurisdiction file', () => {
  /** mmddyyyy of a birth `years` years and 30 days before the test clock's date (2026-11-22). */
  const born = (years: number) => `1023${2026 - years}`;
  const said = (raw: string) => {
    const result = service.lookupByLicence(raw);
    if (result.kind !== 'licence') throw new Error(result.message);
    return result.checks;
  };

  it('Illinois: under 21 is medical only; under 18 buys only through a caregiver; an expired card names its date and what to do', () => {
    expect(said(modernPayload({ DBB: born(19) }))).toEqual([
      { code: 'under_adult_use_age', message: 'This customer is 19 — adult-use sales need 21 or older. Serve them only as a medical patient, with a valid medical card.' },
    ]);
    expect(said(modernPayload({ DBB: born(16) }))).toEqual([
      { code: 'under_age', message: 'This customer is 16 — adult-use sales need 21 or older. A patient under 18 buys only through their caregiver.' },
    ]);
    expect(said(modernPayload({ DBA: '11012026' }))).toEqual([
      { code: 'expired', message: 'This licence expired on 11/01/2026: ask for a valid ID (a renewed licence or a state ID) before checking them in or selling.' },
    ]);
    expect(said(modernPayload({ DBB: born(21) }))).toEqual([]);
  });

  it("Oklahoma (medical only): the store's medical minimum, and who a minor buys through", () => {
    useJurisdiction('OK');
    expect(said(modernPayload({ DBB: born(16) }))).toEqual([
      { code: 'under_age', message: 'This customer is 16 — a patient under 18 buys only through a parent, guardian or caregiver.' },
    ]);
    expect(said(modernPayload({ DBB: born(19) }))).toEqual([]);
  });
});

describe('a new profile that duplicates another', () => {
  it('never saves the same medical ID twice (case, spaces and dashes ignored)', () => {
    const first = service.create(actor, cmd(), form({ adultUse: false, stateMedicalId: true, medicalId: 'MED-123 45', medicalIdExpires: '2030-01-01' }), null);
    const again = refusal(() =>
      service.create(
        actor,
        cmd(),
        form({ firstName: 'Bob', lastName: 'Other', adultUse: false, stateMedicalId: true, medicalId: 'med12345', medicalIdExpires: '2030-01-01' }),
        null,
        'A different person, honestly',
      ),
    );
    expect(again.code).toBe('conflict');
    expect(again.message).toBe(
      "Medical ID med12345 is already on Ann Example's profile (born 05/05/1980): open that profile instead of making another, or check the number on the card.",
    );
    expect(again.detail).toEqual({ duplicate: { kind: 'medical_id', customers: [{ id: first.id, displayName: 'Ann Example', dateOfBirth: '1980-05-05', medicalId: 'MED-123 45' }] } });
    expect(store.sqlite.prepare('SELECT COUNT(*) AS n FROM customers WHERE search_medical_id = ?').get('MED12345')).toEqual({ n: 1 });

    // Nor by editing another profile to that number; an edit that keeps its own number is fine.
    const bob = service.create(actor, cmd(), form({ firstName: 'Bob', lastName: 'Other' }), null);
    expect(refusal(() => service.update(actor, cmd(), bob.id, { ...bob.form, adultUse: false, stateMedicalId: true, medicalId: 'MED12345', medicalIdExpires: '2030-01-01' }, null)).code).toBe('conflict');
    expect(service.update(actor, cmd(), first.id, { ...first.form, nickname: 'Annie' }, null).form.nickname).toBe('Annie');
  });

  it('stops at the same names and birth date, whatever the case and spacing, until staff say why it is someone else', () => {
    const first = service.create(actor, cmd(), form({ firstName: 'Mary Ann', lastName: 'Smith' }), null);
    const twin = form({ firstName: '  maryann ', lastName: 'SMITH', phone: '312-555-0199' });
    const stopped = refusal(() => service.create(actor, cmd(), twin, null));
    expect(stopped.code).toBe('conflict');
    expect(stopped.message).toBe('Mary Ann Smith, born 05/05/1980, already has a profile: open it, or choose Create anyway and say why this is a different person.');
    expect(stopped.detail).toMatchObject({ duplicate: { kind: 'name_and_birth_date', customers: [{ id: first.id }] } });
    expect(service.duplicates(null, twin)).toMatchObject({ sameMedicalId: [], sameNameAndBirth: [{ id: first.id }] });

    const second = service.create(actor, cmd(), twin, null, 'Cousins with the same name; different licence');
    expect(second.id).not.toBe(first.id);
    const created = auditOf('customers.create').find((entry) => entry.customer_id === second.id);
    expect(created?.details).toMatchObject({ sameNameAndBirthAs: [first.id], duplicateReason: 'Cousins with the same name; different licence' });
    // A different birth date is a different person: no question asked.
    expect(service.create(actor, cmd(), form({ firstName: 'Mary Ann', lastName: 'Smith', dateOfBirth: '1981-05-05' }), null).id).toBeTruthy();
  });
});

describe('drafts and saving', () => {
  it('a late draft write for a draft already saved to its profile is refused, so no stray draft comes back', () => {
    const draft = service.saveDraft(actor, cmd(), { draftId: null, customerId: null, title: 'Dee Late', form: { firstName: 'Dee' } });
    service.create(actor, cmd(), form({ firstName: 'Dee', lastName: 'Late' }), draft.id);
    expect(service.drafts()).toEqual([]);
    const late = refusal(() => service.saveDraft(actor, cmd(), { draftId: draft.id, customerId: null, title: 'Dee Late', form: { firstName: 'Dee', lastName: 'Late' } }));
    expect(late.code).toBe('not_found');
    expect(service.drafts()).toEqual([]);
  });

  it('and the same after a discard', () => {
    const draft = service.saveDraft(actor, cmd(), { draftId: null, customerId: null, title: 'Dan Gone', form: { firstName: 'Dan' } });
    service.discardDraft(actor, cmd(), draft.id);
    expect(refusal(() => service.saveDraft(actor, cmd(), { draftId: draft.id, customerId: null, title: 'Dan Gone', form: { firstName: 'Dan' } })).code).toBe('not_found');
    expect(service.drafts()).toEqual([]);
  });
});
