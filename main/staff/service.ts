/**
 * Employees, PIN login with lockout, manager-override grants.
 *
 * Login is by PIN alone (as at a busy counter), so PINs are unique among active employees and a
 * login checks the PIN against each active employee's scrypt hash. Wrong PINs are counted per
 * register (persisted, so a restart does not reset them); an override prompt names the
 * approver, so its wrong PINs are counted on that employee.
 */
import type Database from 'better-sqlite3';
import type { Employee, Permission, Role } from '../../preload/api.js';
import { appendAudit } from '../audit/log.js';
import { newId } from '../store/ids.js';
import { hashPin, verifyPin } from './pins.js';
import { PIN_REFUSED, weakPinReason } from './pin-rules.js';
import { CoreError } from '../core/errors.js';
import { applyCommand, appliedCommandResult } from '../core/commands.js';
import { captureEmployee } from '../hub-sync/capture.js';

export const ROLE_PERMISSIONS: Record<Role, Permission[]> = {
  budtender: ['sell', 'manage_customers'],
  // Managers set the register up (devices, track-and-trace); admins also manage staff.
  manager: ['sell', 'manage_customers', 'manage_products', 'manage_settings', 'view_audit', 'manager_override'],
  admin: [
    'sell',
    'manage_customers',
    'manage_products',
    'manage_staff',
    'manage_settings',
    'view_audit',
    'manager_override',
  ],
};

export const LOCKOUT_POLICY = {
  /** Wrong PINs allowed before the register (or the approver) is locked out. */
  maxAttempts: 5,
  /** First lockout; doubles with each further lockout, up to maxLockoutMs. */
  baseLockoutMs: 30_000,
  maxLockoutMs: 15 * 60_000,
} as const;

const OVERRIDE_GRANT_TTL_MS = 2 * 60_000;
const REGISTER_ATTEMPTS_KEY = 'staff.login_attempts';

interface EmployeeRow {
  id: string;
  name: string;
  role: Role;
  pin_hash: string;
  failed_pin_attempts: number;
  locked_until: number | null;
  active: number;
  permissions: string | null;
  pin_must_change: number;
}

const EMPLOYEE_COLUMNS = 'id, name, role, pin_hash, failed_pin_attempts, locked_until, active, permissions, pin_must_change';

interface AttemptState {
  /** Wrong PINs since the last lockout or right PIN (an attempt counts before it is checked). */
  failures: number;
  /** Lockouts since the last right PIN: each one lasts twice as long as the one before. */
  lockouts: number;
  lockedUntil: number | null;
}

const NO_ATTEMPTS: AttemptState = { failures: 0, lockouts: 0, lockedUntil: null };

interface Reservation {
  key: string;
  /** The state written when the attempt was counted. */
  state: AttemptState;
  /** This attempt reached the limit and started the lockout. */
  startedLockout: boolean;
}

/** Wrong approval PINs are counted on the approver, in settings beside the register's count. */
function approvalAttemptsKey(employeeId: string): string {
  return `staff.approval_attempts.${employeeId}`;
}

export interface OverrideGrant {
  grantId: string;
  approverId: string;
  approverName: string;
  permission: Permission;
  action: string;
  expiresAt: number;
}

/** An employee's permissions: those an admin chose for them, else their role's. */
export function permissionsOf(row: { role: Role; permissions: string | null }): Permission[] {
  if (row.permissions !== null) {
    try {
      const parsed: unknown = JSON.parse(row.permissions);
      if (Array.isArray(parsed)) {
        const known = new Set<string>(ROLE_PERMISSIONS.admin);
        return parsed.filter((item): item is Permission => typeof item === 'string' && known.has(item));
      }
    } catch {
      // An unreadable list falls back to the role's, never to more.
    }
  }
  return ROLE_PERMISSIONS[row.role];
}

export function toEmployee(row: Pick<EmployeeRow, 'id' | 'name' | 'role' | 'active'> & { permissions?: string | null }): Employee {
  return { id: row.id, name: row.name, role: row.role, permissions: permissionsOf({ role: row.role, permissions: row.permissions ?? null }), active: row.active === 1 };
}

export class StaffService {
  private readonly grants = new Map<string, OverrideGrant>();

