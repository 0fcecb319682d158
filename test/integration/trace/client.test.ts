/** The BioTrack v1 client against the sandbox: every action, session handling, defensive parsing. */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { postText } from '../../../main/trace/biotrack/http.js';
import { asFlag, parseAnswer } from '../../../main/trace/biotrack/parse.js';
import type { BioTrackSandbox } from '../../../main/trace/biotrack/sandbox/server.js';
import type { TraceSale } from '../../../main/trace/provider.js';
import { CAREGIVER_OF_LILY, EXPIRED_PATIENT, FLOWER, LILY, PATIENT, BIG_FLOWER, providerFor, startSandbox } from '../../support/trace.js';

let sandbox: BioTrackSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

const sale = (overrides: Partial<TraceSale> = {}): TraceSale => ({
  terminalId: '1',
  saleTime: Date.now(),
  cardId: PATIENT,
  lines: [{ barcode: FLOWER, quantity: 2, unitPriceCents: 4500 }],
  ...overrides,
});

describe('BioTrack v1 client against the sandbox', () => {
  test('login opens a session that later calls reuse', async () => {
    const client = providerFor(sandbox);
    expect((await client.login()).ok).toBe(true);
    expect((await client.ping()).ok).toBe(true);
    expect((await client.ping()).ok).toBe(true);
    expect(client.loginCount).toBe(1);
    expect(sandbox.state.logins).toBe(1);
  });

  test('a wrong password is auth_failed, for login and for writes', async () => {
    const client = providerFor(sandbox, { password: 'wrong' });
    const login = await client.login();
    expect(login).toMatchObject({ ok: false, kind: 'auth_failed' });
    expect(await client.dispense(sale(), 'n-auth')).toMatchObject({ kind: 'auth_failed' });
    expect(sandbox.state.sales).toHaveLength(0);
  });

  test('card_lookup gives status, expiry and the allotment with its unit', async () => {
    const client = providerFor(sandbox);
    const found = await client.lookupPatient({ cardId: PATIENT });
    expect(found).toEqual({
      ok: true,
      value: { cardId: PATIENT, status: 'active', expiresOn: '2029-09-30', allotment: { amount: '70.87', unit: 'g' }, caregiverCardId: null, cardKey: sandbox.state.cardKeyFor(PATIENT), raw: null },
    });
    const viaCaregiver = await client.lookupPatient({ cardId: LILY, caregiverCardId: CAREGIVER_OF_LILY });
    expect(viaCaregiver.ok && viaCaregiver.value.caregiverCardId).toBe(CAREGIVER_OF_LILY);
    const missing = await client.lookupPatient({ cardId: 'MP0000000000' });
    expect(missing.ok && missing.value.status).toBe('not_found');
    const expired = await client.lookupPatient({ cardId: EXPIRED_PATIENT });
    expect(expired).toMatchObject({ ok: false, kind: 'rejected' });
  });

  test('dispense, the allotment it uses, void and refund', async () => {
    const client = providerFor(sandbox);
    const dispensed = await client.dispense(sale(), 'n-1');
    expect(dispensed.kind).toBe('accepted');
    const id = dispensed.kind === 'accepted' ? dispensed.remoteTxnId : '';
    const after = await client.lookupPatient({ cardId: PATIENT });
    expect(after.ok && after.value.allotment).toEqual({ amount: '63.87', unit: 'g' });
    const refund = await client.refund({ remoteTxnId: id, refundTime: Date.now(), lines: [{ barcode: FLOWER, quantity: 1, unitPriceCents: 4500 }] }, 'n-2');
    expect(refund.kind).toBe('accepted');
    const afterRefund = await client.lookupPatient({ cardId: PATIENT });
    expect(afterRefund.ok && afterRefund.value.allotment?.amount).toBe('67.37');
    const voided = await client.void({ remoteTxnId: id }, 'n-3');
    expect(voided.kind).toBe('accepted');
    expect(sandbox.state.sales.find((s) => String(s.transactionid) === id)?.deleted).toBe(true);
    expect(await client.void({ remoteTxnId: id }, 'n-4')).toMatchObject({ kind: 'rejected' });
  });

  test('business refusals are rejections: allotment, possession, expired card', async () => {
    const client = providerFor(sandbox);
    expect(await client.dispense(sale({ lines: [{ barcode: BIG_FLOWER, quantity: 3, unitPriceCents: 100 }] }), 'a')).toMatchObject({ kind: 'rejected', code: '606' });
    expect(await client.dispense(sale({ lines: [{ barcode: '9999999999999999', quantity: 1, unitPriceCents: 100 }] }), 'b')).toMatchObject({ kind: 'rejected', code: '602' });
    expect(await client.dispense(sale({ cardId: EXPIRED_PATIENT }), 'c')).toMatchObject({ kind: 'rejected', code: '605' });
    expect(sandbox.state.sales).toHaveLength(0);
  });

  test('findSales lists sales since a transaction id, grouped from sync_sale rows', async () => {
    const client = providerFor(sandbox);
    const first = await client.dispense(sale(), 'f1');
    await client.dispense(sale({ lines: [{ barcode: FLOWER, quantity: 1, unitPriceCents: 4000 }, { barcode: BIG_FLOWER, quantity: 1, unitPriceCents: 9000 }] }), 'f2');
    const all = await client.findSales({});
    expect(all.ok && all.value).toHaveLength(2);
    const since = await client.findSales({ sinceRemoteTxnId: String(Number(first.kind === 'accepted' ? first.remoteTxnId : 0) + 1) });
    expect(since.ok && since.value.map((s) => s.lines.length)).toEqual([2]);
  });

  test.each(['response', 'result'] as const)('reconcile finds a sale by nonce_replay (stored answer under "%s"), else by sync_sale, else says absent', async (shape) => {
    sandbox.state.modes.nonceReplay = shape;
    const client = providerFor(sandbox);
    const s = sale();
    const accepted = await client.dispense(s, 'r1');
    const id = accepted.kind === 'accepted' ? accepted.remoteTxnId : '';
    const query = { write: { kind: 'dispense' as const, sale: s }, idempotencyKey: 'r1', sentAt: Date.now(), attemptTimes: [], isClaimed: () => false, watermark: null };
    expect(await client.reconcile(query)).toEqual({ kind: 'found', remoteTxnId: id, how: 'nonce_replay' });
    // Another nonce, same contents: only sync_sale can find it, and not once its id is claimed.
    expect(await client.reconcile({ ...query, idempotencyKey: 'never-sent' })).toEqual({ kind: 'found', remoteTxnId: id, how: 'sync_sale' });
    expect(await client.reconcile({ ...query, idempotencyKey: 'never-sent', isClaimed: (remote) => remote === id })).toEqual({ kind: 'absent', how: 'sync_sale' });
  });

  test('nonce_replay refused (62, the default): the sales list decides, by content, however late the sale was recorded', async () => {
    const client = providerFor(sandbox);
    // Made 3 hours ago, recorded now: sessiontime is the receipt time, far from the sale time.
    const s = sale({ saleTime: Date.now() - 3 * 3600_000 });
    const accepted = await client.dispense(s, 'late-1');
    const id = accepted.kind === 'accepted' ? accepted.remoteTxnId : '';
    expect(Math.abs(sandbox.state.sales[0]!.sessiontime * 1000 - Date.now())).toBeLessThan(60_000);
    const query = { write: { kind: 'dispense' as const, sale: s }, idempotencyKey: 'late-1', sentAt: Date.now(), attemptTimes: [], isClaimed: () => false, watermark: null };
    expect(await client.reconcile(query)).toEqual({ kind: 'found', remoteTxnId: id, how: 'sync_sale' });
    expect(sandbox.calls().nonce_replay).toBe(1);
  });

  test('two equal candidates and no time to tell them apart: ambiguous, never absent', async () => {
    sandbox.state.modes.sessiontime = 'sale_time';
    const client = providerFor(sandbox);
    const s = sale({ saleTime: Date.now() - 5 * 3600_000 });
    await client.dispense(s, 'twin-1');
    await client.dispense(s, 'twin-2');
    const query = { write: { kind: 'dispense' as const, sale: s }, idempotencyKey: 'never', sentAt: Date.now(), attemptTimes: [Date.now() - 4 * 3600_000], isClaimed: () => false, watermark: null };
    const outcome = await client.reconcile(query);
    expect(outcome.kind).toBe('ambiguous');
    expect(outcome.kind === 'ambiguous' && outcome.candidates.map((c) => c.remoteTxnId)).toHaveLength(2);
  });

  test('session expiry (errorcode 63) logs in again and repeats the request once', async () => {
    const client = providerFor(sandbox);
    await client.login();
    sandbox.setFaults({ expireSessions: true });
    expect((await client.dispense(sale(), 'e1')).kind).toBe('accepted');
    expect(client.loginCount).toBe(2);
    sandbox.setFaults({ rules: [{ action: 'sale_dispense', fault: 'session_expired' }] });
    expect((await client.dispense(sale(), 'e2')).kind).toBe('accepted');
    expect(client.loginCount).toBe(3);
    expect(sandbox.state.sales).toHaveLength(2);
  });

  test('nosession mode sends the credentials on every call and never logs in', async () => {
    const client = providerFor(sandbox, { nosession: true });
    expect((await client.dispense(sale(), 'ns1')).kind).toBe('accepted');
    expect((await client.ping()).ok).toBe(true);
    expect(sandbox.state.logins).toBe(0);
    const wrong = providerFor(sandbox, { nosession: true, password: 'nope' });
    expect((await wrong.dispense(sale(), 'ns2')).kind).toBe('auth_failed');
  });

  test('the training flag keeps sales out of the live ledger', async () => {
    const client = providerFor(sandbox, { training: true });
    expect((await client.dispense(sale(), 't1')).kind).toBe('accepted');
    expect(sandbox.state.sales[0]?.training).toBe(true);
    const live = await providerFor(sandbox).lookupPatient({ cardId: PATIENT });
    expect(live.ok && live.value.allotment?.amount).toBe('70.87');
  });

  test('a user without the privilege gets errorcode 62, a rejection', async () => {
    const client = providerFor(sandbox, { username: 'limited', password: 'limited-password' });
    expect(await client.dispense(sale(), 'p1')).toMatchObject({ kind: 'rejected', code: '62' });
  });

  test('sync_inventory and the API version check (raw requests)', async () => {
    const client = providerFor(sandbox, { nosession: true });
    void client;
    const auth = { nosession: 1, license_number: 'DEMO-600100200', username: 'demo.register', password: 'demo-sandbox-password' };
    const inventory = await postText(sandbox.url, JSON.stringify({ API: '4.0', action: 'sync_inventory', ...auth }), 1000);
    expect(inventory.kind === 'response' && JSON.parse(inventory.body).inventory.find((i: { id: string }) => i.id === FLOWER)).toMatchObject({ usableweight: '3.5', inventorytype: '28' });
    const old = await postText(sandbox.url, JSON.stringify({ API: '3.0', action: 'sync_check', ...auth }), 1000);
    expect(old.kind === 'response' && JSON.parse(old.body)).toMatchObject({ success: 0, errorcode: '17' });
  });

  test('a refused connection is not_sent; a timeout after connecting is unknown', async () => {
    const client = providerFor(sandbox);
    await sandbox.setOffline(true);
    expect(await client.dispense(sale(), 'o1')).toMatchObject({ kind: 'not_sent' });
    await sandbox.setOffline(false);
    sandbox.setFaults({ rules: [{ action: 'sale_dispense', fault: 'timeout_before_commit' }] });
    expect(await client.dispense(sale(), 'o2')).toMatchObject({ kind: 'unknown' });
    expect(sandbox.state.sales).toHaveLength(0);
  });

  test.each([
    ['http_5xx', 'unknown', 0],
    ['html_error', 'unknown', 0],
    ['malformed_json', 'unknown', 1],
    ['header_leak', 'accepted', 1],
    ['timeout_after_commit', 'unknown', 1],
    ['repeated_nonce', 'unknown', 0],
    ['slow', 'accepted', 1],
    ['patient_not_found', 'rejected', 0],
    ['card_expired', 'rejected', 0],
    ['allotment_exceeded', 'rejected', 0],
    ['barcode_not_in_possession', 'rejected', 0],
    ['missing_privilege', 'rejected', 0],
  ] as const)('fault %s → %s (%i sale in the sandbox)', async (fault, outcome, sales) => {
    const client = providerFor(sandbox);
    sandbox.setFaults({ rules: [{ action: 'sale_dispense', fault, delayMs: fault === 'slow' ? 50 : undefined }] });
    expect((await client.dispense(sale(), `fault-${fault}`)).kind).toBe(outcome);
    expect(sandbox.state.sales).toHaveLength(sales);
  });
});

