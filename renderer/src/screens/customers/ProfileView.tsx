/** One customer's profile: alerts, details, caregiver-patients, documents and event history. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { formatDateTime } from '../../format';
import { call } from '../../register';
import { useSession, useStatus } from '../../stores/app';
import { CollectSignature } from './CollectSignature';
import { DateField, TextField } from '../../components/customers/fields';
import { showDate } from '../../components/customers/dateEntry';
import { DocumentsPanel } from './DocumentsPanel';
import { RewardsPanel } from '../../components/rewards/RewardsPanel';
import { ProgressChecks } from './ProfileEditor';
import { CheckInDialog } from '../../components/queue/CheckInDialog';
import { openAtRegister } from '../../components/queue/selectedCustomer';
import type { QueueEntry } from '../../components/queue/types';
import { newCommandId, typeLabels, type ScanOutcome } from './CustomersScreen';
import type { CaregiverPatient, CustomerDetail, CustomerHistoryEntry, CustomersConfig, PatientInput } from './types';

export const REMOVE_PATIENT_CONFIRMATION = 'Are you sure you want to remove this caregiver-patient record?';

const genderLabels = { male: 'Male', female: 'Female', non_binary: 'Non-Binary', unspecified: 'Unspecified' } as const;

export function ProfileView(props: {
  config: CustomersConfig;
  id: string;
  onBack: () => void;
  onEdit: (detail: CustomerDetail) => void;
  onOpen: (id: string) => void;
  /** This profile was opened by scanning the customer's licence: what the scan changed and found. */
  scan?: ScanOutcome | null;
}) {
  const timeZone = useStatus((state) => (state.status?.state === 'ready' ? state.status.timeZone : undefined));
  const [detail, setDetail] = useState<CustomerDetail | null>(null);
  const [history, setHistory] = useState<CustomerHistoryEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  /** The check-in dialog is open, for one of a caregiver's patients when patientId is set. */
  const [checkingIn, setCheckingIn] = useState<false | { patientId?: string }>(false);
  const [checkedIn, setCheckedIn] = useState<QueueEntry | null>(null);
  const checkInButton = useRef<HTMLButtonElement>(null);

  const load = useCallback(async () => {
    const [got, events] = await Promise.all([call('customers.get', { id: props.id }), call('customers.history', { id: props.id, limit: 50 })]);
    if (got.ok) setDetail(got.value);
    else setError(got.error.message);
    if (events.ok) setHistory(events.value);
  }, [props.id]);

  useEffect(() => {
    void load();
  }, [load]);
  const reload = useCallback(() => void load(), [load]);
  const canCollect = useSession((state) => (state.session && state.session.state !== 'logged_out' ? state.session.employee.permissions.includes('manage_customers') : false));

  if (error) return <p className="error page">{error}</p>;
  if (!detail) return <p className="page">Loading the profile…</p>;
  const f = detail.form;
  const address = [f.address.street, f.address.street2, f.address.city, f.address.state, f.address.postalCode].filter(Boolean).join(', ');
  const delivery = [f.delivery.street, f.delivery.city, f.delivery.state, f.delivery.postalCode].filter(Boolean).join(', ');

  return (
    <section className="page cu-page" aria-labelledby="page-title">
      <div className="cu-head">
        <button type="button" className="secondary" onClick={props.onBack}>
          ← Back
        </button>
        <h1 id="page-title">{detail.displayName}</h1>
        <span className="cu-badge">{typeLabels[detail.customerType]}</span>
        {detail.groups.map((group) => (
          <span key={group.name} className="cu-badge cu-badge-group">
            {group.name}
            {group.automatic ? ' (by age)' : ''}
          </span>
        ))}
        <button type="button" ref={checkInButton} className="primary cu-push cu-checkin" onClick={() => setCheckingIn({})}>
          Check In
        </button>
        <button type="button" onClick={() => props.onEdit(detail)}>
          Edit
        </button>
      </div>
      {checkedIn ? (
        <div className="cu-checked-in" role="status">
          <p>{checkedIn.displayName} is checked in and waiting in the queue.</p>
          <button type="button" className="primary" onClick={() => openAtRegister(checkedIn)}>
            Open the ticket at the Register
          </button>
        </div>
      ) : null}
      {checkingIn ? (
        <CheckInDialog
          customerId={detail.id}
          {...(checkingIn.patientId ? { patientId: checkingIn.patientId } : {})}
          onClose={() => {
            setCheckingIn(false);
            checkInButton.current?.focus();
          }}
          onCheckedIn={(entry) => {
            setCheckedIn(entry);
            void load();
          }}
        />
      ) : null}
      {props.scan ? <ScanNotice scan={props.scan} /> : null}
      {detail.alerts.length > 0 ? (
        <ul className="cu-alerts" role="alert">
          {detail.alerts.map((alert) => (
            <li key={alert}>{alert}</li>
          ))}
        </ul>
      ) : null}
      <ProgressChecks
        steps={[
          { label: 'Scanned', done: detail.progress.scanned },
          { label: 'Photo', done: detail.progress.photo },
          { label: 'MD rec', done: detail.progress.mdRec },
          { label: 'Signature', done: detail.progress.signature },
          { label: 'Saved', done: detail.progress.saved },
        ]}
      />
      <CollectSignature customerId={detail.id} canCollect={canCollect} onChanged={reload} />
      <div className="cu-columns">
        <dl className="facts cu-facts">
          <dt>Born</dt>
          <dd>
            {showDate(f.dateOfBirth)} {detail.age !== null ? `(age ${detail.age})` : ''}
          </dd>
          <dt>Gender</dt>
          <dd>{genderLabels[f.gender]}</dd>
          <dt>ID expires</dt>
          <dd>{showDate(f.identificationExpires) || '—'}</dd>
          <dt>Licence</dt>
          <dd>{f.licenceNumber ?? (props.config.mayKeepScannedLicenceData ? '—' : 'kept only as a fingerprint')} {f.licenceState ? `(${f.licenceState})` : ''}</dd>
          {f.medicalId ? (
            <>
              <dt>Medical ID</dt>
              <dd>
                {f.medicalId} · expires {showDate(f.medicalIdExpires)}
              </dd>
            </>
          ) : null}
          {f.recommendationExpires ? (
            <>
              <dt>Recommendation</dt>
              <dd>expires {showDate(f.recommendationExpires)}</dd>
            </>
          ) : null}
          {f.physician.name ? (
            <>
              <dt>Physician</dt>
              <dd>{[f.physician.name, f.physician.licence, f.physician.phone].filter(Boolean).join(' · ')}</dd>
            </>
          ) : null}
          {f.caregiverLicence ? (
            <>
              <dt>Caregiver ID</dt>
              <dd>
                {f.caregiverId} · expires {showDate(f.caregiverIdExpires)}
              </dd>
            </>
          ) : null}
          {detail.caregiver ? (
            <>
              <dt>{detail.otherCaregivers.length > 0 ? 'Caregivers' : 'Caregiver'}</dt>
              <dd>
                {[detail.caregiver, ...detail.otherCaregivers].map((caregiver, index) => (
                  <span key={caregiver.id}>
                    {index > 0 ? ', ' : ''}
                    <button type="button" className="cu-link" onClick={() => props.onOpen(caregiver.id)}>
                      {caregiver.displayName}
                    </button>
                  </span>
                ))}
              </dd>
            </>
          ) : null}
          <dt>Address</dt>
          <dd>{address || '—'}</dd>
          <dt>Phone</dt>
          <dd>{[f.phone, f.otherPhone].filter(Boolean).join(' · ') || '—'}</dd>
          <dt>Email</dt>
          <dd>{f.email ?? '—'}</dd>
          {delivery ? (
            <>
              <dt>Delivery</dt>
              <dd>{delivery}</dd>
            </>
          ) : null}
          <dt>Notes</dt>
          <dd>{f.notes ?? '—'}</dd>
        </dl>
        <div>
          {f.caregiverLicence ? <PatientsPanel config={props.config} caregiverId={detail.id} patients={detail.patients} onChanged={load} onCheckIn={(patientId) => setCheckingIn({ patientId })} /> : null}
          <RewardsPanel customerId={detail.id} customerName={detail.displayName} onChanged={() => void load()} />
          <DocumentsPanel config={props.config} target={{ customerId: detail.id }} onChanged={load} />
        </div>
      </div>
      <section className="panel" aria-labelledby="history-title">
        <h2 id="history-title">Event history</h2>
        {history.length === 0 ? (
          <p className="muted">No events yet.</p>
        ) : (
          <table className="table cu-history">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
              </tr>
            </thead>
            <tbody>
              {history.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatDateTime(entry.at, timeZone)}</td>
                  <td>{entry.employeeName ?? 'the register'}</td>
                  <td>
                    {entry.summary}
                    {entry.changes.length > 0 ? (
                      <ul className="cu-changes">
                        {entry.changes.map((change, index) => (
                          <li key={index}>
                            {change.field}: {change.from ?? '(empty)'} → {change.to ?? '(empty)'}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </section>
  );
}

const emptyPatient: PatientInput = { firstName: '', lastName: '', medicalLicence: '', licenceExpires: '', dateOfBirth: null };

function PatientsPanel(props: { config: CustomersConfig; caregiverId: string; patients: CaregiverPatient[]; onChanged: () => Promise<void>; onCheckIn: (patientId: string) => void }) {
  const [editing, setEditing] = useState<{ id: string | null; patient: PatientInput } | null>(null);
  const [removing, setRemoving] = useState<CaregiverPatient | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cap = props.config.maxPatientsPerCaregiver;
  const full = cap !== null && props.patients.length >= cap;

  const save = async () => {
    if (!editing) return;
    setError(null);
    const result = editing.id
      ? await call('customers.updatePatient', { commandId: newCommandId(), id: editing.id, patient: editing.patient })
      : await call('customers.addPatient', { commandId: newCommandId(), caregiverId: props.caregiverId, patient: editing.patient });
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setEditing(null);
    await props.onChanged();
  };

  const remove = async (patient: CaregiverPatient) => {
    const result = await call('customers.removePatient', { commandId: newCommandId(), id: patient.id });
    setRemoving(null);
    if (!result.ok) setError(result.error.message);
    await props.onChanged();
  };

  return (
    <section className="cu-section" aria-labelledby="patients-title">
      <h2 id="patients-title">
        Caregiver-patients ({props.patients.length}
        {cap !== null ? ` of ${cap}` : ''})
      </h2>
      <ul className="cu-patients" aria-label="Caregiver-patients">
        {props.patients.map((patient) => (
          <li key={patient.id}>
            <span>
              <strong>
                {patient.firstName} {patient.lastName}
              </strong>{' '}
              · {patient.medicalLicence} · expires {showDate(patient.licenceExpires)} ·{' '}
              {patient.dateOfBirth ? `born ${showDate(patient.dateOfBirth)}` : <strong>no birth date: cannot buy until entered</strong>}
            </span>
            <button type="button" className="primary" onClick={() => props.onCheckIn(patient.id)} aria-label={`Check in for ${patient.firstName} ${patient.lastName}`}>
              Check in
            </button>
            <button
              type="button"
              onClick={() =>
                setEditing({
                  id: patient.id,
                  patient: { firstName: patient.firstName, lastName: patient.lastName, medicalLicence: patient.medicalLicence, licenceExpires: patient.licenceExpires, dateOfBirth: patient.dateOfBirth },
                })
              }
            >
              Edit
            </button>
            <button type="button" className="secondary" onClick={() => setRemoving(patient)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      {editing ? (
        <div className="cu-grid cu-patient-form" role="group" aria-label={editing.id ? 'Edit caregiver-patient' : 'New caregiver-patient'}>
          <TextField label="Patient first name" value={editing.patient.firstName} onChange={(v) => setEditing({ ...editing, patient: { ...editing.patient, firstName: v } })} />
          <TextField label="Patient last name" value={editing.patient.lastName} onChange={(v) => setEditing({ ...editing, patient: { ...editing.patient, lastName: v } })} />
          <TextField label="Medical licence number" value={editing.patient.medicalLicence} onChange={(v) => setEditing({ ...editing, patient: { ...editing.patient, medicalLicence: v } })} />
          <DateField label="Licence expiration" value={editing.patient.licenceExpires || null} onChange={(v) => setEditing({ ...editing, patient: { ...editing.patient, licenceExpires: v ?? '' } })} />
          <DateField label="Patient birth date" value={editing.patient.dateOfBirth ?? null} onChange={(v) => setEditing({ ...editing, patient: { ...editing.patient, dateOfBirth: v } })} />
          <div className="row">
            <button type="button" className="primary" onClick={() => void save()}>
              Save patient
            </button>
            <button type="button" className="secondary" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" disabled={full} onClick={() => setEditing({ id: null, patient: emptyPatient })}>
          + Add patient
        </button>
      )}
      {full ? <p className="muted">{props.config.jurisdictionName} allows {cap} patient{cap === 1 ? '' : 's'} per caregiver.</p> : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {removing ? (
        <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="remove-patient-title">
          <div className="dialog">
            <h2 id="remove-patient-title">Remove caregiver-patient</h2>
            <p>{REMOVE_PATIENT_CONFIRMATION}</p>
            <p className="muted">
              {removing.firstName} {removing.lastName} · {removing.medicalLicence}
            </p>
            <div className="row">
              <button type="button" className="primary" onClick={() => void remove(removing)}>
                Yes, remove
              </button>
              <button type="button" className="secondary" autoFocus onClick={() => setRemoving(null)}>
                Keep
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </section>
  );
}

/** What the licence just scanned changed on the profile (field: old → new), and what it means for the sale. */
function ScanNotice({ scan }: { scan: ScanOutcome }) {
  return (
    <section className={`cu-scan-notice${scan.checks.length > 0 || scan.error ? ' cu-scan-notice-warn' : ''}`} aria-label="Licence scan">
      {scan.error ? (
        <p className="error-text">The profile was not updated from the scan: {scan.error}</p>
      ) : scan.changes.length > 0 ? (
        <>
          <p>
            <strong>Updated from the licence just scanned</strong> (saved, and in the history below):
          </p>
          <ul className="cu-changes">
            {scan.changes.map((change) => (
              <li key={change.field}>
                {change.field}: {change.from ?? '(empty)'} → {change.to ?? '(empty)'}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>The licence just scanned matches this profile.</p>
      )}
      {scan.checks.length > 0 ? (
        <ul className="cu-checks" role="alert">
          {scan.checks.map((check) => (
            <li key={check.code} className="error-text">
              {check.message}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