  constructor(
    private readonly sqlite: Database.Database,
    private readonly clock: () => number = Date.now,
  ) {}

  list(): Employee[] {
    const rows = this.sqlite
      .prepare('SELECT id, name, role, active, permissions FROM employees ORDER BY name')
      .all() as EmployeeRow[];
    return rows.map(toEmployee);
  }

  get(id: string): Employee | null {
    const row = this.sqlite.prepare('SELECT id, name, role, active, permissions FROM employees WHERE id = ?').get(id) as
      | EmployeeRow
      | undefined;
    return row ? toEmployee(row) : null;
  }

  approvers(permission: Permission): Array<Pick<Employee, 'id' | 'name' | 'role'>> {
    return this.list()
      .filter((e) => e.active && e.permissions.includes(permission))
      .map(({ id, name, role }) => ({ id, name, role }));
  }

  /**
   * Create an employee. The PIN must not match any active employee's, since login is by PIN
   * alone. A repeated commandId returns the first result (checked before the PIN, which would
   * otherwise clash with the employee the first attempt made).
   */
  async create(input: {
    commandId: string;
    name: string;
    role: Role;
    pin: string;
    actorId: string | null;
    /** Chosen for this employee; omitted: the role's. */
    permissions?: Permission[];
    /** The PIN is temporary: the employee sets their own at the first login. */
    mustSetPin?: boolean;
    /** The audited command name (default staff.create). */
    commandName?: string;
  }): Promise<Employee> {
    const applied = appliedCommandResult<Employee>(this.sqlite, input.commandId);
    if (applied) return applied.result;
    await this.assertPinAllowed(input.pin, null, input.actorId);
    const pinHash = await hashPin(input.pin);
    const now = this.clock();
    const id = newId(now);
    const stored = input.permissions === undefined ? null : JSON.stringify(input.permissions);
    const employee = toEmployee({ id, name: input.name, role: input.role, active: 1, permissions: stored });
    return applyCommand(
      this.sqlite,
      { commandId: input.commandId, name: input.commandName ?? 'staff.create', actorId: input.actorId },
      () => {
        this.sqlite
          .prepare(
            'INSERT INTO employees (id, name, role, pin_hash, failed_pin_attempts, active, created_at, permissions, pin_must_change) VALUES (?, ?, ?, ?, 0, 1, ?, ?, ?)',
          )
          .run(id, input.name, input.role, pinHash, now, stored, input.mustSetPin ? 1 : 0);
        captureEmployee(this.sqlite, id, now);
        return {
          result: employee,
          audit: { details: { employeeId: id, name: input.name, role: input.role, permissions: employee.permissions, mustSetPin: !!input.mustSetPin } },
        };
      },
      now,
    ).result;
  }

  /**
   * Give an employee a new PIN. `mustSetPin`: it is temporary (an admin's reset), and the employee
   * chooses their own at the next login.
   */
  async changePin(input: {
    commandId: string;
    employeeId: string;
    pin: string;
    actorId: string | null;
    mustSetPin?: boolean;
    commandName?: string;
  }): Promise<void> {
    if (appliedCommandResult(this.sqlite, input.commandId)) return;
    if (!this.get(input.employeeId)) throw new CoreError('not_found', 'There is no such employee.');
    await this.assertPinAllowed(input.pin, input.employeeId, input.actorId);
    const pinHash = await hashPin(input.pin);
    applyCommand(
      this.sqlite,
      { commandId: input.commandId, name: input.commandName ?? 'staff.change_pin', actorId: input.actorId },
      () => {
        this.sqlite
          .prepare('UPDATE employees SET pin_hash = ?, failed_pin_attempts = 0, locked_until = NULL, pin_must_change = ? WHERE id = ?')
          .run(pinHash, input.mustSetPin ? 1 : 0, input.employeeId);
        this.sqlite.prepare('DELETE FROM settings WHERE key = ?').run(approvalAttemptsKey(input.employeeId));
        captureEmployee(this.sqlite, input.employeeId, this.clock());
        return { result: null, audit: { details: { employeeId: input.employeeId, mustSetPin: !!input.mustSetPin } } };
      },
      this.clock(),
    );
  }

