/**
 * First run: a new data folder shows the setup screen (never a store with known PINs), a store
 * is set up with its admin, rates and time zone, or a state's demo store is opened; Settings ›
 * Store changes rates from a date, and a sale's date picks the rate.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { taxesForProduct, type CatalogProduct } from '../../../main/checkout/engine.js';
import { loadJurisdictionRules, type EffectiveRate } from '../../../main/compliance/rules.js';
import { databaseFileIn } from '../../../main/store/db.js';
import { newId } from '../../../main/store/ids.js';
import type { ResponseEnvelope } from '../../../preload/api.js';
import { resourcesDir, tempDir } from '../../support/paths.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

let running: TestRegister[] = [];
const folders: Array<() => void> = [];
afterEach(async () => {
  for (const r of running) await r.close();
  running = [];
  for (const cleanup of folders.splice(0)) cleanup();
});

/** 2026-03-10 12:00 in California. */
const MARCH_10 = Date.UTC(2026, 2, 10, 20, 0);
const DAY = 86_400_000;

async function start(dataDir: string, options: Parameters<typeof startTestRegister>[0] = {}): Promise<TestRegister> {
  const r = await startTestRegister({ newStore: { kind: 'setup' }, ...options }, dataDir);
  running.push(r);
  return r;
}

function folder(): string {
  const { dir, cleanup } = tempDir();
  folders.push(cleanup);
  return dir;
}

function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  return response.value as T;
}

const caStore = (overrides: Record<string, unknown> = {}) => ({
  commandId: newId(),
  store: { name: 'Sunset Greens', licenceNumber: 'C10-0000123-LIC', jurisdiction: 'CA', timeZone: 'America/Los_Angeles' },
  taxRates: [
    { settingKey: 'tax.rates.ca_sales_and_use', from: '2026-01-01', ratePpm: 92_500 },
    { settingKey: 'tax.rates.ca_local_cannabis', from: '2026-01-01', ratePpm: 50_000 },
  ],
  admin: { name: 'Olga Owner', pin: '4862' },
  ...overrides,
});

describe('a new data folder', () => {
  it('shows the setup screen: no store, no PIN works, only the setup calls answer', async () => {
    const r = await start(folder());
    expect(value(await r.call('app.status'))).toMatchObject({ state: 'setup' });
    expect(value(await r.call('session.get'))).toEqual({ state: 'logged_out' });
    for (const pin of ['1111', '2222', '3333']) {
      expect(await r.call('session.login', { pin })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/no store yet/) } });
    }
    expect(await r.call('staff.list')).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const options = value<{ jurisdictions: Array<{ code: string; taxes: Array<{ settingKey: string }> }>; demos: Array<{ code: string }> }>(
      await r.call('setup.options'),
    );
    expect(options.jurisdictions.map((j) => j.code)).toEqual(['CA', 'IL', 'OK']);
    expect(options.jurisdictions.find((j) => j.code === 'CA')!.taxes.map((t) => t.settingKey)).toEqual([
      'tax.rates.ca_sales_and_use',
      'tax.rates.ca_local_cannabis',
    ]);
    expect(options.demos.map((d) => d.code).sort()).toEqual(['CA', 'IL', 'OK']);
  });

  it('keeps showing the setup screen after a restart, and leaves no sign of a store behind', async () => {
    const dir = folder();
    const first = await start(dir);
    await first.close();
    running = [];
    expect(existsSync(join(dir, 'register.identity'))).toBe(false);
    expect(existsSync(join(dir, 'backups')) ? readdirSync(join(dir, 'backups')) : []).toEqual([]);
    const again = await start(dir);
    expect(value(await again.call('app.status'))).toMatchObject({ state: 'setup' });
  });
});