describe('defensive parsing', () => {
  test('success as 0/1 or strings, errorcode as text, header text before the JSON, HTML pages', () => {
    expect(parseAnswer('{"success":"1","transactionid":4857}')).toMatchObject({ kind: 'ok' });
    expect(parseAnswer('{"success":0,"errorcode":602,"error":"x"}')).toMatchObject({ kind: 'error', code: '602', message: 'x' });
    expect(parseAnswer('{"success":"0","error":"Invalid username or password."}')).toMatchObject({ kind: 'error', code: null });
    expect(parseAnswer('Content-Type: text/plain\r\n\r\n{"success":1}')).toMatchObject({ kind: 'ok' });
    expect(parseAnswer('<!DOCTYPE html><html>502</html>')).toMatchObject({ kind: 'unreadable' });
    expect(parseAnswer('{"success":1,"transac')).toMatchObject({ kind: 'unreadable' });
    expect(parseAnswer('')).toMatchObject({ kind: 'unreadable' });
    expect(parseAnswer('{"transactionid":"1"}')).toMatchObject({ kind: 'unreadable' });
    expect([asFlag(1), asFlag('1'), asFlag(true), asFlag('0'), asFlag(0), asFlag('yes')]).toEqual([true, true, true, false, false, null]);
  });
});