  /**
   * Refuse a PIN that is easy to guess or that an active employee already has (login is by PIN
   * alone), in the same words either way, so the refusal does not tell whose PIN it is. A PIN in
   * use is no longer secret once someone else has typed it: its holder must choose a new one at
   * their next login. `exceptEmployeeId`: the employee getting the PIN (their own does not count).
   */
  async assertPinAllowed(pin: string, exceptEmployeeId: string | null, actorId: string | null): Promise<void> {
    const weak = weakPinReason(pin);
    const holder = weak === null ? await this.findByPin(pin) : null;
    const inUse = holder !== null && holder.id !== exceptEmployeeId;
    if (weak === null && !inUse) return;
    const now = this.clock();
    this.sqlite.transaction(() => {
      // Typing one's own PIN tells nobody anything new.
      if (inUse && holder.id !== actorId) this.sqlite.prepare('UPDATE employees SET pin_must_change = 1 WHERE id = ?').run(holder.id);
      // Whose PIN it was stays out of the log too: the log is read by managers.
      appendAudit(this.sqlite, { employeeId: actorId, action: 'staff.pin_refused', details: { forEmployeeId: exceptEmployeeId, reason: inUse ? 'in_use' : weak } }, now);
    }).immediate();
    throw new CoreError('conflict', PIN_REFUSED);
  }

  private async findByPin(pin: string): Promise<EmployeeRow | null> {
    const rows = this.sqlite
      .prepare(`SELECT ${EMPLOYEE_COLUMNS} FROM employees WHERE active = 1`)
      .all() as EmployeeRow[];
    // All hashes are checked (in parallel on the thread pool) so timing does not reveal which matched.
    const results = await Promise.all(rows.map((row) => verifyPin(pin, row.pin_hash)));
    const index = results.indexOf(true);
    return index >= 0 ? (rows[index] ?? null) : null;
  }

  /**
   * Log in (or unlock) by PIN. Counts wrong PINs for this register and locks out after too many.
   * The attempt is counted before the (slow) PIN check, so however many logins arrive at once,
   * at most LOCKOUT_POLICY.maxAttempts wrong PINs are ever checked before the lockout.
   * `triedBy`: the employee the screen belongs to, when known (unlocking), for the audit log.
   */
  async authenticate(pin: string, purpose: 'login' | 'unlock', triedBy: string | null = null): Promise<Employee> {
    const now = this.clock();
    const attempt = this.reserveAttempt(REGISTER_ATTEMPTS_KEY, now, null);
    const match = await this.findByPin(pin);
    if (!match) {
      const lockedOut = this.recordFailure(attempt, now, {
        employeeId: triedBy,
        failed: `staff.${purpose}_failed`,
        details: { purpose },
        lockedOut: 'staff.login_locked_out',
      });
      if (lockedOut !== null) throw lockedOutError(lockedOut - now);
      const left = LOCKOUT_POLICY.maxAttempts - attempt.state.failures;
      throw new CoreError('wrong_pin', `That PIN is not right. ${left} ${left === 1 ? 'try' : 'tries'} left before the register locks for a while.`, { triesLeft: left });
    }
    if (match.pin_must_change === 1) {
      this.sqlite.transaction(() => {
        this.writeAttempts(REGISTER_ATTEMPTS_KEY, NO_ATTEMPTS, now);
        appendAudit(this.sqlite, { employeeId: match.id, action: 'staff.pin_change_asked', details: { purpose } }, now);
      }).immediate();
      throw new CoreError(
        'pin_change_required',
        purpose === 'login'
          ? `Welcome, ${match.name}. The PIN you used was given to you: choose your own PIN now.`
          : `${match.name} must choose their own PIN first: choose Switch employee, then log in.`,
        { employeeName: match.name },
      );
    }
    this.sqlite.transaction(() => {
      this.writeAttempts(REGISTER_ATTEMPTS_KEY, NO_ATTEMPTS, now);
      appendAudit(this.sqlite, { employeeId: match.id, action: `staff.${purpose}` }, now);
    }).immediate();
    return toEmployee(match);
  }

