/**
 * The BioTrack sandbox's modes really disagree with the client (issue 20): each mode is checked
 * here with raw requests, so a mode that silently did nothing would fail this file rather than let
 * the chaos test pass against a sandbox that agrees with every guess. Then the client's patient
 * link setting against both patient-link modes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { postText } from '../../../main/trace/biotrack/http.js';
import type { BioTrackSandbox } from '../../../main/trace/biotrack/sandbox/server.js';
import { DEFAULT_SANDBOX_MODES, type SandboxModesInput } from '../../../main/trace/biotrack/sandbox/state.js';
import type { PatientLink } from '../../../main/trace/biotrack/client.js';
import type { TraceSale } from '../../../main/trace/provider.js';
import { DEMO_TRACE_ACCOUNT } from '../../../main/trace/config.js';
import { FLOWER, PATIENT, providerFor, startSandbox } from '../../support/trace.js';

let sandbox: BioTrackSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

const AUTH = { nosession: 1, license_number: DEMO_TRACE_ACCOUNT.licenseNumber, username: DEMO_TRACE_ACCOUNT.username, password: DEMO_TRACE_ACCOUNT.password };
const HOUR_S = 3600;

function modes(input: SandboxModesInput): void {
  sandbox.setFaults({ modes: input });
}

async function ask(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const result = await postText(sandbox.url, JSON.stringify({ API: '4.0', ...AUTH, ...body }), 2_000);
  if (result.kind !== 'response') throw new Error(`no answer: ${result.reason}`);
  return JSON.parse(result.body) as Record<string, unknown>;
}

async function cardKey(): Promise<string> {
  const lookup = await ask({ action: 'card_lookup', card_id: PATIENT });
  expect(typeof lookup.card_key).toBe('string');
  return lookup.card_key as string;
}

/** A dispense naming the patient as the patient-link mode wants it. */
async function dispense(nonce: string, saleTimeS = Math.floor(Date.now() / 1000), price = '45.00'): Promise<Record<string, unknown>> {
  const link = sandbox.state.modes.patientLink === 'card_key' ? { card_key: await cardKey() } : { card_id: PATIENT };
  return ask({ action: 'sale_dispense', nonce, terminal_id: '1', sale_time: saleTimeS, ...link, data: [{ barcodeid: FLOWER, quantity: 1, price }] });
}

async function listed(): Promise<Array<Record<string, unknown>>> {
  const answer = await ask({ action: 'sync_sale', download: 1 });
  return answer.sale as Array<Record<string, unknown>>;
}

describe('the defaults follow the evidence, not the client', () => {
  test('sessiontime at receipt, nonces burned, nonce_replay refused, card_key required, evidence-shaped card_lookup', () => {
    expect(DEFAULT_SANDBOX_MODES).toEqual({ sessiontime: 'receipt', nonces: 'burned', nonceReplay: 'refused', patientLink: 'card_key', cardLookup: 'evidence' });
    expect(sandbox.state.modes).toEqual(DEFAULT_SANDBOX_MODES);
  });
});

describe('sessiontime', () => {
  test('receipt (the default): a sale made 3 hours ago is stamped when it arrives', async () => {
    const made = Math.floor(Date.now() / 1000) - 3 * HOUR_S;
    expect(await dispense('st-1', made)).toMatchObject({ success: 1 });
    const [row] = await listed();
    expect(Math.abs(Number(row!.sessiontime) - Date.now() / 1000)).toBeLessThan(60);
    expect(Number(row!.sessiontime) - made).toBeGreaterThan(3 * HOUR_S - 60);
  });

  test('sale_time: the same sale carries its own sale time', async () => {
    modes({ sessiontime: 'sale_time' });
    const made = Math.floor(Date.now() / 1000) - 3 * HOUR_S;
    expect(await dispense('st-2', made)).toMatchObject({ success: 1 });
    const [row] = await listed();
    expect(Number(row!.sessiontime)).toBe(made);
  });
});

describe('nonces on writes', () => {
  test('burned (the default): a repeated nonce is refused, even when its first request was refused too', async () => {
    const first = await dispense('n-burned');
    expect(first).toMatchObject({ success: 1 });
    expect(await dispense('n-burned')).toMatchObject({ success: 0, errorcode: '607' });
    // A request refused on its content still uses up its nonce.
    expect(await ask({ action: 'sale_dispense', nonce: 'n-refused', terminal_id: '1', sale_time: 1, card_key: 'CK-nobody', data: [] })).toMatchObject({ success: 0 });
    expect(await dispense('n-refused', undefined, '46.00')).toMatchObject({ success: 0, errorcode: '607' });
    expect(sandbox.state.sales).toHaveLength(1);
  });

  test('kept: a repeated nonce gets the first answer again, and nothing is applied twice', async () => {
    modes({ nonces: 'kept' });
    const first = await dispense('n-kept');
    expect(first).toMatchObject({ success: 1 });
    expect(await dispense('n-kept')).toEqual(first);
    expect(sandbox.state.sales).toHaveLength(1);
  });

  test('off: nonces are ignored, and the same request sent twice is two sales', async () => {
    modes({ nonces: 'off' });
    const first = await dispense('n-off');
    const second = await dispense('n-off');
    expect(first).toMatchObject({ success: 1 });
    expect(second).toMatchObject({ success: 1 });
    expect(second.transactionid).not.toBe(first.transactionid);
    expect(sandbox.state.sales).toHaveLength(2);
  });
});

