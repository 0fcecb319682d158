/**
 * The demo stores: resources/demo/seed.json (an Illinois dispensary, its staff, catalog and
 * customers) or resources/demo/seed-ok.json (an Oklahoma medical dispensary on Metrc, with
 * caregivers and their patients), written into a new, empty database in one transaction.
 * `DEMO_STATES` lists them: `npm start -- --demo OK` picks one.
 *
 * PINs live here, not in the seed file, so README and tests have one place to read them; only
 * their scrypt hashes reach the database. The seed file is validated like any input that crosses
 * into the core: a broken file gives an error naming the field, never a half-filled store.
 */
import type Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Role } from '../../preload/api.js';
import { appendAudit } from '../audit/log.js';
import { newId } from '../store/ids.js';
import {
  CUSTOMER_TYPES,
  loadJurisdictionRules,
  productCategorySchema,
  type JurisdictionRules,
  type ProductCategory,
} from '../compliance/rules.js';

/**
 * Whether this database holds a demo store. The seed writes only into a database without staff,
 * so its audit event is among the first few: reading them answers in O(1) on a store with years
 * of history (a search of the whole audit log for an event a real store never has would read
 * every event at each start).
 */
export function isDemoSeeded(sqlite: Database.Database): boolean {
  // The first events may have moved to the archive (main/audit/archive.ts).
  return (
    sqlite
      .prepare(
        `SELECT 1 FROM (SELECT action FROM (SELECT seq, action FROM audit_events_archive ORDER BY seq LIMIT 50)
                        UNION ALL SELECT action FROM (SELECT seq, action FROM audit_events ORDER BY seq LIMIT 50))
          WHERE action = 'demo.seed' LIMIT 1`,
      )
      .get() !== undefined
  );
}

/** The demo employees' PINs by role (README.md lists them too). */
export const DEMO_PINS = { budtender: '1111', manager: '2222', admin: '3333' } as const satisfies Record<Role, string>;

/** Categories whose THC is a percentage of weight (and whose Illinois excise tier depends on it). */
const POTENCY_BY_PERCENT: ReadonlySet<ProductCategory> = new Set(['flower', 'pre_roll', 'concentrate', 'vape']);

const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is written yyyy-mm-dd');

const seedProductSchema = z.strictObject({
  traceBarcode: z.string().regex(/^(\d{16}|1A[0-9A-Z]{22})$/, 'a BioTrack barcode id is 16 digits; a Metrc package label is 24 characters starting 1A'),
  upc: z.string().regex(/^\d{12}$/, 'a UPC-A is 12 digits').nullable(),
  name: z.string().min(1),
  category: productCategorySchema,
  unitWeightMg: z.number().int().positive(),
  usableWeightMg: z.number().int().positive(),
  thcValue: z.number().int().min(0),
  thcUnit: z.enum(['mg', 'pct_x100']),
  priceCents: z.number().int().positive(),
  soldMedical: z.boolean(),
  soldAdultUse: z.boolean(),
  initialQuantity: z.number().int().positive(),
});

const seedCustomerSchema = z.strictObject({
  customerType: z.enum(CUSTOMER_TYPES),
  firstName: z.string().min(1),
  middleName: z.string().min(1).nullable(),
  lastName: z.string().min(1),
  dateOfBirth: calendarDate,
  identificationExpires: calendarDate.nullable(),
  medicalId: z.string().min(1).nullable(),
  medicalIdExpires: calendarDate.nullable(),
  caregiverId: z.string().min(1).nullable(),
  caregiverIdExpires: calendarDate.nullable(),
  phone: z.string().min(1).nullable(),
  email: z.email().nullable(),
});

