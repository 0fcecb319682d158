import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCKOUT_POLICY, StaffService } from '../../../main/staff/service.js';
import { hashPin, verifyPin } from '../../../main/staff/pins.js';
import { openStore, type Store } from '../../../main/store/db.js';
import { CoreError } from '../../../main/core/errors.js';
import { newId } from '../../../main/store/ids.js';
import { migrationsFolder, tempDir } from '../../support/paths.js';

let store: Store;
let cleanup: () => void;
let file: string;
let now = 1_800_000_000_000;
const clock = () => now;

beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  file = join(t.dir, 'r.sqlite');
  store = openStore({ file, migrationsFolder });
});
afterEach(() => {
  store.close();
  cleanup();
});

async function withStaff(): Promise<StaffService> {
  const staff = new StaffService(store.sqlite, clock);
  await staff.create({ commandId: newId(), name: 'Bea', role: 'budtender', pin: '4826', actorId: null });
  await staff.create({ commandId: newId(), name: 'Max', role: 'manager', pin: '7391', actorId: null });
  return staff;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error instanceof CoreError ? error.code : `unexpected: ${String(error)}`;
  }
}

describe('PINs', () => {
  it('hashes with scrypt and never keeps the PIN', async () => {
    const stored = await hashPin('4321');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored).not.toContain('4321');
    expect(await verifyPin('4321', stored)).toBe(true);
    expect(await verifyPin('4322', stored)).toBe(false);
    expect(await verifyPin('4321', 'garbage')).toBe(false);
  });

  it('stores no PIN in clear anywhere in the database', async () => {
    await withStaff();
    const rows = store.sqlite.prepare('SELECT * FROM employees').all();
    expect(JSON.stringify(rows)).not.toMatch(/1111|2222/);
    expect(JSON.stringify(store.sqlite.prepare('SELECT * FROM audit_events').all())).not.toMatch(/1111|2222/);
  });
});

describe('login', () => {
  it('finds the employee by PIN alone', async () => {
    const staff = await withStaff();
    expect((await staff.authenticate('7391', 'login')).name).toBe('Max');
    expect((await staff.authenticate('4826', 'login')).permissions).not.toContain('manager_override');
  });

  it('refuses a second employee with the same PIN', async () => {
    const staff = await withStaff();
    expect(await codeOf(staff.create({ commandId: newId(), name: 'Copy', role: 'budtender', pin: '4826', actorId: null }))).toBe('conflict');
  });

  it('counts wrong PINs and locks out after too many, across a restart', async () => {
    const staff = await withStaff();
    for (let i = 1; i < LOCKOUT_POLICY.maxAttempts; i++) {
      expect(await codeOf(staff.authenticate('9999', 'login'))).toBe('wrong_pin');
    }
    expect(await codeOf(staff.authenticate('9999', 'login'))).toBe('locked_out');
    // Even the right PIN waits out the lockout, and reopening the database does not reset it.
    store.close();
    store = openStore({ file, migrationsFolder });
    const reopened = new StaffService(store.sqlite, clock);
    expect(await codeOf(reopened.authenticate('4826', 'login'))).toBe('locked_out');
    now += LOCKOUT_POLICY.baseLockoutMs + 1;
    expect((await reopened.authenticate('4826', 'login')).name).toBe('Bea');
  });

  it('doubles the lockout when wrong PINs continue', async () => {
    const staff = await withStaff();
    for (let i = 0; i < LOCKOUT_POLICY.maxAttempts; i++) await codeOf(staff.authenticate('9999', 'login'));
    now += LOCKOUT_POLICY.baseLockoutMs + 1;
    for (let i = 0; i < LOCKOUT_POLICY.maxAttempts; i++) await codeOf(staff.authenticate('9999', 'login'));
    now += LOCKOUT_POLICY.baseLockoutMs + 1;
    expect(await codeOf(staff.authenticate('4826', 'login'))).toBe('locked_out');
    now += LOCKOUT_POLICY.baseLockoutMs;
    expect(await codeOf(staff.authenticate('4826', 'login'))).toBe('no error');
  });

  it('audits the lockout, with the employee whose locked screen it was', async () => {
    const staff = await withStaff();
    const bea = staff.list().find((e) => e.name === 'Bea')!;
    for (let i = 0; i < LOCKOUT_POLICY.maxAttempts; i++) await codeOf(staff.authenticate('9999', 'unlock', bea.id));
    const lockouts = store.sqlite
      .prepare("SELECT employee_id, details FROM audit_events WHERE action = 'staff.login_locked_out'")
      .all() as Array<{ employee_id: string; details: string }>;
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]!.employee_id).toBe(bea.id);
    expect(JSON.parse(lockouts[0]!.details)).toMatchObject({ purpose: 'unlock', lockoutMs: LOCKOUT_POLICY.baseLockoutMs, lockoutNumber: 1 });
  });

  it('lets the right PIN in when it arrives among a few wrong ones at once', async () => {
    const staff = await withStaff();
    const pins = ['9991', '9992', '7391', '9993'];
    const results = await Promise.all(pins.map((pin) => codeOf(staff.authenticate(pin, 'login'))));
    expect(results).toEqual(['wrong_pin', 'wrong_pin', 'no error', 'wrong_pin']);
  });

  it('records logins and failures in the audit log', async () => {
    const staff = await withStaff();
    await staff.authenticate('4826', 'login');
    await codeOf(staff.authenticate('0000', 'login'));
    const actions = (store.sqlite.prepare('SELECT action FROM audit_events ORDER BY seq').all() as Array<{ action: string }>).map((r) => r.action);
    expect(actions).toEqual(['staff.create', 'staff.create', 'staff.login', 'staff.login_failed']);
  });
});

