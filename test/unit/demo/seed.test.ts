import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../main/audit/log.js';
import { rateOn, type EffectiveRate } from '../../../main/compliance/rules.js';
import { DEMO_PINS, seedDemoStore } from '../../../main/demo/seed.js';
import { hashPin, verifyPin } from '../../../main/staff/pins.js';
import { openStore, type Store } from '../../../main/store/db.js';
import { migrationsFolder, resourcesDir, tempDir } from '../../support/paths.js';

const NOW = 1_800_000_000_000;

interface ProductRow {
  id: string;
  trace_barcode: string;
  category: string;
  thc_unit: string;
  unit_weight_mg: number;
  usable_weight_mg: number;
  price_cents: number;
  sold_medical: number;
  sold_adult_use: number;
  on_hand: number | null;
}

describe('the demo store', () => {
  let store: Store;
  let cleanup: () => void;

  beforeAll(async () => {
    const temp = tempDir('seed-test-');
    cleanup = temp.cleanup;
    store = openStore({ file: join(temp.dir, 'demo.sqlite'), migrationsFolder });
    await seedDemoStore(store.sqlite, resourcesDir, hashPin, NOW);
  });
  afterAll(() => {
    store.close();
    cleanup();
  });

  const all = <T>(sql: string, ...params: unknown[]): T[] => store.sqlite.prepare(sql).all(...params) as T[];

  it('is an Illinois store in Chicago time, settings JSON-encoded', () => {
    const settings = new Map(all<{ key: string; value: string }>('SELECT key, value FROM settings').map((r) => [r.key, JSON.parse(r.value) as unknown]));
    expect(settings.get('store.name')).toBe('Prairie Leaf Dispensary');
    expect(settings.get('store.jurisdiction')).toBe('IL');
    expect(settings.get('store.timeZone')).toBe('America/Chicago');
    // The local rates Illinois leaves to the store are set to the demo values from IL.json.
    const municipal = settings.get('tax.rates.il_municipal_cannabis_rot') as EffectiveRate[];
    expect(rateOn(municipal, '2026-12-01')?.ratePpm).toBe(30_000);
    expect(rateOn(settings.get('tax.rates.il_medical_transit_rot') as EffectiveRate[], '2026-12-01')?.ratePpm).toBe(0);
  });

  it('has a budtender, a manager and an admin whose PINs are stored only as scrypt hashes', async () => {
    const employees = all<{ name: string; role: keyof typeof DEMO_PINS; pin_hash: string; active: number }>(
      'SELECT name, role, pin_hash, active FROM employees ORDER BY name',
    );
    expect(employees.map((e) => [e.name, e.role])).toEqual([
      ['Ada Admin', 'admin'],
      ['Bea Budtender', 'budtender'],
      ['Max Manager', 'manager'],
    ]);
    for (const employee of employees) {
      const pin = DEMO_PINS[employee.role];
      expect(employee.active).toBe(1);
      expect(employee.pin_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      expect(employee.pin_hash.split('$').slice(0, 4).join('$')).not.toContain(pin);
      expect(await verifyPin(pin, employee.pin_hash)).toBe(true);
      expect(await verifyPin('0000', employee.pin_hash)).toBe(false);
    }
    expect(DEMO_PINS).toEqual({ budtender: '1111', manager: '2222', admin: '3333' });
    // No PIN in clear anywhere a value is stored as text.
    const texts = [
      ...all<{ value: string }>('SELECT value FROM settings').map((r) => r.value),
      ...all<{ details: string }>('SELECT details FROM audit_events').map((r) => r.details),
    ];
    for (const pin of Object.values(DEMO_PINS)) expect(texts.filter((text) => text.includes(pin))).toEqual([]);
  });

  it('has about 30 products with unique 16-digit barcodes and sound figures', () => {
    const products = all<ProductRow>(
      `SELECT p.*, (SELECT SUM(quantity_delta) FROM inventory_movements m WHERE m.product_id = p.id) AS on_hand FROM products p`,
    );
    expect(products.length).toBeGreaterThanOrEqual(25);
    expect(products.length).toBeLessThanOrEqual(40);
    for (const product of products) {
      expect(product.trace_barcode).toMatch(/^\d{16}$/);
      expect(product.price_cents).toBeGreaterThan(0);
      expect(product.usable_weight_mg).toBeLessThanOrEqual(product.unit_weight_mg);
      expect(product.sold_medical + product.sold_adult_use).toBeGreaterThan(0);
      expect(product.on_hand).toBeGreaterThan(0);
    }
    expect(new Set(products.map((p) => p.trace_barcode)).size).toBe(products.length);
    const categories = new Set(products.map((p) => p.category));
    for (const category of ['flower', 'pre_roll', 'concentrate', 'vape', 'edible', 'tincture', 'topical']) {
      expect(categories).toContain(category);
    }
    expect(products.filter((p) => p.thc_unit === 'pct_x100').every((p) => ['flower', 'pre_roll', 'concentrate', 'vape'].includes(p.category))).toBe(true);
    expect(products.some((p) => p.sold_medical === 1 && p.sold_adult_use === 0)).toBe(true);
  });

  it('received each product once, by the admin, as the ledger\'s first movement', () => {
    const movements = all<{ reason: string; role: string | null; at: number }>(
      'SELECT m.reason, e.role, m.at FROM inventory_movements m LEFT JOIN employees e ON e.id = m.employee_id',
    );
    const productCount = all<{ n: number }>('SELECT COUNT(*) AS n FROM products')[0]?.n;
    expect(movements).toHaveLength(productCount ?? -1);
    expect(movements.every((m) => m.reason === 'receive' && m.role === 'admin' && m.at === NOW)).toBe(true);
  });

  it('has customers of each Illinois type, with valid documents, plus refusals to test', () => {
    const customers = all<{
      customer_type: string;
      first_name: string;
      date_of_birth: string;
      identification_expires: string | null;
      medical_id: string | null;
      medical_id_expires: string | null;
      caregiver_id: string | null;
      caregiver_id_expires: string | null;
    }>('SELECT * FROM customers');
    const ofType = (type: string) => customers.filter((c) => c.customer_type === type);
    expect(ofType('adult_use').length).toBeGreaterThanOrEqual(2);
    expect(ofType('medical').length).toBeGreaterThanOrEqual(2);
    expect(ofType('caregiver').length).toBeGreaterThanOrEqual(1);
    expect(ofType('medical_recommendation')).toHaveLength(0); // California's type: Illinois has no profile for it
    for (const customer of customers) expect(customer.date_of_birth).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const patient of ofType('medical')) expect(patient.medical_id && patient.medical_id_expires).toBeTruthy();
    for (const caregiver of ofType('caregiver')) expect(caregiver.caregiver_id && caregiver.caregiver_id_expires).toBeTruthy();
    const today = '2026-11-22';
    const expiredIds = customers.filter((c) => c.identification_expires !== null && c.identification_expires < today);
    expect(expiredIds.map((c) => c.first_name)).toEqual(['Gavin']);
    const expiredCards = ofType('medical').filter((c) => (c.medical_id_expires ?? '') < today);
    expect(expiredCards.map((c) => c.first_name)).toEqual(['Walter']);
    // Everyone else's documents stay valid for years.
    const otherExpiries = customers
      .filter((c) => c.first_name !== 'Gavin' && c.first_name !== 'Walter')
      .flatMap((c) => [c.identification_expires, c.medical_id_expires, c.caregiver_id_expires])
      .filter((date): date is string => date !== null);
    expect(otherExpiries.every((date) => date >= '2029-01-01')).toBe(true);
  });

  it('recorded the seeding in the audit chain', () => {
    const events = all<{ action: string; employee_id: string | null }>('SELECT action, employee_id FROM audit_events');
    expect(events).toEqual([{ action: 'demo.seed', employee_id: null }]);
    expect(verifyAuditChain(store.sqlite).ok).toBe(true);
  });

  it('refuses to seed a database that already has employees', async () => {
    await expect(seedDemoStore(store.sqlite, resourcesDir, hashPin, NOW)).rejects.toThrow(/new, empty database/);
    expect(all<{ n: number }>('SELECT COUNT(*) AS n FROM employees')[0]?.n).toBe(3);
  });
});

