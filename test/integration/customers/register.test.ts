/**
 * Customers through the real register (the contract, sessions, permissions): drafts surviving a
 * restart, history naming the employee, the licence lookup call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../../main/store/ids.js';
import { DEMO_PINS } from '../../../main/demo/seed.js';
import { modernPayload } from '../../unit/licenses/build.js';
import { tempDir } from '../../support/paths.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

const open: TestRegister[] = [];
const folders: Array<{ cleanup: () => void }> = [];
afterEach(async () => {
  for (const register of open.splice(0)) await register.close();
  for (const folder of folders.splice(0)) folder.cleanup();
});

async function start(dataDir: string): Promise<TestRegister> {
  const register = await startTestRegister({}, dataDir);
  open.push(register);
  return register;
}

async function value<T>(register: TestRegister, call: string, payload: unknown): Promise<T> {
  const response = await register.call(call, payload);
  if (!response.ok) throw new Error(`${call}: ${response.error.message}`);
  return response.value as T;
}

describe('customers through the register', () => {
  it('keeps a draft through a restart, lists it, reopens it and discards it only on purpose', async () => {
    const folder = tempDir('register-customers-drafts-');
    folders.push(folder);
    let register = await start(folder.dir);
    await value(register, 'session.login', { pin: DEMO_PINS.budtender });
    const draft = await value<{ id: string }>(register, 'customers.saveDraft', {
      commandId: newId(),
      draftId: null,
      customerId: null,
      title: 'Jane Walkin',
      form: { firstName: 'Jane', lastName: 'Walkin', phone: '555 0100' },
    });
    await register.close();
    open.splice(0);

    register = await start(folder.dir);
    await value(register, 'session.login', { pin: DEMO_PINS.manager });
    const drafts = await value<Array<{ id: string; title: string; employeeName: string }>>(register, 'customers.drafts', {});
    expect(drafts).toEqual([expect.objectContaining({ id: draft.id, title: 'Jane Walkin', employeeName: 'Bea Budtender' })]);
    const reopened = await value<{ form: Record<string, unknown> }>(register, 'customers.getDraft', { id: draft.id });
    expect(reopened.form).toEqual({ firstName: 'Jane', lastName: 'Walkin', phone: '555 0100' });
    await value(register, 'customers.discardDraft', { commandId: newId(), id: draft.id });
    expect(await value(register, 'customers.drafts', {})).toEqual([]);
  });

  it('history names the employee and the fields changed, and is refused before login', async () => {
    const folder = tempDir('register-customers-history-');
    folders.push(folder);
    const register = await start(folder.dir);
    const refused = await register.call('customers.search', { field: 'name', query: 'hart' });
    expect(refused.ok).toBe(false);
    await value(register, 'session.login', { pin: DEMO_PINS.manager });
    const found = await value<{ results: Array<{ id: string }> }>(register, 'customers.search', { field: 'name', query: 'hart' });
    const id = found.results[0]!.id;
    const detail = await value<{ form: Record<string, unknown> }>(register, 'customers.get', { id });
    await value(register, 'customers.update', { commandId: newId(), id, form: { ...detail.form, notes: 'Prefers pre-rolls' } });
    const history = await value<Array<{ employeeName: string; summary: string; changes: unknown[] }>>(register, 'customers.history', { id });
    expect(history[0]).toMatchObject({ employeeName: 'Max Manager', summary: 'Profile edited', changes: [{ field: 'Notes', from: null, to: 'Prefers pre-rolls' }] });
    expect(register.events.some((e) => e.event === 'customers.changed')).toBe(true);
  });

  it('answers a licence payload with the parsed licence, its checks and the signup prefill', async () => {
    const folder = tempDir('register-customers-lookup-');
    folders.push(folder);
    const register = await start(folder.dir);
    await value(register, 'session.login', { pin: DEMO_PINS.budtender });
    const result = await value<{ kind: string; matchedBy: string; prefill: { firstName: string } }>(register, 'customers.lookupByLicence', {
      raw: modernPayload({ DBB: '06062010' }),
    });
    expect(result).toMatchObject({ kind: 'licence', matchedBy: 'none', prefill: { firstName: 'Michael' } });
    expect((result as unknown as { checks: Array<{ code: string }> }).checks.map((c) => c.code)).toContain('under_age');
    const tooLong = await register.call('customers.lookupByLicence', { raw: 'x'.repeat(9000) });
    expect(tooLong.ok).toBe(false);
  });
});