  /**
   * An employee whose PIN was given by an admin (a new employee, a reset) chooses their own:
   * the given PIN is checked as a login is (counted, locked out), then the new one replaces it.
   */
  async setOwnPin(currentPin: string, newPin: string): Promise<Employee> {
    const now = this.clock();
    const attempt = this.reserveAttempt(REGISTER_ATTEMPTS_KEY, now, null);
    const match = await this.findByPin(currentPin);
    if (!match) {
      const lockedOut = this.recordFailure(attempt, now, {
        employeeId: null,
        failed: 'staff.login_failed',
        details: { purpose: 'set_own_pin' },
        lockedOut: 'staff.login_locked_out',
      });
      if (lockedOut !== null) throw lockedOutError(lockedOut - now);
      throw new CoreError('wrong_pin', 'That PIN is not right: log in again with the PIN you were given.');
    }
    this.writeAttemptsNow(REGISTER_ATTEMPTS_KEY, NO_ATTEMPTS, now);
    if (match.pin_must_change !== 1) {
      throw new CoreError('conflict', 'Your PIN is already your own: log in with it.');
    }
    if (newPin === currentPin) throw new CoreError('conflict', 'Choose a PIN of your own, not the one you were given.');
    await this.assertPinAllowed(newPin, match.id, match.id);
    const pinHash = await hashPin(newPin);
    this.sqlite.transaction(() => {
      this.sqlite.prepare('UPDATE employees SET pin_hash = ?, pin_must_change = 0, failed_pin_attempts = 0, locked_until = NULL WHERE id = ?').run(pinHash, match.id);
      captureEmployee(this.sqlite, match.id, this.clock());
      appendAudit(this.sqlite, { employeeId: match.id, action: 'staff.pin_set_by_employee' }, this.clock());
      appendAudit(this.sqlite, { employeeId: match.id, action: 'staff.login' }, this.clock());
    }).immediate();
    return toEmployee(match);
  }

  private writeAttemptsNow(key: string, state: AttemptState, now: number): void {
    this.sqlite.transaction(() => this.writeAttempts(key, state, now)).immediate();
  }

  /**
   * A named approver authorises one action with their PIN. Returns a single-use grant. Wrong
   * PINs are counted on the approver, before the check (as for login), and the lockout doubles
   * as wrong PINs continue.
   */
  async override(input: {
    approverId: string;
    pin: string;
    permission: Permission;
    action: string;
    requestedBy: string;
  }): Promise<OverrideGrant> {
    const now = this.clock();
    const row = this.sqlite
      .prepare(`SELECT ${EMPLOYEE_COLUMNS} FROM employees WHERE id = ?`)
      .get(input.approverId) as EmployeeRow | undefined;
    if (!row || row.active !== 1) throw new CoreError('not_found', 'Choose an approver from the list.');
    const approver = toEmployee(row);
    if (!approver.permissions.includes(input.permission)) {
      throw new CoreError('forbidden', `${approver.name} cannot approve this: choose someone with that permission.`);
    }
    if (row.pin_must_change === 1) {
      // Their PIN was given by an admin, who knows it: it approves nothing until they choose their own.
      throw new CoreError('forbidden', `${approver.name} must first log in and choose their own PIN: choose someone else for now.`);
    }
    const key = approvalAttemptsKey(row.id);
    const attempt = this.reserveAttempt(key, now, row.locked_until);
    const ok = await verifyPin(input.pin, row.pin_hash);
    if (!ok) {
      const lockedOut = this.recordFailure(attempt, now, {
        employeeId: input.requestedBy,
        failed: 'staff.override_failed',
        details: { approverId: row.id, permission: input.permission, action: input.action },
        lockedOut: 'staff.override_locked_out',
      });
      if (lockedOut !== null) throw lockedOutError(lockedOut - now);
      throw new CoreError('wrong_pin', `That is not ${approver.name}'s PIN.`);
    }
    const grant: OverrideGrant = {
      grantId: newId(now),
      approverId: row.id,
      approverName: row.name,
      permission: input.permission,
      action: input.action,
      expiresAt: now + OVERRIDE_GRANT_TTL_MS,
    };
    this.sqlite.transaction(() => {
      this.writeAttempts(key, NO_ATTEMPTS, now);
      this.sqlite.prepare('UPDATE employees SET failed_pin_attempts = 0, locked_until = NULL WHERE id = ?').run(row.id);
      appendAudit(this.sqlite, { employeeId: input.requestedBy, action: 'staff.override_granted', details: { approverId: row.id, permission: input.permission, action: input.action, grantId: grant.grantId } }, now);
    }).immediate();
    this.grants.set(grant.grantId, grant);
    return grant;
  }

