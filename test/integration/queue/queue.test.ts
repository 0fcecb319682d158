/**
 * Check-in and the queue against a real register (demo store, real SQLite) whose allotment
 * lookups go to the embedded BioTrack sandbox, with faults injected through its harness.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { tempDir } from '../../support/paths.js';
import { startTestRegister, type TestRegister, sql, value } from '../../support/register.js';

const open: TestRegister[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function start(options: Parameters<typeof startTestRegister>[0] = {}, dataDir?: string): Promise<TestRegister> {
  const r = await startTestRegister(options, dataDir);
  open.push(r);
  return r;
}

function customerId(r: TestRegister, first: string, last: string): string {
  return sql<Array<{ id: string }>>(r, 'SELECT id FROM customers WHERE first_name = ? AND last_name = ?', first, last)[0]!.id;
}

async function login(r: TestRegister, pin = '1111'): Promise<void> {
  value(await r.call('session.login', { pin }));
}

/** The embedded sandbox's harness (the manager's settings view names its address). */
async function sandboxHarness(r: TestRegister): Promise<string> {
  await login(r, '3333');
  const settings = value<{ demoSandboxUrl: string | null }>(await r.call('trace.settings.get', {}));
  await login(r, '1111');
  expect(settings.demoSandboxUrl).toBeTruthy();
  return settings.demoSandboxUrl!.replace(/\/serverjson\.asp$/, '');
}

