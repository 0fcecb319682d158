/**
 * Imports (issue 18):
 *   imports.customers_10k_ms   10,000 customers from another POS's CSV: the file read and checked
 *                              row by row (dates, the form's rules, duplicates in the file and
 *                              against the store) and written in one transaction, as a person
 *                              confirming the import waits for it (CustomerService.commitImport).
 * Printed beside its reference: the same 10,000 customer and profile rows inserted bare (prepared
 * statements, one transaction, no checks) into another fresh database.
 *
 * Each run builds its own databases in a new temporary folder (removed after), so two runs never
 * share a file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CustomerService } from '../../main/customers/service.js';
import { licenceFingerprint } from '../../main/customers/normalise.js';
import { openStore, type Store } from '../../main/store/db.js';
import { newId } from '../../main/store/ids.js';
import { CUSTOMER_IMPORT_FIELDS } from '../../preload/contract/imports.js';
import { migrationsFolder, resourcesDir } from '../support/paths.js';
import type { BenchLine, BenchSuite } from './harness.js';

const ROWS = 10_000;
const SECRET = 'c'.repeat(64);
const NOW = Date.UTC(2026, 10, 22);
const FIRST = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth'];

function letters(n: number): string {
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  } while (n > 0);
  return out;
}

function person(i: number) {
  const medical = i % 3 === 1;
  return {
    first: FIRST[i % FIRST.length]!,
    last: `Import${letters(i)}`,
    dob: `${1940 + (i % 60)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    type: medical ? 'medical' : 'adult_use',
    licence: `L${String(i).padStart(8, '0')}`,
    medicalId: medical ? `MP${String(i).padStart(8, '0')}` : '',
    medicalExpires: medical ? '2030-01-31' : '',
    phone: `312-555-${String(i % 10_000).padStart(4, '0')}`,
    email: `p${i}@example.com`,
  };
}

function csv(): Buffer {
  const header = 'first_name,last_name,date_of_birth,customer_type,licence_number,medical_id,medical_id_expires,phone,email,street,city,state,postal_code';
  const lines = [header];
  for (let i = 0; i < ROWS; i++) {
    const p = person(i);
    lines.push([p.first, p.last, p.dob, p.type, p.licence, p.medicalId, p.medicalExpires, p.phone, p.email, `${i} Main St`, 'Springfield', 'IL', '62701'].join(','));
  }
  return Buffer.from(lines.join('\n'), 'utf8');
}

function freshStore(dir: string, name: string): Store {
  const store = openStore({ file: join(dir, `${name}.sqlite`), migrationsFolder });
  store.sqlite
    .prepare("INSERT INTO settings (key, value, updated_at) VALUES ('store.jurisdiction', '\"IL\"', 0), ('store.timeZone', '\"America/Chicago\"', 0), ('customers.licenceFingerprintSecret', ?, 0)")
    .run(JSON.stringify(SECRET));
  return store;
}

function reference(store: Store): void {
  const customer = store.sqlite.prepare(
    `INSERT INTO customers (id, customer_type, first_name, last_name, date_of_birth, medical_id, medical_id_expires, phone, email, licence_key,
       adult_use, state_medical_id, caregiver_licence, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
  );
  const profile = store.sqlite.prepare(
    'INSERT INTO customer_profiles (customer_id, address_street, address_city, address_state, address_postal_code, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  store.sqlite.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const p = person(i);
      const id = newId(NOW);
      const medical = p.type === 'medical';
      customer.run(id, p.type, p.first, p.last, p.dob, p.medicalId || null, p.medicalExpires || null, p.phone, p.email, licenceFingerprint(SECRET, p.licence), medical ? 0 : 1, medical ? 1 : 0, NOW, NOW);
      profile.run(id, `${i} Main St`, 'Springfield', 'IL', '62701', NOW);
    }
  }).immediate();
}

async function run(): Promise<BenchLine[]> {
  const dir = mkdtempSync(join(tmpdir(), 'register-bench-imports-'));
  try {
    const bytes = csv();
    // Reference first, then the import, then each again: the better of two rounds of each.
    const importTimes: number[] = [];
    const referenceTimes: number[] = [];
    for (let round = 0; round < 2; round++) {
      const bare = freshStore(dir, `reference-${round}`);
      let t = performance.now();
      reference(bare);
      referenceTimes.push(performance.now() - t);
      bare.close();

      const store = freshStore(dir, `import-${round}`);
      const service = new CustomerService({ sqlite: () => store.sqlite, clock: () => NOW, resourcesDir, dataDir: dir });
      const mapping = Object.fromEntries(CUSTOMER_IMPORT_FIELDS.map((field) => [field, null])) as Record<(typeof CUSTOMER_IMPORT_FIELDS)[number], string | null>;
      for (const field of ['first_name', 'last_name', 'date_of_birth', 'customer_type', 'licence_number', 'medical_id', 'medical_id_expires', 'phone', 'email', 'street', 'city', 'state', 'postal_code'] as const) {
        mapping[field] = field;
      }
      t = performance.now();
      const result = service.commitImport({ id: 'bench' }, newId(NOW), bytes, mapping);
      importTimes.push(performance.now() - t);
      if (result.imported !== ROWS) throw new Error(`imported ${result.imported} of ${ROWS}`);
      store.close();
    }
    const best = Math.min(...importTimes);
    const ref = Math.min(...referenceTimes);
    return [
      {
        name: 'imports.customers_10k_ms',
        value: Math.round(best),
        target: '< 10000',
        note: `reference, the same ${ROWS} customer and profile rows inserted bare in one transaction: ${Math.round(ref)} ms; ratio ${(best / ref).toFixed(1)}`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const suites: BenchSuite[] = [{ prefix: 'imports', run }];
