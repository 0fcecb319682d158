import { useEffect, useState } from 'react';
import type { AuditEvent, AuditVerification, Employee } from '../../../preload/api';
import { ManagerOverrideDialog, type OverrideGrant } from '../components/ManagerOverrideDialog';
import { QueueSettings } from '../components/queue/QueueSettings';
import { RewardsSettings } from '../components/rewards/RewardsSettings';
import { formatDateTime } from '../format';
import { call } from '../register';
import { useStatus } from '../stores/app';
import { DevicesSettings } from './devices/DevicesSettings';
import { EmployeesPanel } from './settings/EmployeesPanel';
import { StoreSettingsPanel } from './settings/StoreSettingsPanel';
import { StoreHubPanel } from './settings/StoreHubPanel';
import { TraceSettingsPanel } from './trace/TraceSettingsPanel';
import { ProfileSettings } from './customers/ProfileSettings';
import { MailPanel } from './settings/MailPanel';
import { TabletPanel } from './settings/TabletPanel';

type Loaded<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; message: string };

function StaffList() {
  const [staff, setStaff] = useState<Loaded<Employee[]>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    void call('staff.list', {}).then((result) => {
      if (!live) return;
      setStaff(result.ok ? { state: 'ok', value: result.value } : { state: 'error', message: result.error.message });
    });
    return () => {
      live = false;
    };
  }, []);
  return (
    <section className="panel" aria-labelledby="staff-title">
      <h2 id="staff-title">Employees</h2>
      {staff.state === 'loading' ? <p>Loading…</p> : null}
      {staff.state === 'error' ? <p className="error">{staff.message}</p> : null}
      {staff.state === 'ok' ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {staff.value.map((employee) => (
              <tr key={employee.id}>
                <td>{employee.name}</td>
                <td className="role">{employee.role}</td>
                <td>{employee.active ? 'active' : 'inactive'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function describeAction(event: AuditEvent): string {
  return event.action.replace(/[._]/g, ' ');
}

function AuditEventsTable({ events, timeZone, label }: { events: AuditEvent[]; timeZone: string | undefined; label?: string }) {
  return (
    <table className="table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">What</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.id}>
            <td>{formatDateTime(event.at, timeZone)}</td>
            <td>{event.employeeName ?? '—'}</td>
            <td>{describeAction(event)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AuditPanel({ timeZone }: { timeZone: string | undefined }) {
  const [verification, setVerification] = useState<Loaded<AuditVerification> | null>(null);
  const [recent, setRecent] = useState<Loaded<AuditEvent[]>>({ state: 'loading' });

  const loadRecent = async () => {
    const result = await call('audit.recent', { limit: 15 });
    setRecent(result.ok ? { state: 'ok', value: result.value } : { state: 'error', message: result.error.message });
  };

  useEffect(() => {
    void loadRecent();
  }, []);

  const verify = async () => {
    setVerification({ state: 'loading' });
    const result = await call('audit.verify', {});
    setVerification(result.ok ? { state: 'ok', value: result.value } : { state: 'error', message: result.error.message });
    void loadRecent();
  };

  return (
    <section className="panel" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <div className="row">
        <button type="button" className="primary" onClick={() => void verify()} disabled={verification?.state === 'loading'}>
          Verify audit log
        </button>
        <div role="status" className="verify-result">
          {verification?.state === 'loading' ? 'Checking every event…' : null}
          {verification?.state === 'error' ? <span className="error-text">{verification.message}</span> : null}
          {verification?.state === 'ok' && verification.value.ok ? (
            <span className="ok">The audit log is intact: {verification.value.checked} events checked.</span>
          ) : null}
          {verification?.state === 'ok' && !verification.value.ok && verification.value.firstBroken ? (
            <span className="error-text">
              The audit log is broken at event {verification.value.firstBroken.seq}: {verification.value.firstBroken.reason}
            </span>
          ) : null}
        </div>
      </div>
      <h3>Recent events</h3>
      {recent.state === 'loading' ? <p>Loading…</p> : null}
      {recent.state === 'error' ? <p className="error">{recent.message}</p> : null}
      {recent.state === 'ok' ? (
        recent.value.length === 0 ? (
          <p>No events yet.</p>
        ) : (
          <AuditEventsTable events={recent.value} timeZone={timeZone} />
        )
      ) : null}
    </section>
  );
}

/** A budtender may see the recent events once, when a manager approves with their PIN. */
function AuditWithApproval({ timeZone }: { timeZone: string | undefined }) {
  const [asking, setAsking] = useState(false);
  const [events, setEvents] = useState<Loaded<AuditEvent[]> | null>(null);

  const onApproved = async (grant: OverrideGrant) => {
    setAsking(false);
    setEvents({ state: 'loading' });
    const result = await call('audit.recent', { limit: 15 }, { overrideGrantId: grant.grantId });
    setEvents(result.ok ? { state: 'ok', value: result.value } : { state: 'error', message: result.error.message });
  };

  return (
    <section className="panel" aria-labelledby="audit-approval-title">
      <h2 id="audit-approval-title">Audit log</h2>
      <button type="button" className="secondary" onClick={() => setAsking(true)}>
        Ask a manager to show recent events
      </button>
      {events?.state === 'loading' ? <p>Loading…</p> : null}
      {events?.state === 'error' ? <p className="error">{events.message}</p> : null}
      {events?.state === 'ok' ? (
        <AuditEventsTable events={events.value} timeZone={timeZone} label="Recent events" />
      ) : null}
      {asking ? (
        <ManagerOverrideDialog
          action="audit.recent"
          permission="view_audit"
          title="Show the recent audit events to the employee at this register"
          onApproved={(grant) => void onApproved(grant)}
          onCancel={() => setAsking(false)}
        />
      ) : null}
    </section>
  );
}

export function SettingsScreen({ employee }: { employee: Employee }) {
  const status = useStatus((state) => state.status);
  const ready = status?.state === 'ready' ? status : null;
  // Shown to managers and admins; budtenders see the store facts only.
  const canSeeStaff = employee.permissions.includes('manage_staff') || employee.permissions.includes('view_audit');
  const canSeeAudit = employee.permissions.includes('view_audit');
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Settings</h1>
      {ready ? (
        <dl className="facts">
          {!employee.permissions.includes('manage_settings') ? (
            <>
              <dt>Store</dt>
              <dd>{ready.storeName}</dd>
              <dt>State rules</dt>
              <dd>{ready.jurisdiction}</dd>
              <dt>Time zone</dt>
              <dd>{ready.timeZone}</dd>
            </>
          ) : null}
          <dt>Version</dt>
          <dd>
            {ready.version} ({ready.host === 'electron' ? 'desktop app' : 'browser'})
          </dd>
        </dl>
      ) : null}
      {employee.permissions.includes('manage_settings') ? <StoreSettingsPanel /> : null}
      {employee.permissions.includes('manage_staff') ? <EmployeesPanel selfId={employee.id} /> : null}
      {employee.permissions.includes('manage_settings') ? <DevicesSettings /> : null}
      {employee.permissions.includes('manage_settings') ? <TraceSettingsPanel /> : null}
      {employee.permissions.includes('manage_settings') ? <StoreHubPanel /> : null}
      {employee.permissions.includes('manager_override') ? <QueueSettings /> : null}
      {employee.permissions.includes('manage_settings') ? <RewardsSettings /> : null}
      {employee.permissions.includes('manage_settings') ? <ProfileSettings /> : null}
      {employee.permissions.includes('manage_settings') ? <TabletPanel employee={employee} /> : null}
      {employee.permissions.includes('manage_settings') ? <MailPanel /> : null}
      {!employee.permissions.includes('manage_staff') && canSeeStaff ? <StaffList /> : null}
      {canSeeAudit ? <AuditPanel timeZone={ready?.timeZone} /> : null}
      {!canSeeStaff && !canSeeAudit ? (
        <>
          <p>Employees and the audit log are shown to managers.</p>
          <AuditWithApproval timeZone={ready?.timeZone} />
        </>
      ) : null}
    </section>
  );
}