describe('manager override', () => {
  it('lists only employees with the permission as approvers', async () => {
    const staff = await withStaff();
    expect(staff.approvers('manager_override').map((a) => a.name)).toEqual(['Max']);
  });

  it('grants one action for the approver PIN, once', async () => {
    const staff = await withStaff();
    const [bea, max] = [staff.list().find((e) => e.name === 'Bea')!, staff.list().find((e) => e.name === 'Max')!];
    expect(await codeOf(staff.override({ approverId: max.id, pin: '4826', permission: 'manager_override', action: 'discount', requestedBy: bea.id }))).toBe('wrong_pin');
    expect(await codeOf(staff.override({ approverId: bea.id, pin: '4826', permission: 'manager_override', action: 'discount', requestedBy: bea.id }))).toBe('forbidden');
    const grant = await staff.override({ approverId: max.id, pin: '7391', permission: 'manager_override', action: 'discount', requestedBy: bea.id });
    expect(() => staff.consumeGrant(grant.grantId, 'manager_override', 'other action')).toThrow(/expired or was for something else/);
    const again = await staff.override({ approverId: max.id, pin: '7391', permission: 'manager_override', action: 'discount', requestedBy: bea.id });
    expect(staff.consumeGrant(again.grantId, 'manager_override', 'discount').approverName).toBe('Max');
    expect(() => staff.consumeGrant(again.grantId, 'manager_override', 'discount')).toThrow();
  });

  it('locks the approver out after repeated wrong PINs', async () => {
    const staff = await withStaff();
    const max = staff.list().find((e) => e.name === 'Max')!;
    const attempt = () => staff.override({ approverId: max.id, pin: '0000', permission: 'manager_override', action: 'x', requestedBy: max.id });
    for (let i = 1; i < LOCKOUT_POLICY.maxAttempts; i++) expect(await codeOf(attempt())).toBe('wrong_pin');
    expect(await codeOf(attempt())).toBe('locked_out');
    expect(await codeOf(staff.override({ approverId: max.id, pin: '7391', permission: 'manager_override', action: 'x', requestedBy: max.id }))).toBe('locked_out');
  });

  it('doubles the approver lockout when wrong PINs continue, and audits each lockout with who tried', async () => {
    const staff = await withStaff();
    const [bea, max] = [staff.list().find((e) => e.name === 'Bea')!, staff.list().find((e) => e.name === 'Max')!];
    const attempt = (pin: string) => staff.override({ approverId: max.id, pin, permission: 'manager_override', action: 'x', requestedBy: bea.id });
    for (let i = 0; i < LOCKOUT_POLICY.maxAttempts; i++) await codeOf(attempt('0000'));
    now += LOCKOUT_POLICY.baseLockoutMs + 1;
    for (let i = 0; i < LOCKOUT_POLICY.maxAttempts; i++) await codeOf(attempt('0000'));
    // The second lockout lasts twice as long as the first.
    now += LOCKOUT_POLICY.baseLockoutMs + 1;
    expect(await codeOf(attempt('7391'))).toBe('locked_out');
    now += LOCKOUT_POLICY.baseLockoutMs;
    expect(await codeOf(attempt('7391'))).toBe('no error');
    const lockouts = store.sqlite
      .prepare("SELECT employee_id, details FROM audit_events WHERE action = 'staff.override_locked_out' ORDER BY seq")
      .all() as Array<{ employee_id: string; details: string }>;
    expect(lockouts.map((l) => l.employee_id)).toEqual([bea.id, bea.id]);
    expect(lockouts.map((l) => JSON.parse(l.details) as Record<string, unknown>)).toMatchObject([
      { approverId: max.id, lockoutMs: LOCKOUT_POLICY.baseLockoutMs, lockoutNumber: 1 },
      { approverId: max.id, lockoutMs: 2 * LOCKOUT_POLICY.baseLockoutMs, lockoutNumber: 2 },
    ]);
    // A right PIN starts the count again: the next lockout is the first one's length.
    for (let i = 0; i < LOCKOUT_POLICY.maxAttempts; i++) await codeOf(attempt('0000'));
    now += LOCKOUT_POLICY.baseLockoutMs + 1;
    expect(await codeOf(attempt('7391'))).toBe('no error');
  });

  it('a new PIN clears the approver lockout', async () => {
    const staff = await withStaff();
    const max = staff.list().find((e) => e.name === 'Max')!;
    const attempt = (pin: string) => staff.override({ approverId: max.id, pin, permission: 'manager_override', action: 'x', requestedBy: max.id });
    for (let i = 0; i < LOCKOUT_POLICY.maxAttempts; i++) await codeOf(attempt('0000'));
    expect(await codeOf(attempt('7391'))).toBe('locked_out');
    await staff.changePin({ commandId: newId(), employeeId: max.id, pin: '5072', actorId: null });
    expect(await codeOf(attempt('5072'))).toBe('no error');
  });

  it('expires a grant after its time', async () => {
    const staff = await withStaff();
    const max = staff.list().find((e) => e.name === 'Max')!;
    const grant = await staff.override({ approverId: max.id, pin: '7391', permission: 'manager_override', action: 'x', requestedBy: max.id });
    now = grant.expiresAt + 1;
    expect(() => staff.consumeGrant(grant.grantId, 'manager_override', 'x')).toThrow(/expired/);
  });
});
