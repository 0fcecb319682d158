/**
 * Contract tests of the Metrc v2 provider against the Metrc sandbox on loopback: login and keys,
 * patient status in every not-found shape, the 60-second cache, a sale's frozen body, 400, 413,
 * 429 and 401, void, refund and the reconciliation of an unknown outcome.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { MetrcSandbox } from '../../../main/trace/metrc/sandbox/server.js';
import { metrcRequest } from '../../../main/trace/metrc/http.js';
import { facilityTime, readCall, writeOutcomeOf } from '../../../main/trace/metrc/client.js';
import { providerAllotmentSource } from '../../../main/queue/allotment-source.js';
import { openTestStore, outboxRows, settle } from '../../support/trace.js';
import {
  IL,
  IL_BIG_FLOWER,
  IL_CAREGIVER,
  IL_EXPIRED,
  IL_FLOWER,
  IL_PATIENT,
  OK,
  OK_CAREGIVER,
  OK_CAREGIVER_PATIENT,
  OK_FLOWER,
  metrcEngine,
  metrcProvider,
  queueMetrcSale,
  startMetrc,
} from '../../support/metrc.js';

let sandbox: MetrcSandbox;
beforeAll(async () => {
  sandbox = await startMetrc();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset();
});

const sale = (overrides: Partial<{ cardId: string; caregiverCardId: string | null; barcode: string; quantity: number; saleTime: number }> = {}) => ({
  terminalId: '1',
  saleTime: overrides.saleTime ?? Date.UTC(2026, 11, 6, 22, 15, 30),
  cardId: overrides.cardId ?? IL_PATIENT,
  caregiverCardId: overrides.caregiverCardId ?? null,
  lines: [{ barcode: overrides.barcode ?? IL_FLOWER, quantity: overrides.quantity ?? 1, unitPriceCents: 4500 }],
});

describe('keys', () => {
  test('good keys log in and keep the facility; wrong keys and a v1-only key are auth_failed', async () => {
    expect(await metrcProvider(sandbox).login()).toMatchObject({ ok: true });
    expect(await metrcProvider(sandbox, 'IL', { userKey: 'wrong' }).login()).toMatchObject({ ok: false, kind: 'auth_failed' });
    const legacy = await metrcProvider(sandbox, 'IL', { userKey: 'demo-user-key-legacy' }).login();
    expect(legacy).toMatchObject({ ok: false, kind: 'auth_failed' });
    expect(legacy.ok ? '' : legacy.message).toContain('only valid for V1');
    // A key for another facility: refused for this licence.
    expect(await metrcProvider(sandbox, 'IL', { userKey: OK.userKey }).login()).toMatchObject({ ok: false, kind: 'auth_failed' });
  });
});

describe('patient status', () => {
  test('an active patient: the smallest flower figure in ounces, per category, as of a minute ago', async () => {
    const before = Date.now();
    const result = await metrcProvider(sandbox).lookupPatient({ cardId: IL_PATIENT });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ status: 'active', allotment: { amount: '2.5', unit: 'oz' }, expiresOn: '2029-09-30' });
    expect(result.value.categories?.map((c) => c.stateCategory)).toEqual(['Flower', 'Concentrate', 'Infused']);
    expect(result.value.categories?.[0]?.productCategories).toContain('pre_roll');
    expect(result.value.asOf).toBeLessThanOrEqual(before - 59_000);
  });

  test.each(['404', '400', 'empty', 'inactive'] as const)('not found as %s: allotment 0 and a refusal at check-in', async (shape) => {
    sandbox.setFaults({ modes: { patientNotFound: shape } });
    const provider = metrcProvider(sandbox);
    const result = await provider.lookupPatient({ cardId: 'NOT-A-PATIENT' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.status).toBe(shape === 'inactive' ? 'inactive' : 'not_found');
    expect(Number(result.value.allotment?.amount ?? '0')).toBe(0);
    const checkIn = await providerAllotmentSource(() => provider).lookup({ cardId: 'NOT-A-PATIENT', caregiverCardId: null });
    expect(['not_found', 'refused']).toContain(checkIn.kind);
    expect('message' in checkIn ? checkIn.message : '').toMatch(/Metrc/);
  });

  test('an expired licence is inactive, never active', async () => {
    const result = await metrcProvider(sandbox).lookupPatient({ cardId: IL_EXPIRED });
    expect(result).toMatchObject({ ok: true, value: { status: 'inactive' } });
  });

  test('a caregiver: active and listing the patient; another patient is refused', async () => {
    const ok = await metrcProvider(sandbox, 'OK').lookupPatient({ cardId: OK_CAREGIVER_PATIENT, caregiverCardId: OK_CAREGIVER });
    expect(ok).toMatchObject({ ok: true, value: { status: 'active', caregiverCardId: OK_CAREGIVER } });
    const wrong = await metrcProvider(sandbox).lookupPatient({ cardId: IL_PATIENT, caregiverCardId: IL_CAREGIVER });
    expect(wrong).toMatchObject({ ok: false, kind: 'rejected' });
  });

  test('the status is cached for a minute: a sale shows only once the cache expired', async () => {
    const provider = metrcProvider(sandbox);
    await provider.lookupPatient({ cardId: IL_PATIENT });
    expect(await provider.dispense(sale({ barcode: IL_BIG_FLOWER }), 'k', { outboxId: 'CACHE-1' })).toMatchObject({ kind: 'accepted' });
    const cached = await provider.lookupPatient({ cardId: IL_PATIENT });
    expect(cached.ok && cached.value.allotment?.amount).toBe('2.5');
    sandbox.state.clockOffsetMs += 61_000;
    const fresh = await provider.lookupPatient({ cardId: IL_PATIENT });
    expect(fresh.ok && Number(fresh.value.allotment?.amount)).toBeCloseTo(2.5 - 28 / 28.3495, 3);
  });
});

describe('sales', () => {
  test('a patient sale: ExternalReceiptNumber is the outbox row, SalesDateTime the facility time, the package unit', async () => {
    const at = Date.UTC(2026, 11, 6, 22, 15, 30); // 16:15:30 in Chicago
    const outcome = await metrcProvider(sandbox).dispense(sale({ saleTime: at }), 'nonce', { outboxId: '01TESTROW' });
    expect(outcome).toMatchObject({ kind: 'accepted' });
    const [receipt] = sandbox.state.receipts;
    expect(receipt).toMatchObject({
      ExternalReceiptNumber: '01TESTROW',
      SalesDateTime: '2026-12-06T16:15:30.000',
      SalesCustomerType: 'Patient',
      PatientLicenseNumber: IL_PATIENT,
      CaregiverLicenseNumber: null,
      Transactions: [{ PackageLabel: IL_FLOWER, Quantity: 1, UnitOfMeasure: 'Each', TotalAmount: 45 }],
    });
    expect(String(receipt!.Id)).toBe(outcome.kind === 'accepted' ? outcome.remoteTxnId : '');
    expect(facilityTime(Date.UTC(2026, 6, 1, 5, 0, 0), 'America/Chicago')).toBe('2026-07-01T00:00:00.000');
  });

  test('an Oklahoma caregiver sale carries both licence numbers', async () => {
    const outcome = await metrcProvider(sandbox, 'OK').dispense(
      { ...sale({ cardId: OK_CAREGIVER_PATIENT, caregiverCardId: OK_CAREGIVER }), lines: [{ barcode: OK_FLOWER, quantity: 2, unitPriceCents: 3000 }] },
      'n',
      { outboxId: 'OKCG1' },
    );
    expect(outcome).toMatchObject({ kind: 'accepted' });
    expect(sandbox.state.receipts[0]).toMatchObject({ facility: OK.licenseNumber, SalesCustomerType: 'Caregiver', PatientLicenseNumber: OK_CAREGIVER_PATIENT, CaregiverLicenseNumber: OK_CAREGIVER });
  });

  test('400: rejected with Metrc\'s message, and the worker never sends it again by itself', async () => {
    const db = openTestStore();
    try {
      // Three 28 g packages: over 2.5 oz in 14 days.
      queueMetrcSale(db.store, { lines: [{ barcode: IL_BIG_FLOWER, quantity: 3, unitPriceCents: 20000 }] });
      const engine = metrcEngine(db.store, sandbox);
      await settle(engine);
      await settle(engine);
      const [row] = outboxRows(db.store);
      expect(row).toMatchObject({ state: 'rejected', attempts: 1, lastErrorCode: '400' });
      expect(row!.lastError).toMatch(/exceed the flower allotment/);
      expect(sandbox.calls()['POST /sales/v2/receipts']).toBe(1);
    } finally {
      db.cleanup();
    }
  });

  test('413: more than 10 receipts in one body; the provider posts one receipt per request', async () => {
    const provider = metrcProvider(sandbox);
    const body = Array.from({ length: 11 }, (_, i) => provider.receiptBody(sale(), `X${i}`));
    const raw = readCall(await metrcRequest('POST', `${sandbox.url}/sales/v2/receipts?licenseNumber=${IL.licenseNumber}`, { authorization: `Basic ${Buffer.from(`${IL.vendorKey}:${IL.userKey}`).toString('base64')}`, body, timeoutMs: 2000 }));
    expect(raw).toMatchObject({ kind: 'answer', status: 413 });
    expect(writeOutcomeOf(raw)).toMatchObject({ kind: 'rejected', code: '413' });
    expect(sandbox.state.receipts).toHaveLength(0);
  });

  test('SalesDateTime is frozen in the outbox row at sale time: a post retried after a 5xx, under a changed time zone, sends the same text', async () => {
    const db = openTestStore();
    try {
      const at = Date.UTC(2026, 11, 6, 22, 15, 30); // 16:15:30 in Chicago, 17:15:30 in New York
      const { outboxId } = queueMetrcSale(db.store, { saleTime: at });
      const request = JSON.parse((db.store.sqlite.prepare('SELECT request FROM trace_outbox WHERE id = ?').get(outboxId) as { request: string }).request) as {
        sale: { localTime?: string };
      };
      expect(request.sale.localTime).toBe('2026-12-06T16:15:30.000');

      // The first post meets a 502 page (nothing committed): outcome unknown, reconciled before anything is sent again.
      sandbox.setFaults({ rules: [{ route: 'POST /sales/v2/receipts', fault: 'http_5xx_html', nth: 1 }] });
      const first = metrcEngine(db.store, sandbox);
      expect(await first.step()).toBe('worked');
      expect(sandbox.state.receipts).toHaveLength(0);
      expect(sandbox.calls()['POST /sales/v2/receipts']).toBe(1);

      // Meanwhile the facility's time zone in Settings changed: the retry must not recompute the sale's time.
      const second = metrcEngine(db.store, sandbox, 'IL', { provider: metrcProvider(sandbox, 'IL', { timeZone: 'America/New_York' }) });
      await settle(second);
      expect(sandbox.calls()['POST /sales/v2/receipts']).toBe(2);
      expect(outboxRows(db.store)[0]).toMatchObject({ state: 'acknowledged' });
      expect(sandbox.state.receipts.map((receipt) => receipt.SalesDateTime)).toEqual(['2026-12-06T16:15:30.000']);

      // A row queued before the time was frozen (no localTime) is still sent, computed in the provider's zone.
      const old = queueMetrcSale(db.store, { saleTime: at, timeZone: null });
      expect(JSON.parse((db.store.sqlite.prepare('SELECT request FROM trace_outbox WHERE id = ?').get(old.outboxId) as { request: string }).request).sale).not.toHaveProperty('localTime');
      await settle(second);
      expect(sandbox.state.receipts.map((receipt) => receipt.SalesDateTime)).toEqual(['2026-12-06T16:15:30.000', '2026-12-06T17:15:30.000']);
    } finally {
      db.cleanup();
    }
  });

  test('429: a GET over the rate limit waits as long as Retry-After says, without counting a failure', async () => {
    sandbox.setFaults({ rateLimit: { perFacilityPerSecond: 1 } });
    const db = openTestStore();
    try {
      let now = Date.now() + 1000;
      const engine = metrcEngine(db.store, sandbox, 'IL', { clock: () => now });
      // Two packages the provider does not know yet: the second look-up is over the limit.
      queueMetrcSale(db.store, { lines: [{ barcode: IL_FLOWER, quantity: 1, unitPriceCents: 100 }, { barcode: IL_BIG_FLOWER, quantity: 1, unitPriceCents: 100 }] });
      expect(await engine.step()).toBe('worked');
      expect(outboxRows(db.store)[0]).toMatchObject({ state: 'pending' });
      expect(await engine.step()).toBe('waiting');
      expect(engine.status().online).toBe(true);
      now += 999;
      expect(await engine.step()).toBe('waiting');
      now += 1;
      await new Promise((resolve) => setTimeout(resolve, 1100)); // the sandbox's own bucket refills in real time
      expect(await engine.step()).toBe('worked');
      expect(outboxRows(db.store)[0]).toMatchObject({ state: 'acknowledged' });
    } finally {
      db.cleanup();
    }
  });

  test('401 mid-day (a key revoked): that queue halts, nothing is sent until the key works again', async () => {
    const db = openTestStore();
    try {
      const engine = metrcEngine(db.store, sandbox);
      for (let i = 0; i < 3; i++) queueMetrcSale(db.store);
      expect(await engine.step()).toBe('worked');
      sandbox.setFaults({ revokeKeys: [IL.userKey] });
      expect(await engine.step()).toBe('worked');
      const posts = sandbox.calls()['POST /sales/v2/receipts'];
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await engine.step()).toBe('waiting');
      }
      expect(sandbox.calls()['POST /sales/v2/receipts']).toBe(posts);
      expect(engine.status().problem).toMatch(/Metrc refused the credentials.*Correct the Metrc credentials/);
      expect(await engine.probe()).toBe(false);
      sandbox.setFaults({ restoreKeys: [IL.userKey] });
      expect(await engine.probe()).toBe(true);
      await settle(engine);
      expect(outboxRows(db.store).map((row) => row.state)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
      expect(sandbox.state.receipts).toHaveLength(3);
    } finally {
      db.cleanup();
    }
  });
});

describe('exactly once without an idempotency key', () => {
  test.each([
    ['timeout after commit, found by external number', 'timeout_after_commit', 'array'],
    ['timeout after commit, external lookup as one object', 'timeout_after_commit', 'object'],
    ['timeout after commit, only the lists know it', 'timeout_after_commit', 'missing'],
    ['empty answer', 'empty_answer', 'array'],
    ['timeout before commit: absent, sent again', 'timeout_before_commit', 'array'],
    ['a 5xx HTML page', 'http_5xx_html', 'missing'],
  ] as const)('%s', async (_name, fault, externalLookup) => {
    sandbox.setFaults({ modes: { externalLookup }, rules: [{ route: 'POST /sales/v2/receipts', fault, delayMs: 20 }] });
    const db = openTestStore();
    try {
      const { outboxId } = queueMetrcSale(db.store);
      const engine = metrcEngine(db.store, sandbox);
      await settle(engine);
      await new Promise((resolve) => setTimeout(resolve, 60));
      await settle(engine);
      const rows = outboxRows(db.store);
      expect(rows).toMatchObject([{ state: 'acknowledged' }]);
      const receipts = sandbox.state.receipts.filter((r) => r.ExternalReceiptNumber === outboxId);
      expect(receipts).toHaveLength(1);
      expect(rows[0]!.remoteTxnId).toBe(String(receipts[0]!.Id));
    } finally {
      db.cleanup();
    }
  });
});

describe('void and refund', () => {
  test('void = DELETE (the receipt archived, its package restored); refund = PUT with what stays sold, unfinalizing first', async () => {
    const provider = metrcProvider(sandbox);
    const first = await provider.dispense({ ...sale(), lines: [{ barcode: IL_FLOWER, quantity: 3, unitPriceCents: 1000 }] }, 'a', { outboxId: 'R1' });
    const second = await provider.dispense(sale(), 'b', { outboxId: 'R2' });
    if (first.kind !== 'accepted' || second.kind !== 'accepted') throw new Error('not accepted');
    const stock = () => sandbox.state.packageOf(IL.licenseNumber, IL_FLOWER)!.quantity;
    const before = stock();
    expect(await provider.void({ remoteTxnId: second.remoteTxnId })).toMatchObject({ kind: 'accepted' });
    expect(sandbox.state.receipts.find((r) => String(r.Id) === second.remoteTxnId)!.ArchivedDate).not.toBeNull();
    expect(stock()).toBe(before + 1);
    // A manager finalized the first receipt: the refund unfinalizes it, then replaces its lines.
    sandbox.state.setFinal(IL.licenseNumber, [Number(first.remoteTxnId)], true);
    const refund = { remoteTxnId: first.remoteTxnId, refundTime: Date.now(), lines: [{ barcode: IL_FLOWER, quantity: 1, unitPriceCents: 1000 }], remainingLines: [{ barcode: IL_FLOWER, quantity: 2, unitPriceCents: 1000 }] };
    expect(await provider.refund(refund)).toMatchObject({ kind: 'accepted' });
    const receipt = sandbox.state.receipts.find((r) => String(r.Id) === first.remoteTxnId)!;
    expect(receipt).toMatchObject({ IsFinal: false, Transactions: [{ Quantity: 2, TotalAmount: 20 }] });
    // Sending the same refund again changes nothing; reconciling it says it is applied.
    expect(await provider.refund(refund)).toMatchObject({ kind: 'accepted' });
    expect(receipt.Transactions[0]!.Quantity).toBe(2);
    const reconciled = await provider.reconcile({ write: { kind: 'refund', refund }, idempotencyKey: 'r', sentAt: Date.now(), attemptTimes: [], isClaimed: () => false, watermark: null });
    expect(reconciled).toMatchObject({ kind: 'found' });
    // Everything back: the receipt is removed (Metrc cannot update a sale to nothing).
    expect(await provider.refund({ ...refund, remainingLines: [] })).toMatchObject({ kind: 'accepted' });
    expect(receipt.ArchivedDate).not.toBeNull();
  });
});

describe('packages (Products › Receive stock)', () => {
  test('lists every active package of the facility across pages, mapped onto the register categories, less what was sold', async () => {
    const provider = metrcProvider(sandbox);
    const listed = await provider.listPackages();
    if (!listed.ok) throw new Error(listed.message);
    // The Illinois demo facility holds 30 active packages: two pages of at most 20.
    expect(listed.value).toHaveLength(30);
    const flower = listed.value.find((pkg) => pkg.label === IL_FLOWER)!;
    expect(flower).toMatchObject({ name: 'Prairie Sunset Flower 3.5g', stateCategory: 'Packaged Flower (Final Form)', suggestedCategory: 'flower', quantity: 100000 });
    expect(flower.usableWeightMg).toBe(Math.round(0.1235 * 28.349523125 * 1000));
    expect(listed.value.filter((pkg) => pkg.suggestedCategory === null).map((pkg) => pkg.stateCategory)).toEqual([]);

    expect(await provider.dispense(sale(), 'packages-sale-1')).toMatchObject({ kind: 'accepted' });
    const after = await provider.listPackages();
    if (!after.ok) throw new Error(after.message);
    expect(after.value.find((pkg) => pkg.label === IL_FLOWER)!.quantity).toBe(99999);
  });

  test('a key without the View Packages permission is refused as a credentials problem', async () => {
    sandbox.reset();
    const listed = await metrcProvider(sandbox, 'IL', { userKey: OK.userKey }).listPackages();
    expect(listed).toMatchObject({ ok: false, kind: 'auth_failed' });
  });
});