async function faults(harness: string, body: unknown): Promise<void> {
  const response = await fetch(`${harness}/__faults`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect(response.ok).toBe(true);
}

interface Preparation {
  refusals: Array<{ code: string; message: string }>;
  allotment: {
    status: string;
    limits: Array<{ limitId: string; amount: number; unit: string; ceiling: number }>;
    message: string | null;
    caregiverCardId: string | null;
    sellWhileTraceDown: boolean | null;
    lastKnown: { amountMg: number; at: number; soldSinceMg: number; suggestedMg: number } | null;
  };
  nestUnder: { entryId: string } | null;
  warnings: string[];
  notes: string | null;
}
interface View {
  entries: Array<{ id: string; customerId: string; displayName: string; parentEntryId: string | null; allotments: Array<{ amount: number }> }>;
  showClearButton: boolean;
}

const prepare = async (r: TestRegister, id: string, as?: string) =>
  value<Preparation>(await r.call('queue.checkIn.prepare', as ? { customerId: id, as } : { customerId: id }));

const checkIn = (r: TestRegister, id: string, as: string, extra: Record<string, unknown> = {}) =>
  r.call('queue.checkIn', { commandId: ulid(), customerId: id, as, allotments: [], ...extra });

describe('purchase allotment from BioTrack (sandbox)', () => {
  it('found: fills the remaining allotment in mg; lowering is kept, raising above it is refused', async () => {
    const r = await start();
    await login(r);
    const rosa = customerId(r, 'Rosa', 'Delgado');
    const prepared = await prepare(r, rosa);
    expect(prepared.refusals).toEqual([]);
    expect(prepared.allotment.status).toBe('state_system');
    expect(prepared.allotment.limits).toEqual([expect.objectContaining({ limitId: 'usable_cannabis', amount: 70_870, unit: 'mg', ceiling: 70_870 })]);

    const tooHigh = await checkIn(r, rosa, 'medical', { allotments: [{ limitId: 'usable_cannabis', amount: 70_871 }] });
    expect(tooHigh).toMatchObject({ ok: false, error: { code: 'conflict' } });
    if (!tooHigh.ok) expect(tooHigh.error.message).toMatch(/above the limit of 70\.870 g/);

    const entry = value<{ allotmentSource: string; allotments: Array<{ amount: number; unit: string }> }>(
      await checkIn(r, rosa, 'medical', { allotments: [{ limitId: 'usable_cannabis', amount: 50_000 }] }),
    );
    expect(entry.allotmentSource).toBe('state_system');
    expect(entry.allotments).toEqual([expect.objectContaining({ amount: 50_000, unit: 'mg', ceiling: 70_870 })]);
    const stored = sql<Array<{ amount: number; unit: string }>>(r, 'SELECT amount, unit FROM queue_allotments');
    expect(stored).toEqual([{ amount: 50_000, unit: 'mg' }]);
  });

  it('not found: allotment 0.0000 and check-in impossible until the ID is fixed', async () => {
    const r = await start();
    await login(r);
    const rosa = customerId(r, 'Rosa', 'Delgado');
    sql(r, `UPDATE customers SET medical_id = 'MP0000000X' WHERE id = ?`, rosa);
    const prepared = await prepare(r, rosa);
    expect(prepared.allotment.status).toBe('not_found');
    expect(prepared.allotment.limits[0]!.amount).toBe(0);
    expect(prepared.refusals.map((x) => x.code)).toEqual(['patient_not_found']);
    expect(prepared.refusals[0]!.message).toMatch(/MP0000000X was not found in BioTrack.*0\.0000.*Fix the medical ID/);
    expect(await checkIn(r, rosa, 'medical')).toMatchObject({ ok: false, error: { code: 'conflict' } });

    sql(r, `UPDATE customers SET medical_id = 'MP7K2Q9X4D' WHERE id = ?`, rosa);
    expect((await prepare(r, rosa)).allotment.status).toBe('state_system');
    expect((await checkIn(r, rosa, 'medical')).ok).toBe(true);
  });

  it('offline by fault injection: "Offline"; a store that chose to refuse (Settings › Track & Trace) refuses medical check-in', async () => {
    const r = await start();
    await login(r);
    const harness = await sandboxHarness(r);
    await faults(harness, { rules: [{ action: 'card_lookup', fault: 'offline', times: 0 }] });
    // A manager turns medical sales off while the state system is down.
    await login(r, '2222');
    value(await r.call('compliance.traceDown.save', { commandId: ulid(), allowed: false }));
    await login(r);
    const rosa = customerId(r, 'Rosa', 'Delgado');
    const prepared = await prepare(r, rosa);
    expect(prepared.allotment.status).toBe('offline');
    expect(prepared.allotment.sellWhileTraceDown).toBe(false);
    expect(prepared.refusals.map((x) => x.code)).toEqual(['trace_down_no_sales']);
    expect(prepared.refusals[0]!.message).toMatch(/This store does not sell to medical patients while the state system is down/);
    const refused = await checkIn(r, rosa, 'medical', { manual: { confirmedCardId: 'MP7K2Q9X4D', acknowledgedWarnings: true } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(sql<unknown[]>(r, 'SELECT id FROM queue_entries')).toHaveLength(0);
  });

  it('offline where the store sells while it is down (Illinois by default): last figure minus this register\'s sales as a suggestion, manual entry audited with the employee', async () => {
    const r = await start();
    await login(r);
    const harness = await sandboxHarness(r);
    const rosa = customerId(r, 'Rosa', 'Delgado');
    // A lookup while online leaves the last figure (70.87 g).
    expect((await prepare(r, rosa)).allotment.status).toBe('state_system');
    // A medical sale of 2 units made on this register since then (frozen in the trace outbox).
    const product = sql<Array<{ barcode: string; usable: number }>>(
      r,
      `SELECT trace_barcode AS barcode, usable_weight_mg AS usable FROM products WHERE sold_medical = 1 AND usable_weight_mg > 0 ORDER BY trace_barcode LIMIT 1`,
    )[0]!;
    const now = Date.now() + 1;
    sql(
      r,
      `INSERT INTO trace_outbox (id, location, kind, sale_id, customer_id, request, nonce, state, attempts, next_attempt_at, total_cents, item_count, sale_time, created_at, updated_at)
       VALUES (?, '600100', 'dispense', ?, ?, ?, ?, 'pending', 0, ?, 100, 2, ?, ?, ?)`,
      ulid(),
      ulid(),
      rosa,
      JSON.stringify({ kind: 'dispense', sale: { terminalId: '1', saleTime: now, cardId: 'MP7K2Q9X4D', lines: [{ barcode: product.barcode, quantity: 2, unitPriceCents: 50 }] } }),
      ulid(),
      now + 3_600_000,
      now,
      now,
      now,
    );
    await faults(harness, { rules: [{ action: 'card_lookup', fault: 'offline', times: 0 }] });
    const prepared = await prepare(r, rosa);
    expect(prepared.refusals).toEqual([]);
    expect(prepared.allotment.status).toBe('offline');
    expect(prepared.allotment.lastKnown).toMatchObject({ amountMg: 70_870, soldSinceMg: 2 * product.usable, suggestedMg: 70_870 - 2 * product.usable });
    expect(prepared.allotment.limits[0]!.amount).toBe(70_870 - 2 * product.usable);

    expect(await checkIn(r, rosa, 'medical')).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const wrongCard = await checkIn(r, rosa, 'medical', { manual: { confirmedCardId: 'MP0000', acknowledgedWarnings: true } });
    expect(wrongCard).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const aboveLegal = await checkIn(r, rosa, 'medical', {
      manual: { confirmedCardId: 'mp7k2q9x4d', acknowledgedWarnings: true },
      allotments: [{ limitId: 'usable_cannabis', amount: 70_874 }],
    });
    expect(aboveLegal).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const entry = value<{ allotmentSource: string }>(
      await checkIn(r, rosa, 'medical', { manual: { confirmedCardId: 'mp7k2q9x4d', acknowledgedWarnings: true }, allotments: [{ limitId: 'usable_cannabis', amount: 40_000 }] }),
    );
    expect(entry.allotmentSource).toBe('manual');
    const audit = sql<Array<{ employeeId: string; customerId: string; details: string }>>(
      r,
      `SELECT a.employee_id AS employeeId, a.customer_id AS customerId, a.details FROM audit_events a WHERE a.action = 'queue.check_in_manual_allotment'`,
    );
    expect(audit).toHaveLength(1);
    const budtender = sql<Array<{ id: string }>>(r, `SELECT id FROM employees WHERE name = 'Bea Budtender'`)[0]!.id;
    expect(audit[0]!.employeeId).toBe(budtender);
    expect(audit[0]!.customerId).toBe(rosa);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ manual: true, confirmedCardId: 'mp7k2q9x4d', warningsAcknowledged: true, allotments: [{ amount: 40_000, unit: 'mg' }] });
  });
});

describe('check-in refusals, warnings and notes', () => {
  it('refuses banned, expired identification, under-age and an expired medical card; shows warnings and notes', async () => {
    const r = await start();
    await login(r);
    const olivia = customerId(r, 'Olivia', 'Hart');
    sql(r, `UPDATE customers SET banned = 1 WHERE id = ?`, olivia);
    expect((await prepare(r, olivia)).refusals.map((x) => x.code)).toEqual(['banned']);
    expect(await checkIn(r, olivia, 'adult_use')).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const gavin = customerId(r, 'Gavin', 'Reyes');
    expect((await prepare(r, gavin)).refusals.map((x) => x.code)).toEqual(['identification_expired']);

    const walter = customerId(r, 'Walter', 'Briggs');
    const walterPrepared = await prepare(r, walter);
    expect(walterPrepared.refusals.map((x) => x.code)).toEqual(['medical_document_expired']);
    expect(walterPrepared.refusals[0]!.message).toContain('medical card expired on 01/31/2025');

    const marcus = customerId(r, 'Marcus', 'Bell');
    const nineteen = `${new Date().getUTCFullYear() - 19}-01-01`;
    sql(r, `UPDATE customers SET date_of_birth = ? WHERE id = ?`, nineteen, marcus);
    const young = await prepare(r, marcus);
    expect(young.refusals.map((x) => x.code)).toEqual(['under_age']);
    expect(young.refusals[0]!.message).toBe('Marcus Bell is 19 — adult-use sales need 21 or older.');
    expect(await checkIn(r, marcus, 'adult_use')).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const dana = customerId(r, 'Dana', 'Kowalski');
    sql(r, `UPDATE customers SET warning_1 = 1, notes = 'Prefers edibles.' WHERE id = ?`, dana);
    const danaPrepared = await prepare(r, dana);
    expect(danaPrepared.refusals).toEqual([]);
    expect(danaPrepared.warnings).toHaveLength(1);
    expect(danaPrepared.notes).toBe('Prefers edibles.');
    // Residency unknown (no licence state): the stricter non-resident limits.
    expect(danaPrepared.allotment.status).toBe('legal_limits');
    expect(danaPrepared.allotment.limits.map((l) => [l.limitId, l.amount, l.unit])).toEqual([
      ['flower', 15_000, 'mg'],
      ['concentrate', 2_500, 'mg'],
      ['infused_thc', 250, 'mg_thc'],
    ]);
    sql(r, `UPDATE customers SET licence_state = 'IL' WHERE id = ?`, dana);
    expect((await prepare(r, dana)).allotment.limits.map((l) => l.amount)).toEqual([30_000, 5_000, 500]);
    expect((await checkIn(r, dana, 'adult_use', { allotments: [{ limitId: 'flower', amount: 30_001 }] })).ok).toBe(false);
    expect((await checkIn(r, dana, 'adult_use', { allotments: [{ limitId: 'flower', amount: 10_000 }] })).ok).toBe(true);
    expect((await prepare(r, dana)).refusals.map((x) => x.code)).toEqual(['already_checked_in']);
  });
});

describe('caregivers', () => {
  it('nests a patient checked in after their caregiver and looks the allotment up with the caregiver\'s card', async () => {
    const r = await start();
    await login(r);
    const grace = customerId(r, 'Grace', 'Chen');
    const lily = customerId(r, 'Lily', 'Chen');
    sql(r, `INSERT INTO customer_profiles (customer_id, caregiver_customer_id, updated_at) VALUES (?, ?, ?)`, lily, grace, Date.now());

    // A minor patient alone: only through the caregiver.
    expect((await prepare(r, lily)).refusals.map((x) => x.code)).toContain('needs_caregiver');

    const gracePrepared = await prepare(r, grace);
    expect(gracePrepared.allotment.status).toBe('not_required');
    const graceEntry = value<{ id: string }>(await checkIn(r, grace, 'caregiver'));
    const olivia = customerId(r, 'Olivia', 'Hart');
    value(await checkIn(r, olivia, 'adult_use'));

    const lilyPrepared = await prepare(r, lily);
    expect(lilyPrepared.refusals).toEqual([]);
    expect(lilyPrepared.nestUnder?.entryId).toBe(graceEntry.id);
    expect(lilyPrepared.allotment).toMatchObject({ status: 'state_system', caregiverCardId: 'CG4M7P2W9Q' });
    value(await checkIn(r, lily, 'medical'));

    const view = value<View>(await r.call('queue.list', {}));
    expect(view.entries.map((e) => [e.displayName, e.parentEntryId === null ? null : 'nested'])).toEqual([
      ['Grace Chen', null],
      ['Lily Chen', 'nested'],
      ['Olivia Hart', null],
    ]);
    // Removing the caregiver takes the nested patient along.
    value(await r.call('queue.remove', { commandId: ulid(), entryId: graceEntry.id }));
    expect(value<View>(await r.call('queue.list', {})).entries.map((e) => e.displayName)).toEqual(['Olivia Hart']);
  });
});

describe('the queue: order, removal, clearing, restarts and events', () => {
  it('keeps a reorder, a removal and a clear across restarts, and tells every screen', async () => {
    const temp = tempDir();
    cleanups.push(temp.cleanup);
    let r = await start({}, temp.dir);
    await login(r);
    const other = r.register.connect(() => undefined);
    const otherEvents: Array<{ event: string; payload: unknown }> = [];
    const watcher = r.register.connect((event) => otherEvents.push(event));
    for (const [first, last] of [['Olivia', 'Hart'], ['Marcus', 'Bell'], ['Dana', 'Kowalski']] as const) {
      value(await checkIn(r, customerId(r, first, last), 'adult_use'));
    }
    let view = value<View>(await r.call('queue.list', {}));
    expect(view.entries.map((e) => e.displayName)).toEqual(['Olivia Hart', 'Marcus Bell', 'Dana Kowalski']);
    const [olivia, marcus, dana] = view.entries.map((e) => e.id) as [string, string, string];

    expect(await r.call('queue.reorder', { commandId: ulid(), order: [dana, olivia] })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const reorderCommand = ulid();
    value(await r.call('queue.reorder', { commandId: reorderCommand, order: [dana, olivia, marcus] }));
    // The same command again is applied once.
    value(await r.call('queue.reorder', { commandId: reorderCommand, order: [dana, olivia, marcus] }));
    value(await r.call('queue.remove', { commandId: ulid(), entryId: olivia }));
    const last = otherEvents.filter((e) => e.event === 'queue.changed').at(-1)?.payload as View;
    expect(last.entries.map((e) => e.displayName)).toEqual(['Dana Kowalski', 'Marcus Bell']);
    other.close();
    watcher.close();

    await r.close();
    open.splice(open.indexOf(r), 1);
    r = await start({}, temp.dir);
    await login(r);
    view = value<View>(await r.call('queue.list', {}));
    expect(view.entries.map((e) => e.displayName)).toEqual(['Dana Kowalski', 'Marcus Bell']);
    expect(view.showClearButton).toBe(false);

    // Clearing needs the setting, which only a manager may turn on.
    expect(await r.call('queue.clear', { commandId: ulid() })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await r.call('queue.settings.save', { commandId: ulid(), showClearButton: true })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await login(r, '2222');
    expect(value<View>(await r.call('queue.settings.save', { commandId: ulid(), showClearButton: true })).showClearButton).toBe(true);
    expect(value<View>(await r.call('queue.clear', { commandId: ulid() })).entries).toEqual([]);

    await r.close();
    open.splice(open.indexOf(r), 1);
    r = await start({}, temp.dir);
    await login(r);
    view = value<View>(await r.call('queue.list', {}));
    expect(view.entries).toEqual([]);
    expect(view.showClearButton).toBe(true);
    const actions = sql<Array<{ action: string }>>(r, `SELECT action FROM audit_events WHERE action LIKE 'queue.%' ORDER BY seq`).map((a) => a.action);
    expect(actions).toEqual(['queue.check_in', 'queue.check_in', 'queue.check_in', 'queue.reorder', 'queue.remove', 'queue.settings.save', 'queue.clear']);
  });

  it("names the customer's photo for the tile only when it is an image a screen can show", async () => {
    const r = await start();
    await login(r);
    const olivia = customerId(r, 'Olivia', 'Hart');
    value(await checkIn(r, olivia, 'adult_use'));
    const photoOf = async () =>
      value<{ entries: Array<{ customerId: string; photoDocumentId: string | null; initials: string }> }>(await r.call('queue.list', {})).entries.find(
        (e) => e.customerId === olivia,
      )!;
    expect(await photoOf()).toMatchObject({ photoDocumentId: null, initials: 'OH' });

    const add = async (mime: string, bytes: Buffer) => {
      const uploadId = ulid();
      value(await r.call('customers.uploadPart', { uploadId, index: 0, dataBase64: bytes.toString('base64') }));
      return value<{ id: string }>(
        await r.call('customers.addDocument', { commandId: ulid(), customerId: olivia, kind: 'profile_photo', mime, source: { from: 'upload', uploadId }, useAsPhoto: true }),
      ).id;
    };
    // A PDF as the photo: no image a tile can draw, so initials.
    await add('application/pdf', Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'));
    expect((await photoOf()).photoDocumentId).toBeNull();
    // A PNG: the tile shows it.
    const png = await add('image/png', Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'));
    expect((await photoOf()).photoDocumentId).toBe(png);
  });

  it('finds customers by name for a quick check-in', async () => {
    const r = await start();
    await login(r);
    const hits = value<Array<{ displayName: string; inQueue: boolean }>>(await r.call('queue.findCustomers', { query: 'chen' }));
    expect(hits.map((h) => h.displayName).sort()).toEqual(['Grace Chen', 'Lily Chen']);
    expect(value<unknown[]>(await r.call('queue.findCustomers', { query: 'ro del' }))).toHaveLength(1);
    // Any case, either name first; each word the start of a first or last name (read from the name indexes).
    const names = async (query: string) => value<Array<{ displayName: string }>>(await r.call('queue.findCustomers', { query })).map((h) => h.displayName);
    expect(await names('GRACE')).toEqual(['Grace Chen']);
    expect(await names('chen gr')).toEqual(['Grace Chen']);
    expect(await names('race')).toEqual([]);
  });
});