describe('nonce_replay', () => {
  test('refused (the default): errorcode 62, as for an action missing from the privilege map', async () => {
    await dispense('r-0');
    expect(await ask({ action: 'nonce_replay', nonce: 'r-0' })).toMatchObject({ success: 0, errorcode: '62' });
  });

  test.each(['response', 'result'] as const)('the stored answer under "%s", and only there', async (shape) => {
    modes({ nonceReplay: shape });
    const first = await dispense('r-1');
    const replay = await ask({ action: 'nonce_replay', nonce: 'r-1' });
    expect(replay).toMatchObject({ success: 1, [shape]: first });
    expect(replay[shape === 'response' ? 'result' : 'response']).toBeUndefined();
    expect(await ask({ action: 'nonce_replay', nonce: 'never-sent' })).toMatchObject({ success: 0 });
  });
});

describe('the patient link on sale_dispense', () => {
  test('card_key (the default): card_lookup hands out a key that is not the card id; a card id alone is refused', async () => {
    const key = await cardKey();
    expect(key).not.toBe(PATIENT);
    expect(await ask({ action: 'sale_dispense', nonce: 'l-1', terminal_id: '1', sale_time: 1, card_id: PATIENT, data: [{ barcodeid: FLOWER, quantity: 1, price: '45.00' }] })).toMatchObject({
      success: 0,
      errorcode: '603',
    });
    expect(await ask({ action: 'sale_dispense', nonce: 'l-2', terminal_id: '1', sale_time: 1, card_key: key, data: [{ barcodeid: FLOWER, quantity: 1, price: '45.00' }] })).toMatchObject({ success: 1 });
    expect(sandbox.state.sales.map((sale) => sale.cardId)).toEqual([PATIENT]);
  });

  test('card_id: no key is handed out, and the card id is enough', async () => {
    modes({ patientLink: 'card_id' });
    expect((await ask({ action: 'card_lookup', card_id: PATIENT })).card_key).toBeUndefined();
    expect(await ask({ action: 'sale_dispense', nonce: 'l-3', terminal_id: '1', sale_time: 1, card_id: PATIENT, data: [{ barcodeid: FLOWER, quantity: 1, price: '45.00' }] })).toMatchObject({ success: 1 });
  });
});

describe('card_lookup answers', () => {
  test('evidence: status and allotment with its unit', async () => {
    expect(await ask({ action: 'card_lookup', card_id: PATIENT })).toMatchObject({ success: 1, card_id: PATIENT, status: 'active', allotment: { amount: '70.87', unit: 'g' } });
  });

  test('missing_status: the allotment without any status', async () => {
    modes({ cardLookup: 'missing_status' });
    const answer = await ask({ action: 'card_lookup', card_id: PATIENT });
    expect(answer).toMatchObject({ success: 1, allotment: { amount: '70.87', unit: 'g' } });
    expect(answer.status).toBeUndefined();
    expect(answer.card_status).toBeUndefined();
    expect(answer.active).toBeUndefined();
  });

  test('renamed: none of the field names the client knows', async () => {
    modes({ cardLookup: 'renamed' });
    const answer = await ask({ action: 'card_lookup', card_id: PATIENT });
    expect(answer).toMatchObject({ success: 1, patient_status: 'ACTIVE', available_allotment: '70.87', allotment_uom: 'g' });
    for (const field of ['status', 'card_status', 'active', 'allotment', 'remaining_allotment', 'allotment_unit', 'card_id']) expect(answer[field], field).toBeUndefined();
  });
});

describe("the client's patient link setting against each mode", () => {
  const sale = (): TraceSale => ({ terminalId: '1', saleTime: Date.now(), cardId: PATIENT, lines: [{ barcode: FLOWER, quantity: 1, unitPriceCents: 4500 }] });
  test.each([
    // [sandbox wants, register sends, outcome, sale_dispense calls]
    ['card_key', 'both', 'accepted', 1],
    ['card_key', 'card_key', 'accepted', 1],
    ['card_key', 'card_id', 'rejected', 1],
    ['card_id', 'both', 'accepted', 1],
    ['card_id', 'card_id', 'accepted', 1],
    // BioTrack gave no key: nothing is sent, and the refusal says what to change.
    ['card_id', 'card_key', 'rejected', 0],
  ] as const)('BioTrack wants %s, the register sends %s → %s', async (wants, sends, outcome, calls) => {
    modes({ patientLink: wants });
    const client = providerFor(sandbox, { patientLink: sends as PatientLink });
    const result = await client.dispense(sale(), `pl-${wants}-${sends}`);
    expect(result.kind).toBe(outcome);
    expect(sandbox.calls().sale_dispense ?? 0).toBe(calls);
    if (result.kind === 'rejected' && calls === 0) expect(result.message).toMatch(/Settings › Track & Trace/);
    expect(sandbox.state.sales).toHaveLength(outcome === 'accepted' ? 1 : 0);
  });

  test('a card_lookup answer the register cannot read holds the sale back (not sent, nothing refused); the next attempt asks again and sends it', async () => {
    const client = providerFor(sandbox, { patientLink: 'card_key' });
    sandbox.setFaults({ cannedLookups: [{ card_id: PATIENT, status: 'active' }] });
    const first = await client.dispense(sale(), 'unreadable-1');
    expect(first.kind).toBe('not_sent');
    expect(sandbox.calls().sale_dispense ?? 0).toBe(0);
    expect((await client.dispense(sale(), 'unreadable-2')).kind).toBe('accepted');
    expect(sandbox.calls().card_lookup).toBe(2);
    expect(sandbox.state.sales).toHaveLength(1);
  });

  test('the key is looked up once per card and kept for the next sales', async () => {
    const client = providerFor(sandbox, { patientLink: 'card_key' });
    for (let i = 0; i < 3; i++) expect((await client.dispense(sale(), `kept-key-${i}`)).kind).toBe('accepted');
    expect(sandbox.calls().card_lookup).toBe(1);
    expect(sandbox.state.sales).toHaveLength(3);
  });
});
