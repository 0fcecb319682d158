/**
 * card_lookup answers → what the check-in pop-up shows. BioTrack's answer to card_lookup is not
 * public, so the register reads only what it recognises: anything else is "BioTrack answered,
 * but not in a form the register understands", with the raw fields for a manager, and never an
 * active card. Each answer below is served by the demo store's sandbox to a real register.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ResponseEnvelope } from '../../../preload/api.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

let r: TestRegister;
let harness: string;
let rosa: string;

function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`call failed: ${response.error.code} ${response.error.message}`);
  return response.value as T;
}

beforeAll(async () => {
  r = await startTestRegister();
  value(await r.call('session.login', { pin: '3333' }));
  const settings = value<{ demoSandboxUrl: string | null }>(await r.call('trace.settings.get', {}));
  harness = settings.demoSandboxUrl!.replace(/\/serverjson\.asp$/, '');
  const db = new Database(join(r.dataDir, 'register.sqlite'), { readonly: true });
  rosa = (db.prepare(`SELECT id FROM customers WHERE first_name = 'Rosa' AND last_name = 'Delgado'`).get() as { id: string }).id;
  db.close();
  value(await r.call('session.login', { pin: '1111' }));
});
afterAll(async () => {
  await r.close();
});

interface Shown {
  status: string;
  amountMg: number | null;
  message: string | null;
  refusals: string[];
  stateAnswer: Record<string, string> | null | undefined;
}

async function popUpFor(answer: Record<string, unknown> | null): Promise<Shown> {
  if (answer) {
    const response = await fetch(`${harness}/__faults`, { method: 'POST', body: JSON.stringify({ cannedLookups: [answer] }), headers: { 'content-type': 'application/json' } });
    expect(response.ok).toBe(true);
  }
  const prepared = value<{
    refusals: Array<{ code: string }>;
    allotment: { status: string; message: string | null; limits: Array<{ unit: string; amount: number }>; stateAnswer?: Record<string, string> | null };
  }>(await r.call('queue.checkIn.prepare', { customerId: rosa }));
  const weight = prepared.allotment.limits.find((limit) => limit.unit === 'mg');
  return {
    status: prepared.allotment.status,
    amountMg: weight?.amount ?? null,
    message: prepared.allotment.message,
    refusals: prepared.refusals.map((refusal) => refusal.code),
    stateAnswer: prepared.allotment.stateAnswer,
  };
}

const UNDERSTOOD_NOT = /BioTrack answered, but not in a form the register understands/;

describe('card_lookup answers → the check-in pop-up', () => {
  test.each([
    ['the sandbox\'s evidence-shaped answer', null, { status: 'state_system', amountMg: 70_870, refusals: [] }],
    ['status in capitals, allotment as an object', { success: 1, card_id: 'MP7K2Q9X4D', status: 'ACTIVE', allotment: { amount: '12.5', unit: 'g' } }, { status: 'state_system', amountMg: 12_500, refusals: [] }],
    ['an active flag and flat allotment fields', { success: '1', active: 1, remaining_allotment: '1.25', allotment_unit: 'oz' }, { status: 'state_system', amountMg: 35_436, refusals: [] }],
    ['an expired card', { success: 1, status: 'expired', expiration_date: '2024-01-31' }, { status: 'refused', amountMg: 0, refusals: ['state_refused'] }],
    ['a suspended card', { success: 1, card_status: 'Suspended' }, { status: 'refused', amountMg: 0, refusals: ['state_refused'] }],
  ] as const)('%s', async (_name, answer, expected) => {
    expect(await popUpFor(answer)).toMatchObject(expected);
  });

  test.each([
    ['no status at all', { success: 1, card_id: 'MP7K2Q9X4D', allotment: { amount: '70.87', unit: 'g' } }, 'allotment'],
    ['renamed status and allotment fields', { success: 1, patient_status: 'ACTIVE', available_allotment: '70.87', allotment_uom: 'g' }, 'patient_status'],
    ['a status word the register does not know', { success: 1, status: 'pending_review', allotment: { amount: '70.87', unit: 'g' } }, 'status'],
    ['active, but the allotment renamed', { success: 1, status: 'active', remaining_grams: '70.87' }, 'remaining_grams'],
    ['active, but the allotment without a unit', { success: 1, status: 'active', allotment: { amount: '70.87' } }, 'allotment'],
    ['active, but the allotment not a number', { success: 1, status: 'active', allotment: { amount: 'plenty', unit: 'g' } }, 'allotment'],
  ] as const)('%s → not understood, never active; the raw fields for a manager', async (_name, answer, field) => {
    const shown = await popUpFor(answer);
    expect(shown.status).toBe('unreadable');
    expect(shown.amountMg).toBe(0);
    expect(shown.message).toMatch(UNDERSTOOD_NOT);
    expect(shown.refusals).toEqual(['state_unreadable']);
    expect(shown.stateAnswer?.[field]).toBe(typeof answer[field as keyof typeof answer] === 'string' ? answer[field as keyof typeof answer] : JSON.stringify(answer[field as keyof typeof answer]));
  });

  test.each([
    ['"The card could not be found."', { success: 0, errorcode: '604', error: 'The card could not be found.' }, 'not_found', 'patient_not_found'],
    ['"Card does not exist"', { success: 0, errorcode: '602', error: 'Card MP7K2Q9X4D does not exist' }, 'not_found', 'patient_not_found'],
    ['"Unknown patient"', { success: 0, error: 'Unknown patient' }, 'not_found', 'patient_not_found'],
    ['"The card is not active."', { success: 0, errorcode: '605', error: 'The card is not active.' }, 'refused', 'state_refused'],
    ['a refusal without any text', { success: 0, errorcode: '602' }, 'refused', 'state_refused'],
  ] as const)('error text %s → %s', async (_name, answer, status, refusal) => {
    const shown = await popUpFor(answer);
    expect(shown).toMatchObject({ status, amountMg: 0, refusals: [refusal] });
  });

  test('an answer without a success flag is not understood either: never active, the raw fields for a manager', async () => {
    const shown = await popUpFor({ card_id: 'MP7K2Q9X4D', status: 'active', allotment: { amount: '70.87', unit: 'g' } });
    expect(shown.status).toBe('unreadable');
    expect(shown.amountMg).toBe(0);
    expect(shown.message).toMatch(UNDERSTOOD_NOT);
    expect(shown.refusals).toEqual(['state_unreadable']);
    expect(shown.stateAnswer).toMatchObject({ card_id: 'MP7K2Q9X4D', status: 'active' });
  });
});