export const demoSeedSchema = z
  .strictObject({
    notes: z.array(z.string()).optional(),
    store: z.strictObject({
      name: z.string().min(1),
      jurisdiction: z.string().regex(/^[A-Z]{2}$/),
      timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as America/Chicago'),
    }),
    employees: z.array(z.strictObject({ name: z.string().min(1), role: z.enum(['budtender', 'manager', 'admin']) })).min(1),
    products: z.array(seedProductSchema).min(1),
    customers: z.array(seedCustomerSchema),
    /** Patients a caregiver buys for (Oklahoma), by the caregiver's licence number. */
    caregiverPatients: z
      .array(
        z.strictObject({
          caregiverId: z.string().min(1),
          firstName: z.string().min(1),
          lastName: z.string().min(1),
          medicalLicence: z.string().min(1),
          licenceExpires: calendarDate,
          dateOfBirth: calendarDate,
        }),
      )
      .default([]),
  })
  .superRefine((seed, context) => {
    const issue = (path: PropertyKey[], message: string) => context.addIssue({ code: 'custom', path, message });
    // Login is by PIN alone and PINs are per role here, so two employees of one role would share a PIN.
    const roles = new Set<string>();
    seed.employees.forEach((employee, index) => {
      if (roles.has(employee.role)) issue(['employees', index, 'role'], `a second ${employee.role} would share the demo PIN`);
      roles.add(employee.role);
    });
    const barcodes = new Set<string>();
    seed.products.forEach((product, index) => {
      if (barcodes.has(product.traceBarcode)) issue(['products', index, 'traceBarcode'], 'duplicate barcode');
      barcodes.add(product.traceBarcode);
      const expectedUnit = POTENCY_BY_PERCENT.has(product.category) ? 'pct_x100' : 'mg';
      if (product.thcUnit !== expectedUnit) issue(['products', index, 'thcUnit'], `a ${product.category} states THC in ${expectedUnit}`);
      if (!product.soldMedical && !product.soldAdultUse) issue(['products', index], 'sold to nobody: set soldMedical or soldAdultUse');
    });
    seed.caregiverPatients.forEach((patient, index) => {
      if (!seed.customers.some((customer) => customer.customerType === 'caregiver' && customer.caregiverId === patient.caregiverId)) {
        issue(['caregiverPatients', index, 'caregiverId'], 'no caregiver in customers has this licence number');
      }
    });
    seed.customers.forEach((customer, index) => {
      if (customer.customerType === 'medical' && (customer.medicalId === null || customer.medicalIdExpires === null)) {
        issue(['customers', index, 'medicalId'], 'a medical customer needs medicalId and medicalIdExpires');
      }
      if (customer.customerType === 'caregiver' && (customer.caregiverId === null || customer.caregiverIdExpires === null)) {
        issue(['customers', index, 'caregiverId'], 'a caregiver needs caregiverId and caregiverIdExpires');
      }
    });
  });
export type DemoSeed = z.infer<typeof demoSeedSchema>;

/**
 * Another state's demo store: resources/demo/<CODE>.json changes the Illinois seed's store, the
 * local tax rates the store would enter, and (optionally) its customers; customers of a type the
 * state does not serve (adult use in Oklahoma) are left out.
 */
const demoOverlaySchema = z.strictObject({
  notes: z.array(z.string()).optional(),
  /** A demo built on the Illinois seed names its store; a state with a seed of its own gives only rates. */
  store: demoSeedSchema.shape.store.optional(),
  storeRates: z.record(
    z.string().regex(/^tax\.rates\.[a-z0-9_]+$/),
    z.array(z.strictObject({ from: calendarDate, to: calendarDate.nullable(), ratePpm: z.number().int().min(0).max(1_000_000), note: z.string().optional() })).min(1),
  ),
  customers: z.array(seedCustomerSchema).optional(),
});

/** The jurisdictions a demo store can be opened for: Illinois (the seed) and each overlay. */
export function demoJurisdictions(resourcesDir: string): Array<{ code: string; storeName: string }> {
  const list = (Object.keys(DEMO_STATES) as DemoState[]).map((code) => ({ code: code as string, storeName: readDemoSeed(resourcesDir, code).store.name }));
  for (const code of ['CA']) {
    if (list.some((demo) => demo.code === code)) continue;
    const overlay = readDemoOverlay(resourcesDir, code);
    if (overlay?.store) list.push({ code, storeName: overlay.store.name });
  }
  return list;
}

function isDemoState(code: string): code is DemoState {
  return Object.prototype.hasOwnProperty.call(DEMO_STATES, code);
}

function readDemoOverlay(resourcesDir: string, code: string): z.infer<typeof demoOverlaySchema> | null {
  if (!/^[A-Z]{2}$/.test(code)) return null;
  const file = join(resourcesDir, 'demo', `${code}.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`The demo store's file ${file} cannot be read (${error instanceof Error ? error.message : String(error)}). Restore it from the installer.`);
  }
  const parsed = demoOverlaySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `field ${issue.path.map(String).join('.') || '(the whole file)'}: ${issue.message}`);
    throw new Error(`The demo store's file ${file} is invalid: ${problems.join('; ')}. Correct the field and start again.`);
  }
  if (parsed.data.store && parsed.data.store.jurisdiction !== code) throw new Error(`The demo store's file ${file} is for ${parsed.data.store.jurisdiction}, not ${code}.`);
  return parsed.data;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The demo stores by state, and their seed files in resources/demo. */