describe('set up my store', () => {
  it('refuses a missing rate, a rate over the legal maximum, an unknown time zone and a guessable PIN', async () => {
    const r = await start(folder());
    const missing = await r.call('setup.createStore', caStore({ taxRates: [{ settingKey: 'tax.rates.ca_sales_and_use', from: '2026-01-01', ratePpm: 92_500 }] }));
    expect(missing).toMatchObject({ ok: false, error: { code: 'invalid_message', message: expect.stringMatching(/Local cannabis tax/) } });
    const il = {
      store: { name: 'X', licenceNumber: 'L1', jurisdiction: 'IL', timeZone: 'America/Chicago' },
      taxRates: [
        { settingKey: 'tax.rates.il_local_general_rot', from: '2026-01-01', ratePpm: 25_000 },
        { settingKey: 'tax.rates.il_municipal_cannabis_rot', from: '2026-01-01', ratePpm: 35_000 },
        { settingKey: 'tax.rates.il_county_cannabis_rot', from: '2026-01-01', ratePpm: 30_000 },
        { settingKey: 'tax.rates.il_medical_transit_rot', from: '2026-01-01', ratePpm: 0 },
      ],
    };
    expect(await r.call('setup.createStore', caStore(il))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/at most 3%/) } });
    const offStep = { ...il, taxRates: il.taxRates.map((t) => (t.settingKey.includes('municipal') ? { ...t, ratePpm: 11_000 } : t)) };
    expect(await r.call('setup.createStore', caStore(offStep))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/steps of 0.25%/) } });
    expect(await r.call('setup.createStore', caStore({ store: { ...caStore().store, timeZone: 'Mars/Olympus' } }))).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/not a time zone/) },
    });
    const future = caStore().taxRates.map((t) => ({ ...t, from: '2099-01-01' }));
    expect(await r.call('setup.createStore', caStore({ taxRates: future }))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/first rate must apply from today/) } });
    for (const pin of ['0000', '1234', '4321', '1212', '2580', '1990']) {
      expect(await r.call('setup.createStore', caStore({ admin: { name: 'Olga', pin } }))).toMatchObject({ ok: false, error: { code: 'conflict' } });
    }
    expect(value(await r.call('app.status'))).toMatchObject({ state: 'setup' });
  });

  it('creates the store and its admin, logs this screen in as them, and keeps it across a restart', async () => {
    const dir = folder();
    const r = await start(dir, { clock: () => MARCH_10 });
    const session = value(await r.call('setup.createStore', caStore()));
    expect(session).toMatchObject({ state: 'active', employee: { name: 'Olga Owner', role: 'admin' } });
    expect(value(await r.call('app.status'))).toMatchObject({
      state: 'ready',
      storeName: 'Sunset Greens',
      jurisdiction: 'CA',
      timeZone: 'America/Los_Angeles',
      demo: false,
    });
    expect(r.events.some((e) => e.event === 'status.changed' && (e.payload as { state: string }).state === 'ready')).toBe(true);
    // Not a second time.
    expect(await r.call('setup.createStore', caStore())).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await r.call('setup.openDemo', { jurisdiction: 'IL' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    // Only the new admin exists: no demo employee, no demo product.
    expect(value<Array<{ name: string }>>(await r.call('staff.list')).map((e) => e.name)).toEqual(['Olga Owner']);
    const audit = value<Array<{ action: string; details: Record<string, unknown> }>>(await r.call('audit.recent', { limit: 20 }));
    const created = audit.find((e) => e.action === 'setup.store_created')!;
    expect(created.details).toMatchObject({ store: 'Sunset Greens', licenceNumber: 'C10-0000123-LIC', jurisdiction: 'CA' });
    expect(JSON.stringify(audit)).not.toContain('4862');
    await r.close();
    running = [];

    const again = await start(dir);
    expect(value(await again.call('app.status'))).toMatchObject({ state: 'ready', storeName: 'Sunset Greens' });
    expect(await again.call('session.login', { pin: '1111' })).toMatchObject({ ok: false, error: { code: 'wrong_pin' } });
    expect(value(await again.call('session.login', { pin: '4862' }))).toMatchObject({ employee: { name: 'Olga Owner' } });
    const store = value<{ licenceNumber: string; taxes: Array<{ settingKey: string; current: number | null }> }>(await again.call('store.settings.get'));
    expect(store.licenceNumber).toBe('C10-0000123-LIC');
  });

  it('a set-up store whose database goes missing is damaged, not a new setup (issue 13)', async () => {
    const dir = folder();
    const r = await start(dir);
    value(await r.call('setup.createStore', caStore()));
    await r.close();
    running = [];
    for (const suffix of ['', '-wal', '-shm']) rmSync(databaseFileIn(dir) + suffix, { force: true });
    const again = await start(dir);
    expect(value(await again.call('app.status'))).toMatchObject({ state: 'damaged' });
    expect(await again.call('setup.createStore', caStore())).toMatchObject({ ok: false, error: { code: 'store_damaged' } });
  });
});