describe('seeding that fails', () => {
  let cleanup: (() => void) | null = null;
  afterEach(() => {
    cleanup?.();
    cleanup = null;
  });

  const fastHash = (pin: string) => hashPin(pin, { N: 1024, r: 8, p: 1 });

  function counts(store: Store): Record<string, number> {
    const count = (table: string) => (store.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return Object.fromEntries(['settings', 'employees', 'products', 'inventory_movements', 'customers', 'audit_events'].map((t) => [t, count(t)]));
  }

  it('writes nothing when a row fails half-way: one transaction', async () => {
    const temp = tempDir('seed-test-');
    cleanup = temp.cleanup;
    const store = openStore({ file: join(temp.dir, 'demo.sqlite'), migrationsFolder });
    try {
      // A product already holding the last seed product's barcode makes the transaction fail late.
      const seed = JSON.parse(readFileSync(join(resourcesDir, 'demo', 'seed.json'), 'utf8')) as { products: Array<{ traceBarcode: string }> };
      const lastBarcode = seed.products.at(-1)?.traceBarcode;
      store.sqlite
        .prepare(
          `INSERT INTO products (id, trace_barcode, name, category, unit_weight_mg, usable_weight_mg, thc_value, thc_unit, price_cents, sold_medical, sold_adult_use, created_at)
           VALUES ('existing', ?, 'Existing', 'flower', 1000, 1000, 2000, 'pct_x100', 1000, 1, 1, 0)`,
        )
        .run(lastBarcode);
      await expect(seedDemoStore(store.sqlite, resourcesDir, fastHash, NOW)).rejects.toThrow(/UNIQUE/);
      expect(counts(store)).toEqual({ settings: 0, employees: 0, products: 1, inventory_movements: 0, customers: 0, audit_events: 0 });
    } finally {
      store.close();
    }
  });

  it('names the field of a broken seed file and writes nothing', async () => {
    const temp = tempDir('seed-test-');
    cleanup = temp.cleanup;
    const resources = join(temp.dir, 'resources');
    cpSync(resourcesDir, resources, { recursive: true });
    const seedFile = join(resources, 'demo', 'seed.json');
    const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as { products: Array<{ traceBarcode: string }> };
    seed.products[3]!.traceBarcode = '12345';
    writeFileSync(seedFile, JSON.stringify(seed));
    const store = openStore({ file: join(temp.dir, 'demo.sqlite'), migrationsFolder });
    try {
      await expect(seedDemoStore(store.sqlite, resources, fastHash, NOW)).rejects.toThrow(
        /seed\.json is invalid: field products\.3\.traceBarcode: a BioTrack barcode id is 16 digits/,
      );
      expect(counts(store).employees).toBe(0);
    } finally {
      store.close();
    }
  });
});