export const DEMO_STATES = { IL: 'seed.json', OK: 'seed-ok.json' } as const;
export type DemoState = keyof typeof DEMO_STATES;

export function readDemoSeed(resourcesDir: string, state: DemoState = 'IL'): DemoSeed {
  const file = join(resourcesDir, 'demo', DEMO_STATES[state]);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`The demo store's seed file ${file} cannot be read (${detail}). Restore it from the installer.`);
  }
  const parsed = demoSeedSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `field ${issue.path.map(String).join('.') || '(the whole file)'}: ${issue.message}`);
    throw new Error(`The demo store's seed file ${file} is invalid: ${problems.join('; ')}. Correct the field and start again.`);
  }
  return parsed.data;
}

/**
 * Fill an empty database with the demo store. PINs are hashed first, because better-sqlite3
 * transactions are synchronous and cannot await; then every row is written in one transaction.
 */
export async function seedDemoStore(
  sqlite: Database.Database,
  resourcesDir: string,
  hashPin: (pin: string) => Promise<string>,
  now: number,
  /** Which state's demo store (default: Illinois): a seed of its own (DEMO_STATES), or the Illinois seed with the state's overlay. */
  jurisdiction?: string,
): Promise<{ storeName: string; jurisdiction: string }> {
  const code = jurisdiction ?? 'IL';
  const ownSeed = isDemoState(code);
  const base = readDemoSeed(resourcesDir, ownSeed ? code : 'IL');
  let seed: DemoSeed = base;
  const overlay = readDemoOverlay(resourcesDir, code);
  if (!ownSeed && !overlay?.store) throw new Error(`There is no demo store for ${code}: choose one of ${demoJurisdictions(resourcesDir).map((demo) => demo.code).join(', ')}.`);
  if (!ownSeed && overlay?.store) {
    const overlayRules = loadJurisdictionRules(resourcesDir, code);
    const served = new Set(overlayRules.profiles.map((profile) => profile.match.customerType));
    seed = {
      ...base,
      store: overlay.store,
      customers: (overlay.customers ?? base.customers).filter((customer) => served.has(customer.customerType)),
      // A product no customer here may buy would only clutter the demo.
      products: base.products.filter((product) => (product.soldMedical && (served.has('medical') || served.has('caregiver'))) || (product.soldAdultUse && served.has('adult_use'))),
    };
  }
  // The local rates a real store would enter: made-up demo values, so the demo can sell.
  const storeRates = new Map<string, unknown>(Object.entries(overlay?.storeRates ?? {}));
  const rules = loadJurisdictionRules(resourcesDir, seed.store.jurisdiction);
  checkSeedAgainstRules(seed, rules);
  assertNoEmployees(sqlite); // before the slow hashing; checked again inside the transaction
  const pinHashes = await Promise.all(seed.employees.map((employee) => hashPin(DEMO_PINS[employee.role])));

  const insertSetting = sqlite.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)');
  const insertEmployee = sqlite.prepare(
    `INSERT INTO employees (id, name, role, pin_hash, failed_pin_attempts, locked_until, active, created_at)
     VALUES (@id, @name, @role, @pinHash, 0, NULL, 1, @createdAt)`,
  );
  const insertProduct = sqlite.prepare(
    `INSERT INTO products (id, trace_barcode, upc, name, category, unit_weight_mg, usable_weight_mg, thc_value, thc_unit,
                           price_cents, sold_medical, sold_adult_use, created_at)
     VALUES (@id, @traceBarcode, @upc, @name, @category, @unitWeightMg, @usableWeightMg, @thcValue, @thcUnit,
             @priceCents, @soldMedical, @soldAdultUse, @createdAt)`,
  );
  const insertMovement = sqlite.prepare(
    `INSERT INTO inventory_movements (product_id, quantity_delta, reason, reference_id, employee_id, at)
     VALUES (@productId, @quantityDelta, 'receive', NULL, @employeeId, @at)`,
  );
  const insertCustomer = sqlite.prepare(
    `INSERT INTO customers (id, customer_type, first_name, middle_name, last_name, date_of_birth, identification_expires,
                            medical_id, medical_id_expires, caregiver_id, caregiver_id_expires, phone, email, created_at, updated_at)
     VALUES (@id, @customerType, @firstName, @middleName, @lastName, @dateOfBirth, @identificationExpires,
             @medicalId, @medicalIdExpires, @caregiverId, @caregiverIdExpires, @phone, @email, @createdAt, @createdAt)`,
  );

  const insertCaregiverPatient = sqlite.prepare(
    `INSERT INTO caregiver_patients (id, caregiver_id, first_name, last_name, medical_licence, licence_expires, date_of_birth, created_at, updated_at)
     VALUES (@id, @caregiverId, @firstName, @lastName, @medicalLicence, @licenceExpires, @dateOfBirth, @createdAt, @createdAt)`,
  );

  const writeAll = sqlite.transaction(() => {
    assertNoEmployees(sqlite);

    const settings = demoSettings(seed, rules);
    for (const [key, value] of storeRates) settings.set(key, value);
    for (const [key, value] of settings) insertSetting.run(key, JSON.stringify(value), now);

    const employeeIds = seed.employees.map((employee, index) => {
      const id = newId(now);
      insertEmployee.run({ id, name: employee.name, role: employee.role, pinHash: pinHashes[index], createdAt: now });
      return { id, role: employee.role };
    });
    // Stock is received by the most senior employee in the seed, as a store opening would record it.
    const receiver = employeeIds.find((e) => e.role === 'admin') ?? employeeIds.find((e) => e.role === 'manager') ?? employeeIds[0];

    for (const product of seed.products) {
      const id = newId(now);
      const { initialQuantity, soldMedical, soldAdultUse, ...columns } = product;
      insertProduct.run({ ...columns, id, soldMedical: soldMedical ? 1 : 0, soldAdultUse: soldAdultUse ? 1 : 0, createdAt: now });
      insertMovement.run({ productId: id, quantityDelta: initialQuantity, employeeId: receiver?.id ?? null, at: now });
    }

    const caregiverIds = new Map<string, string>();
    for (const customer of seed.customers) {
      const id = newId(now);
      insertCustomer.run({ ...customer, id, createdAt: now });
      if (customer.caregiverId) caregiverIds.set(customer.caregiverId, id);
    }
    for (const patient of seed.caregiverPatients) {
      const { caregiverId, ...columns } = patient;
      insertCaregiverPatient.run({ ...columns, id: newId(now), caregiverId: caregiverIds.get(caregiverId), createdAt: now });
    }

    appendAudit(
      sqlite,
      {
        employeeId: null,
        action: 'demo.seed',
        details: {
          store: seed.store.name,
          jurisdiction: seed.store.jurisdiction,
          employees: seed.employees.length,
          products: seed.products.length,
          customers: seed.customers.length,
          caregiverPatients: seed.caregiverPatients.length,
        },
      },
      now,
    );
  });
  writeAll();
  return { storeName: seed.store.name, jurisdiction: seed.store.jurisdiction };
}