describe('open the demo store', () => {
  it.each([
    ['IL', 'Prairie Leaf Dispensary', 'America/Chicago'],
    ['OK', 'Red Dirt Wellness', 'America/Chicago'],
    ['CA', 'Golden Coast Cannabis', 'America/Los_Angeles'],
  ])('opens the %s demo from the setup screen, marked as the demo', async (code, storeName, timeZone) => {
    const r = await start(folder());
    expect(value(await r.call('setup.openDemo', { jurisdiction: code }))).toEqual({ storeName });
    expect(value(await r.call('app.status'))).toMatchObject({ state: 'ready', storeName, jurisdiction: code, timeZone, demo: true });
    expect(value(await r.call('session.login', { pin: '3333' }))).toMatchObject({ employee: { role: 'admin' } });
    const store = value<{ taxes: Array<{ label: string; current: number | null }> }>(await r.call('store.settings.get'));
    // Every rate the store enters has a demo value, so the demo can sell.
    for (const tax of store.taxes) expect(tax.current, tax.label).not.toBeNull();
  });

  it('an Oklahoma demo has no adult-use customers (Oklahoma sells to patients only)', async () => {
    const r = await start(folder(), { newStore: { kind: 'demo', jurisdiction: 'OK' } });
    value(await r.call('session.login', { pin: '3333' }));
    const sqlite = (await import('better-sqlite3')).default;
    const db = new sqlite(databaseFileIn(r.dataDir), { readonly: true });
    try {
      expect(db.prepare(`SELECT COUNT(*) AS n FROM customers WHERE customer_type = 'adult_use'`).get()).toEqual({ n: 0 });
      expect((db.prepare(`SELECT COUNT(*) AS n FROM customers`).get() as { n: number }).n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('refuses a state with no demo store', async () => {
    const r = await start(folder());
    expect(await r.call('setup.openDemo', { jurisdiction: 'TX' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(value(await r.call('app.status'))).toMatchObject({ state: 'setup' });
  });
});

describe('Settings › Store: tax rates with effective dates', () => {
  const flower: CatalogProduct = {
    id: 'p',
    traceBarcode: '1',
    upc: null,
    name: 'Flower',
    category: 'flower',
    unitWeightMg: 3500,
    usableWeightMg: 3500,
    thcValue: 2000,
    thcUnit: 'pct_x100',
    priceCents: 4000,
    soldMedical: true,
    soldAdultUse: true,
    onHand: 10,
  };

  it('a new rate from a later date ends the old one the day before; each sale date gets its own rate', async () => {
    let now = MARCH_10;
    const r = await start(folder(), { clock: () => now });
    value(await r.call('setup.createStore', caStore()));
    const add = (from: string, ratePpm: number, settingKey = 'tax.rates.ca_local_cannabis') =>
      r.call('store.settings.addTaxRate', { commandId: newId(), settingKey, from, ratePpm });
    // Not in the past: sales already made keep their rate.
    expect(await add('2026-03-09', 60_000)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/starts today \(2026-03-10\) or later/) } });
    const view = value<{ taxes: Array<{ settingKey: string; rates: Array<{ from: string; to: string | null; ratePpm: number }>; current: number | null }> }>(
      await add('2026-04-01', 60_000),
    );
    const local = view.taxes.find((t) => t.settingKey === 'tax.rates.ca_local_cannabis')!;
    expect(local.rates.map(({ from, to, ratePpm }) => ({ from, to, ratePpm }))).toEqual([
      { from: '2026-01-01', to: '2026-03-31', ratePpm: 50_000 },
      { from: '2026-04-01', to: null, ratePpm: 60_000 },
    ]);
    expect(local.current).toBe(50_000);
    // A correction to a rate that has not started replaces it: 8.625%, kept exactly.
    value(await add('2026-04-01', 86_250));
    // The checkout engine reads the same setting: a sale's date picks the rate.
    const rules = loadJurisdictionRules(resourcesDir, 'CA');
    const stored = await storedRates(r);
    const localRate = (date: string) => taxesForProduct(rules, 'standard', flower, date, stored).find((t) => t.tax.id === 'ca_local_cannabis')!.ratePpm;
    expect(localRate('2026-03-31')).toBe(50_000);
    expect(localRate('2026-04-01')).toBe(86_250);
    now = MARCH_10 + 30 * DAY;
    expect(value<{ taxes: Array<{ settingKey: string; current: number | null }> }>(await r.call('store.settings.get')).taxes.find((t) => t.settingKey === 'tax.rates.ca_local_cannabis')!.current).toBe(86_250);
    const audit = value<Array<{ action: string }>>(await r.call('audit.recent', { limit: 50 }));
    expect(audit.filter((e) => e.action === 'store.tax_rate_added')).toHaveLength(2);
  });

  it('a California store without its rates cannot sell; once entered in Settings › Store, it can', async () => {
    const rules = loadJurisdictionRules(resourcesDir, 'CA');
    expect(() => taxesForProduct(rules, 'standard', flower, '2026-03-10', new Map())).toThrow(/has not entered its rate/);
    const r = await start(folder(), { clock: () => MARCH_10 });
    value(await r.call('setup.createStore', caStore()));
    const rates = await storedRates(r);
    expect(taxesForProduct(rules, 'standard', flower, '2026-03-10', rates).map((t) => [t.tax.id, t.ratePpm])).toEqual(
      expect.arrayContaining([
        ['ca_sales_and_use', 92_500],
        ['ca_local_cannabis', 50_000],
      ]),
    );
  });

  it('saves the name, licence and time zone (managers may, budtenders may not), audited', async () => {
    const r = await start(folder(), { newStore: { kind: 'demo', jurisdiction: 'IL' } });
    value(await r.call('session.login', { pin: '1111' }));
    const save = { commandId: newId(), name: 'Prairie Leaf West', licenceNumber: 'IL-123', timeZone: 'America/Chicago' };
    expect(await r.call('store.settings.save', save)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    value(await r.call('session.logout'));
    value(await r.call('session.login', { pin: '2222' }));
    expect(await r.call('store.settings.save', { ...save, commandId: newId(), timeZone: 'Nowhere/Land' })).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    expect(value(await r.call('store.settings.save', save))).toMatchObject({ name: 'Prairie Leaf West', licenceNumber: 'IL-123' });
    expect(value(await r.call('app.status'))).toMatchObject({ storeName: 'Prairie Leaf West' });
    const audit = value<Array<{ action: string; details: Record<string, unknown> }>>(await r.call('audit.recent', { limit: 5 }));
    expect(audit.find((e) => e.action === 'store.settings_saved')?.details).toMatchObject({ before: { name: 'Prairie Leaf Dispensary' }, after: { name: 'Prairie Leaf West' } });
  });
});

async function storedRates(r: TestRegister): Promise<Map<string, EffectiveRate[]>> {
  const sqlite = (await import('better-sqlite3')).default;
  const db = new sqlite(databaseFileIn(r.dataDir), { readonly: true });
  try {
    const rows = db.prepare(`SELECT key, value FROM settings WHERE key LIKE 'tax.rates.%'`).all() as Array<{ key: string; value: string }>;
    return new Map(rows.map((row) => [row.key, JSON.parse(row.value) as EffectiveRate[]]));
  } finally {
    db.close();
  }
}