  /**
   * Count one PIN attempt as wrong before it is checked, in one immediate transaction (nothing
   * else runs between the read and the write), and refuse it if a lockout is on. The attempt
   * that reaches the limit starts the lockout at once, so parallel attempts behind it are
   * refused without a check; a right PIN then clears it (see the success paths).
   */
  private reserveAttempt(key: string, now: number, legacyLockedUntil: number | null): Reservation {
    return this.sqlite.transaction((): Reservation => {
      const current = this.readAttempts(key);
      const lockedUntil = Math.max(current.lockedUntil ?? 0, legacyLockedUntil ?? 0);
      if (lockedUntil > now) throw lockedOutError(lockedUntil - now);
      const state = registerFailure(current, now);
      this.writeAttempts(key, state, now);
      return { key, state, startedLockout: state.lockedUntil !== null };
    }).immediate();
  }

  /**
   * Audit a wrong PIN (already counted by reserveAttempt). Returns when the lockout this attempt
   * started ends, or null when it started none (or a right PIN cleared it meanwhile).
   */
  private recordFailure(
    attempt: Reservation,
    now: number,
    audit: { employeeId: string | null; failed: string; lockedOut: string; details: Record<string, unknown> },
  ): number | null {
    return this.sqlite.transaction((): number | null => {
      const lockedUntil = attempt.startedLockout ? attempt.state.lockedUntil : null;
      appendAudit(this.sqlite, { employeeId: audit.employeeId, action: audit.failed, details: { ...audit.details, failures: attempt.startedLockout ? LOCKOUT_POLICY.maxAttempts : attempt.state.failures, lockedUntil } }, now);
      if (lockedUntil === null || this.readAttempts(attempt.key).lockedUntil !== lockedUntil) return null;
      appendAudit(
        this.sqlite,
        {
          employeeId: audit.employeeId,
          action: audit.lockedOut,
          details: { ...audit.details, lockedUntil, lockoutMs: lockedUntil - now, lockoutNumber: attempt.state.lockouts },
        },
        now,
      );
      return lockedUntil;
    }).immediate();
  }

  /** Use a grant for the action it was given for. It works once. */
  consumeGrant(grantId: string, permission: Permission, action: string): OverrideGrant {
    const grant = this.grants.get(grantId);
    this.grants.delete(grantId);
    if (!grant || grant.expiresAt < this.clock() || grant.permission !== permission || grant.action !== action) {
      throw new CoreError('forbidden', 'The manager approval has expired or was for something else: ask again.');
    }
    return grant;
  }

  private readAttempts(key: string): AttemptState {
    const row = this.sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    if (!row) return NO_ATTEMPTS;
    try {
      const parsed = JSON.parse(row.value) as Partial<AttemptState>;
      return {
        failures: Number(parsed.failures) || 0,
        lockouts: Number(parsed.lockouts) || 0,
        lockedUntil: typeof parsed.lockedUntil === 'number' ? parsed.lockedUntil : null,
      };
    } catch {
      return NO_ATTEMPTS;
    }
  }

  private writeAttempts(key: string, state: AttemptState, now: number): void {
    this.sqlite
      .prepare(
        'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      )
      .run(key, JSON.stringify(state), now);
  }
}

function registerFailure(state: AttemptState, now: number): AttemptState {
  const failures = state.failures + 1;
  if (failures < LOCKOUT_POLICY.maxAttempts) return { ...state, failures, lockedUntil: null };
  const lockoutMs = Math.min(LOCKOUT_POLICY.baseLockoutMs * 2 ** state.lockouts, LOCKOUT_POLICY.maxLockoutMs);
  return { failures: 0, lockouts: state.lockouts + 1, lockedUntil: now + lockoutMs };
}

function lockedOutError(remainingMs: number): CoreError {
  const seconds = Math.ceil(remainingMs / 1000);
  return new CoreError(
    'locked_out',
    `Too many wrong PINs. Try again in ${seconds} seconds, or ask a manager.`,
    { retryAfterMs: remainingMs },
  );
}
