/**
 * Settings › Employees (admins): add, edit, disable or enable, reset a PIN. A PIN given here is
 * temporary: the employee chooses their own at their next login. Nobody is ever deleted.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CallResponse, EmployeeDetail, Permission, Role } from '../../../../preload/api';
import { newCommandId } from '../../components/queue/commandId';
import { call } from '../../register';
import '../../styles/setup.css';

type Listing = CallResponse<'staff.employees.list'>;

const ROLES: Array<{ id: Role; name: string }> = [
  { id: 'budtender', name: 'Budtender' },
  { id: 'manager', name: 'Manager' },
  { id: 'admin', name: 'Admin' },
];

export const PERMISSION_NAMES: Record<Permission, string> = {
  sell: 'Sell',
  manage_customers: 'Customers',
  manage_products: 'Products and stock',
  manage_settings: 'Settings',
  view_audit: 'Audit log',
  manager_override: 'Manager Override (approve others’ actions)',
  manage_staff: 'Employees',
};
const PERMISSIONS = Object.keys(PERMISSION_NAMES) as Permission[];

type Dialog =
  | { kind: 'add' }
  | { kind: 'edit'; employee: EmployeeDetail }
  | { kind: 'pin'; employee: EmployeeDetail; enable: boolean }
  | { kind: 'disable'; employee: EmployeeDetail };

function PinFields({ pin, again, onChange }: { pin: string; again: string; onChange(pin: string, again: string): void }) {
  return (
    <div className="setup-grid">
      <label className="field">
        <span>Temporary PIN (4 to 8 digits)</span>
        <input
          type="password"
          inputMode="numeric"
          autoComplete="new-password"
          maxLength={8}
          value={pin}
          onChange={(event) => onChange(event.target.value.replace(/\D/g, ''), again)}
        />
      </label>
      <label className="field">
        <span>Temporary PIN again</span>
        <input
          type="password"
          inputMode="numeric"
          autoComplete="new-password"
          maxLength={8}
          value={again}
          onChange={(event) => onChange(pin, event.target.value.replace(/\D/g, ''))}
        />
      </label>
    </div>
  );
}

function pinProblem(pin: string, again: string): string | null {
  if (!/^\d{4,8}$/.test(pin)) return 'A PIN is 4 to 8 digits.';
  if (pin !== again) return 'The two PINs differ: type the same PIN twice.';
  return null;
}

function EmployeeDialog({ dialog, roleDefaults, onDone, onCancel }: { dialog: Dialog; roleDefaults: Listing['roleDefaults']; onDone(): void; onCancel(): void }) {
  const existing = dialog.kind === 'add' ? null : dialog.employee;
  const [name, setName] = useState(existing?.name ?? '');
  const [role, setRole] = useState<Role>(existing?.role ?? 'budtender');
  const [permissions, setPermissions] = useState<Permission[]>(existing?.permissions ?? roleDefaults.budtender);
  const [pin, setPin] = useState({ pin: '', again: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const chooseRole = (next: Role) => {
    setRole(next);
    setPermissions(roleDefaults[next]);
  };
  const toggle = (permission: Permission, on: boolean) =>
    setPermissions(on ? [...permissions, permission] : permissions.filter((item) => item !== permission));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    let result: { ok: true } | { ok: false; error: { message: string } };
    setBusy(true);
    if (dialog.kind === 'add' || dialog.kind === 'pin') {
      const problem = pinProblem(pin.pin, pin.again);
      if (problem) {
        setBusy(false);
        return setError(problem);
      }
    }
    switch (dialog.kind) {
      case 'add':
        result = await call('staff.employees.add', { commandId: newCommandId(), name, role, permissions, pin: pin.pin });
        break;
      case 'edit':
        result = await call('staff.employees.edit', { commandId: newCommandId(), employeeId: dialog.employee.id, name, role, permissions });
        break;
      case 'pin':
        result = dialog.enable
          ? await call('staff.employees.setActive', { commandId: newCommandId(), employeeId: dialog.employee.id, active: true, pin: pin.pin })
          : await call('staff.employees.resetPin', { commandId: newCommandId(), employeeId: dialog.employee.id, pin: pin.pin });
        break;
      case 'disable':
        result = await call('staff.employees.setActive', { commandId: newCommandId(), employeeId: dialog.employee.id, active: false });
        break;
    }
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    onDone();
  };

  const title =
    dialog.kind === 'add'
      ? 'Add an employee'
      : dialog.kind === 'edit'
        ? `Edit ${dialog.employee.name}`
        : dialog.kind === 'disable'
          ? `Disable ${dialog.employee.name}?`
          : dialog.enable
            ? `Enable ${dialog.employee.name}`
            : `Reset ${dialog.employee.name}'s PIN`;

  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="employee-dialog-title">
      <div className="dialog employee-dialog">
        <h2 id="employee-dialog-title">{title}</h2>
        <form onSubmit={(event) => void submit(event)}>
          {dialog.kind === 'add' || dialog.kind === 'edit' ? (
            <>
              <label className="field">
                <span>Name</span>
                <input value={name} maxLength={80} autoFocus onChange={(event) => setName(event.target.value)} />
              </label>
              <label className="field">
                <span>Role</span>
                <select value={role} onChange={(event) => chooseRole(event.target.value as Role)}>
                  {ROLES.map((item) => (
                    <option key={item.id} value={item.id}>
                      {item.name}
                    </option>
                  ))}
                </select>
              </label>
              <fieldset className="permissions">
                <legend>May use (the role&apos;s defaults; change them for this employee)</legend>
                {PERMISSIONS.map((permission) => (
                  <label key={permission} className="field check">
                    <input type="checkbox" checked={permissions.includes(permission)} onChange={(event) => toggle(permission, event.target.checked)} />
                    <span>{PERMISSION_NAMES[permission]}</span>
                  </label>
                ))}
              </fieldset>
            </>
          ) : null}
          {dialog.kind === 'add' || dialog.kind === 'pin' ? (
            <>
              <p className="muted">Tell the employee this PIN. At their next login they choose their own, which nobody else knows.</p>
              <PinFields pin={pin.pin} again={pin.again} onChange={(next, again) => setPin({ pin: next, again })} />
            </>
          ) : null}
          {dialog.kind === 'disable' ? (
            <p className="dialog-lead">They can no longer log in or approve anything. Their name stays on their sales and in the audit log; you can enable them again.</p>
          ) : null}
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="row dialog-actions">
            <button type="button" className="secondary" disabled={busy} onClick={onCancel}>
              Cancel
            </button>
            <button type="submit" className={dialog.kind === 'disable' ? 'danger-button' : 'primary'} disabled={busy}>
              {busy ? 'Saving…' : dialog.kind === 'add' ? 'Add employee' : dialog.kind === 'disable' ? 'Disable' : dialog.kind === 'edit' ? 'Save' : dialog.enable ? 'Enable' : 'Reset PIN'}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

export function EmployeesPanel({ selfId }: { selfId: string }) {
  const [listing, setListing] = useState<Listing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    const result = await call('staff.employees.list', {});
    if (result.ok) setListing(result.value);
    else setError(result.error.message);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const done = (text: string) => {
    setDialog(null);
    setNotice(text);
    void load();
  };

  return (
    <section className="panel" aria-labelledby="staff-title" data-testid="employees">
      <h2 id="staff-title">Employees</h2>
      <div className="row">
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'add' })}>
          Add employee
        </button>
        {notice ? (
          <span role="status" className="ok">
            {notice}
          </span>
        ) : null}
      </div>
      {error ? <p className="error">{error}</p> : null}
      {!listing && !error ? <p>Loading…</p> : null}
      {listing ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">May use</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="muted">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {listing.employees.map((employee) => (
              <tr key={employee.id} data-testid="employee-row">
                <td>{employee.name}</td>
                <td className="role">{employee.role}</td>
                <td>{employee.permissions.map((permission) => PERMISSION_NAMES[permission].replace(/ \(.*\)$/, '')).join(', ')}</td>
                <td>
                  {employee.active ? 'Active' : <span className="status-off">Disabled</span>}
                  {employee.active && employee.mustSetPin ? <span className="status-note">Chooses a PIN at next login</span> : null}
                </td>
                <td>
                  <div className="employee-actions">
                    <button type="button" className="secondary" onClick={() => setDialog({ kind: 'edit', employee })} aria-label={`Edit ${employee.name}`}>
                      Edit
                    </button>
                    {employee.active ? (
                      <>
                        <button type="button" className="secondary" onClick={() => setDialog({ kind: 'pin', employee, enable: false })} aria-label={`Reset ${employee.name}'s PIN`}>
                          Reset PIN
                        </button>
                        {employee.id !== selfId ? (
                          <button type="button" className="secondary" onClick={() => setDialog({ kind: 'disable', employee })} aria-label={`Disable ${employee.name}`}>
                            Disable
                          </button>
                        ) : null}
                      </>
                    ) : (
                      <button type="button" className="secondary" onClick={() => setDialog({ kind: 'pin', employee, enable: true })} aria-label={`Enable ${employee.name}`}>
                        Enable
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {dialog && listing ? (
        <EmployeeDialog
          dialog={dialog}
          roleDefaults={listing.roleDefaults}
          onCancel={() => setDialog(null)}
          onDone={() =>
            done(
              dialog.kind === 'add'
                ? 'Employee added: they choose their own PIN at their first login.'
                : dialog.kind === 'pin'
                  ? dialog.enable
                    ? `${dialog.employee.name} is enabled: they choose their own PIN at their next login.`
                    : `PIN reset: ${dialog.employee.name} chooses their own at their next login.`
                  : dialog.kind === 'disable'
                    ? `${dialog.employee.name} is disabled.`
                    : 'Saved.',
            )
          }
        />
      ) : null}
    </section>
  );
}