function assertNoEmployees(sqlite: Database.Database): void {
  if (sqlite.prepare('SELECT 1 FROM employees LIMIT 1').get() !== undefined) {
    throw new Error('The demo store is only created in a new, empty database: this one already has employees.');
  }
}

/** The store's settings plus the demo values of every local tax rate the jurisdiction leaves to the store. */
function demoSettings(seed: DemoSeed, rules: JurisdictionRules): Map<string, unknown> {
  const settings = new Map<string, unknown>([
    ['store.name', seed.store.name],
    ['store.jurisdiction', seed.store.jurisdiction],
    ['store.timeZone', seed.store.timeZone],
    ['store.licenceNumber', `DEMO-${seed.store.jurisdiction}-0001`],
  ]);
  for (const stack of Object.values(rules.taxes.stacks)) {
    for (const tax of stack.taxes) {
      const configured = tax.storeConfigured;
      if (configured && configured.demoRates.length > 0) settings.set(configured.settingKey, configured.demoRates);
    }
  }
  return settings;
}

/** A demo customer or product the store's own rules cannot serve is a mistake in the seed file. */
function checkSeedAgainstRules(seed: DemoSeed, rules: JurisdictionRules): void {
  const servedTypes = new Set(rules.profiles.map((profile) => profile.match.customerType));
  seed.customers.forEach((customer, index) => {
    if (!servedTypes.has(customer.customerType)) {
      throw new Error(
        `The demo seed's customers.${index} is of type ${customer.customerType}, which the ${rules.name} rules do not serve. Change the type or remove the customer.`,
      );
    }
  });
}
