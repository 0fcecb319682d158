/**
 * Settings › Employees (admins): add, edit, disable and re-enable, reset a PIN. Employees are
 * never deleted: the audit log names them. Every change is a command, applied once and audited.
 *
 * A PIN an admin gives (to a new employee, or in a reset) is temporary: the employee chooses
 * their own at the next login (StaffService.setOwnPin), so no admin knows a colleague's PIN.
 */
import type Database from 'better-sqlite3';
import type { Permission, Role } from '../../preload/api.js';
import type { EmployeeDetail } from '../../preload/contract/staff.js';
import { applyCommand, appliedCommandResult } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { hashPin } from './pins.js';
import { captureEmployee } from '../hub-sync/capture.js';
import { permissionsOf, ROLE_PERMISSIONS, type StaffService } from './service.js';

interface DetailRow {
  id: string;
  name: string;
  role: Role;
  active: number;
  permissions: string | null;
  pin_must_change: number;
  created_at: number;
}

const DETAIL_COLUMNS = 'id, name, role, active, permissions, pin_must_change, created_at';

function toDetail(row: DetailRow): EmployeeDetail {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    permissions: permissionsOf(row),
    active: row.active === 1,
    mustSetPin: row.pin_must_change === 1,
    createdAt: row.created_at,
  };
}

/** The permissions to store: null when they are exactly the role's (so a later role change carries them). */
function storedPermissions(role: Role, permissions: Permission[]): string | null {
  const chosen = [...new Set(permissions)].sort();
  const defaults = [...ROLE_PERMISSIONS[role]].sort();
  return chosen.length === defaults.length && chosen.every((item, index) => item === defaults[index]) ? null : JSON.stringify(chosen);
}

export class EmployeeAdmin {
  constructor(
    private readonly sqlite: Database.Database,
    private readonly staff: StaffService,
    private readonly clock: () => number,
  ) {}

  list(): EmployeeDetail[] {
    const rows = this.sqlite.prepare(`SELECT ${DETAIL_COLUMNS} FROM employees ORDER BY active DESC, name`).all() as DetailRow[];
    return rows.map(toDetail);
  }

  detail(id: string): EmployeeDetail {
    const row = this.sqlite.prepare(`SELECT ${DETAIL_COLUMNS} FROM employees WHERE id = ?`).get(id) as DetailRow | undefined;
    if (!row) throw new CoreError('not_found', 'There is no such employee: reload the list.');
    return toDetail(row);
  }

  async add(input: { commandId: string; name: string; role: Role; permissions: Permission[]; pin: string; actorId: string }): Promise<EmployeeDetail> {
    const applied = appliedCommandResult<{ id: string }>(this.sqlite, input.commandId);
    if (applied) return this.detail(applied.result.id);
    this.assertNameFree(input.name, null);
    const stored = storedPermissions(input.role, input.permissions);
    const employee = await this.staff.create({
      commandId: input.commandId,
      commandName: 'staff.employee_added',
      name: input.name,
      role: input.role,
      pin: input.pin,
      actorId: input.actorId,
      mustSetPin: true,
      ...(stored === null ? {} : { permissions: JSON.parse(stored) as Permission[] }),
    });
    return this.detail(employee.id);
  }

  edit(input: { commandId: string; employeeId: string; name: string; role: Role; permissions: Permission[]; actorId: string }): EmployeeDetail {
    const before = this.detail(input.employeeId);
    const stored = storedPermissions(input.role, input.permissions);
    const after = permissionsOf({ role: input.role, permissions: stored });
    const { result } = applyCommand(
      this.sqlite,
      { commandId: input.commandId, name: 'staff.employee_edited', actorId: input.actorId },
      () => {
        this.assertNameFree(input.name, input.employeeId);
        if (before.permissions.includes('manage_staff') && !after.includes('manage_staff')) {
          this.assertAnotherStaffAdmin(input.employeeId, 'take away the last admin’s right to manage employees');
        }
        this.sqlite.prepare('UPDATE employees SET name = ?, role = ?, permissions = ? WHERE id = ?').run(input.name, input.role, stored, input.employeeId);
        captureEmployee(this.sqlite, input.employeeId, this.clock());
        return {
          result: { id: input.employeeId },
          audit: {
            details: {
              employeeId: input.employeeId,
              before: { name: before.name, role: before.role, permissions: before.permissions },
              after: { name: input.name, role: input.role, permissions: after },
            },
          },
        };
      },
      this.clock(),
    );
    return this.detail(result.id);
  }

  /** Enabling again needs a new temporary PIN: the old one may have been given to someone since. */
  async setActive(input: { commandId: string; employeeId: string; active: boolean; pin?: string | undefined; actorId: string }): Promise<EmployeeDetail> {
    const applied = appliedCommandResult<{ id: string }>(this.sqlite, input.commandId);
    if (applied) return this.detail(applied.result.id);
    const before = this.detail(input.employeeId);
    if (before.active === input.active) return before;
    if (!input.active && input.employeeId === input.actorId) {
      throw new CoreError('conflict', 'You cannot disable yourself: ask another admin.');
    }
    let pinHash: string | null = null;
    if (input.active) {
      if (!input.pin) throw new CoreError('conflict', `Give ${before.name} a new temporary PIN to enable them again.`);
      await this.staff.assertPinAllowed(input.pin, input.employeeId, input.actorId);
      pinHash = await hashPin(input.pin);
    }
    const { result } = applyCommand(
      this.sqlite,
      { commandId: input.commandId, name: input.active ? 'staff.employee_enabled' : 'staff.employee_disabled', actorId: input.actorId },
      () => {
        if (!input.active && before.permissions.includes('manage_staff')) this.assertAnotherStaffAdmin(input.employeeId, 'disable the last admin');
        if (pinHash === null) this.sqlite.prepare('UPDATE employees SET active = 0 WHERE id = ?').run(input.employeeId);
        else {
          this.sqlite
            .prepare('UPDATE employees SET active = 1, pin_hash = ?, pin_must_change = 1, failed_pin_attempts = 0, locked_until = NULL WHERE id = ?')
            .run(pinHash, input.employeeId);
        }
        captureEmployee(this.sqlite, input.employeeId, this.clock());
        return { result: { id: input.employeeId }, audit: { details: { employeeId: input.employeeId, name: before.name } } };
      },
      this.clock(),
    );
    return this.detail(result.id);
  }

  async resetPin(input: { commandId: string; employeeId: string; pin: string; actorId: string }): Promise<EmployeeDetail> {
    this.detail(input.employeeId);
    await this.staff.changePin({
      commandId: input.commandId,
      commandName: 'staff.pin_reset',
      employeeId: input.employeeId,
      pin: input.pin,
      actorId: input.actorId,
      mustSetPin: true,
    });
    return this.detail(input.employeeId);
  }

  private assertNameFree(name: string, exceptId: string | null): void {
    const clash = this.sqlite
      .prepare('SELECT id FROM employees WHERE lower(name) = lower(?) AND id IS NOT ?')
      .get(name.trim(), exceptId) as { id: string } | undefined;
    if (clash) throw new CoreError('conflict', `There is already an employee called ${name.trim()}: add a last name or initial so the audit log tells them apart.`);
  }

  private assertAnotherStaffAdmin(exceptId: string, what: string): void {
    const others = this.list().filter((employee) => employee.id !== exceptId && employee.active && employee.permissions.includes('manage_staff'));
    if (others.length === 0) throw new CoreError('conflict', `You cannot ${what}: someone must be able to manage employees. Give that right to another employee first.`);
  }
}
