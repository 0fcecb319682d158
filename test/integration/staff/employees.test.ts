/**
 * Settings › Employees through the register's calls: add (temporary PIN, chosen at first login),
 * edit roles and permissions, disable (never delete) and enable with a new PIN, reset a PIN, PIN
 * rules that never say whose PIN it is, and an audit event for every change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../../main/store/ids.js';
import type { ResponseEnvelope } from '../../../preload/api.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

let running: TestRegister[] = [];
afterEach(async () => {
  for (const r of running) await r.close();
  running = [];
});

async function demo(): Promise<TestRegister> {
  const r = await startTestRegister();
  running.push(r);
  return r;
}

function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  return response.value as T;
}

interface Detail {
  id: string;
  name: string;
  role: string;
  permissions: string[];
  active: boolean;
  mustSetPin: boolean;
}

async function asAdmin(r: TestRegister): Promise<void> {
  value(await r.call('session.logout'));
  value(await r.call('session.login', { pin: '3333' }));
}

async function auditActions(r: TestRegister): Promise<Array<{ action: string; details: Record<string, unknown> }>> {
  return value(await r.call('audit.recent', { limit: 100 }));
}

describe('Settings › Employees', () => {
  it('only admins manage employees', async () => {
    const r = await demo();
    value(await r.call('session.login', { pin: '2222' }));
    expect(await r.call('staff.employees.list')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await r.call('staff.employees.add', { commandId: newId(), name: 'X', role: 'budtender', permissions: ['sell'], pin: '4862' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('adds an employee whose PIN is temporary: at login they must choose their own', async () => {
    const r = await demo();
    await asAdmin(r);
    const added = value<Detail>(
      await r.call('staff.employees.add', { commandId: newId(), name: 'Nia New', role: 'budtender', permissions: ['sell', 'manage_customers'], pin: '4862' }),
    );
    expect(added).toMatchObject({ name: 'Nia New', role: 'budtender', active: true, mustSetPin: true, permissions: ['sell', 'manage_customers'] });
    value(await r.call('session.logout'));
    const login = await r.call('session.login', { pin: '4862' });
    expect(login).toMatchObject({ ok: false, error: { code: 'pin_change_required', detail: { employeeName: 'Nia New' } } });
    expect(value(await r.call('session.get'))).toEqual({ state: 'logged_out' });
    // A wrong given PIN, the same PIN again, a guessable one: refused.
    expect(await r.call('session.setOwnPin', { currentPin: '4863', newPin: '5072' })).toMatchObject({ ok: false, error: { code: 'wrong_pin' } });
    expect(await r.call('session.setOwnPin', { currentPin: '4862', newPin: '4862' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await r.call('session.setOwnPin', { currentPin: '4862', newPin: '0000' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const session = value(await r.call('session.setOwnPin', { currentPin: '4862', newPin: '5072' }));
    expect(session).toMatchObject({ state: 'active', employee: { name: 'Nia New' } });
    value(await r.call('session.logout'));
    expect(await r.call('session.login', { pin: '4862' })).toMatchObject({ ok: false, error: { code: 'wrong_pin' } });
    expect(value(await r.call('session.login', { pin: '5072' }))).toMatchObject({ employee: { name: 'Nia New' } });
    // Her own PIN is her own: no second change through this door.
    expect(await r.call('session.setOwnPin', { currentPin: '5072', newPin: '6184' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('refuses a PIN another employee has in the same words as a weak one, and makes that PIN\'s holder choose a new one', async () => {
    const r = await demo();
    await asAdmin(r);
    const first = value<Detail>(await r.call('staff.employees.add', { commandId: newId(), name: 'Ola One', role: 'budtender', permissions: ['sell'], pin: '4862' }));
    value(await r.call('session.logout'));
    value(await r.call('session.setOwnPin', { currentPin: '4862', newPin: '5072' }));
    await asAdmin(r);
    const taken = await r.call('staff.employees.add', { commandId: newId(), name: 'Tia Two', role: 'budtender', permissions: ['sell'], pin: '5072' });
    const weak = await r.call('staff.employees.add', { commandId: newId(), name: 'Tia Two', role: 'budtender', permissions: ['sell'], pin: '1234' });
    expect(taken).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!taken.ok && !weak.ok && taken.error.message === weak.error.message).toBe(true);
    expect(!taken.ok && taken.error.message).not.toMatch(/Ola|another employee/i);
    const refusals = (await auditActions(r)).filter((e) => e.action === 'staff.pin_refused');
    expect(refusals.map((e) => e.details.reason)).toEqual(['consecutive digits', 'in_use']);
    expect(JSON.stringify(refusals)).not.toContain(first.id);
    // Ola's PIN is known to whoever typed it: she chooses a new one at her next login.
    expect(value<{ employees: Detail[] }>(await r.call('staff.employees.list')).employees.find((e) => e.id === first.id)).toMatchObject({ mustSetPin: true });
    value(await r.call('session.logout'));
    expect(await r.call('session.login', { pin: '5072' })).toMatchObject({ ok: false, error: { code: 'pin_change_required' } });
    await asAdmin(r);
    // Typing an admin's own PIN for someone else tells the admin nothing: they are not flagged.
    const own = await r.call('staff.employees.resetPin', { commandId: newId(), employeeId: first.id, pin: '3333' });
    expect(own).toMatchObject({ ok: false });
    const list = value<{ employees: Detail[] }>(await r.call('staff.employees.list')).employees;
    expect(list.find((e) => e.name === 'Ada Admin')?.mustSetPin).toBe(false);
  });

  it('edits the role and permissions (Manager Override), audited with before and after', async () => {
    const r = await demo();
    await asAdmin(r);
    const bea = value<{ employees: Detail[] }>(await r.call('staff.employees.list')).employees.find((e) => e.name === 'Bea Budtender')!;
    const edited = value<Detail>(
      await r.call('staff.employees.edit', { commandId: newId(), employeeId: bea.id, name: 'Bea B. Budtender', role: 'budtender', permissions: ['sell', 'manage_customers', 'manager_override'] }),
    );
    expect(edited.permissions).toContain('manager_override');
    // She now approves overrides: she is offered as an approver.
    const approvers = value<Array<{ name: string }>>(await r.call('staff.approvers', { permission: 'manager_override' }));
    expect(approvers.map((a) => a.name)).toContain('Bea B. Budtender');
    const event = (await auditActions(r)).find((e) => e.action === 'staff.employee_edited')!;
    expect(event.details).toMatchObject({ before: { name: 'Bea Budtender' }, after: { name: 'Bea B. Budtender', permissions: expect.arrayContaining(['manager_override']) } });
    // Her login carries the new permission.
    value(await r.call('session.logout'));
    expect(value(await r.call('session.login', { pin: '1111' }))).toMatchObject({ employee: { permissions: expect.arrayContaining(['manager_override']) } });
  });

  it('disables (never deletes), refuses the last admin, and enables again only with a new temporary PIN', async () => {
    const r = await demo();
    await asAdmin(r);
    const list = value<{ employees: Detail[] }>(await r.call('staff.employees.list')).employees;
    const max = list.find((e) => e.name === 'Max Manager')!;
    const ada = list.find((e) => e.name === 'Ada Admin')!;
    expect(await r.call('staff.employees.setActive', { commandId: newId(), employeeId: ada.id, active: false })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await r.call('staff.employees.edit', { commandId: newId(), employeeId: ada.id, name: 'Ada Admin', role: 'manager', permissions: ['sell'] })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/someone must be able to manage employees/) },
    });
    expect(value<Detail>(await r.call('staff.employees.setActive', { commandId: newId(), employeeId: max.id, active: false }))).toMatchObject({ active: false });
    value(await r.call('session.logout'));
    expect(await r.call('session.login', { pin: '2222' })).toMatchObject({ ok: false, error: { code: 'wrong_pin' } });
    value(await r.call('session.login', { pin: '3333' }));
    expect(value<{ employees: Detail[] }>(await r.call('staff.employees.list')).employees.find((e) => e.id === max.id)).toMatchObject({ active: false });
    expect(await r.call('staff.employees.setActive', { commandId: newId(), employeeId: max.id, active: true })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(value<Detail>(await r.call('staff.employees.setActive', { commandId: newId(), employeeId: max.id, active: true, pin: '8642' }))).toMatchObject({
      active: true,
      mustSetPin: true,
    });
    const actions = (await auditActions(r)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['staff.employee_disabled', 'staff.employee_enabled']));
  });

  it('resets a PIN: the old one stops working, the employee chooses a new one at the next login', async () => {
    const r = await demo();
    await asAdmin(r);
    const bea = value<{ employees: Detail[] }>(await r.call('staff.employees.list')).employees.find((e) => e.name === 'Bea Budtender')!;
    const commandId = newId();
    expect(value<Detail>(await r.call('staff.employees.resetPin', { commandId, employeeId: bea.id, pin: '7391' }))).toMatchObject({ mustSetPin: true });
    // The same command sent twice is applied once.
    expect(value<Detail>(await r.call('staff.employees.resetPin', { commandId, employeeId: bea.id, pin: '7391' }))).toMatchObject({ mustSetPin: true });
    expect((await auditActions(r)).filter((e) => e.action === 'staff.pin_reset')).toHaveLength(1);
    value(await r.call('session.logout'));
    expect(await r.call('session.login', { pin: '1111' })).toMatchObject({ ok: false, error: { code: 'wrong_pin' } });
    expect(await r.call('session.login', { pin: '7391' })).toMatchObject({ ok: false, error: { code: 'pin_change_required' } });
    // A manager's given PIN approves nothing until he chooses his own.
    value(await r.call('session.login', { pin: '3333' }));
    const max = value<{ employees: Detail[] }>(await r.call('staff.employees.list')).employees.find((e) => e.name === 'Max Manager')!;
    value(await r.call('staff.employees.resetPin', { commandId: newId(), employeeId: max.id, pin: '8642' }));
    const approval = await r.call('staff.override', { approverId: max.id, pin: '8642', permission: 'manager_override', action: 'discount' });
    expect(approval).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/choose their own PIN/) } });
    expect(JSON.stringify(await auditActions(r))).not.toContain('7391');
  });
});
