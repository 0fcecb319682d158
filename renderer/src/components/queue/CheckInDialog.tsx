/**
 * Check-In and the Purchase Allotment pop-up for one saved customer. The core runs the checks and
 * the BioTrack lookup; this shows what it found: refusals (red), warnings and notes, and the
 * allotment the person may lower before the customer joins the queue.
 *
 * A caregiver is checked in for one of the patients kept on their profile (the allotment is then
 * that patient's), for themselves on their own patient card, or with the patient chosen at the register.
 *
 * Usage: <CheckInDialog customerId={id} patientId={optional} onClose={...} onCheckedIn={(entry) => ...} />
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { call } from '../../register';
import { useStatus } from '../../stores/app';
import { useStateSystemName } from '../../stores/stateSystem';
import { formatDateTime } from '../../format';
import { newCommandId } from './commandId';
import { ConfirmMedicalId, useMedicalIdConfirmation } from '../allotment/ConfirmMedicalId';
import { formatAllotment, TYPE_LABELS, type CheckInPreparation, type CheckInType, type QueueAllotment, type QueueEntry } from './types';
import '../../styles/queue.css';

export interface CheckInDialogProps {
  customerId: string;
  /** A caregiver's patient (kept on their profile) to check in for, chosen beforehand. */
  patientId?: string;
  onClose(): void;
  onCheckedIn?(entry: QueueEntry): void;
}

type Loaded = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; preparation: CheckInPreparation };

/** What the person types, per limit: grams for mg, milligrams for mg THC, a count for plants. */
function toInput(amount: number, unit: QueueAllotment['unit']): string {
  return unit === 'mg' ? (amount / 1000).toFixed(3) : String(amount);
}

function fromInput(text: string, unit: QueueAllotment['unit']): number | null {
  const trimmed = text.trim();
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return null;
  if (unit === 'mg') return Math.round(value * 1000);
  return Number.isInteger(value) ? value : null;
}

const UNIT_SUFFIX: Record<QueueAllotment['unit'], string> = { mg: 'g', mg_thc: 'mg THC', plants: 'plants' };

/** Who a caregiver is buying for on this visit: a patient kept on their profile, or a patient who is a customer of their own. */
type Choice = { as: CheckInType | undefined; patientId: string | undefined; patientKind?: 'customer' | 'caregiver_patient' | undefined };

export function CheckInDialog({ customerId, patientId: presetPatient, onClose, onCheckedIn }: CheckInDialogProps) {
  const system = useStateSystemName();
  const timeZone = useStatus((state) => (state.status?.state === 'ready' ? state.status.timeZone : undefined));
  const [choice, setChoice] = useState<Choice>({ as: presetPatient ? 'caregiver' : undefined, patientId: presetPatient });
  const setAs = (as: CheckInType) => setChoice({ as, patientId: undefined });
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const confirmation = useMedicalIdConfirmation(loaded.state === 'ready' ? loaded.preparation.allotment.cardId : null);
  const resetConfirmation = useRef(confirmation.reset);
  resetConfirmation.current = confirmation.reset;
  const [inputs, setInputs] = useState<Record<string, string>>({});
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);

  /** A new choice is being looked up: the last answer stays on screen, but cannot be checked in. */
  const [reloading, setReloading] = useState(false);
  const load = useCallback(async ({ as: asType, patientId, patientKind }: Choice) => {
    setLoaded((current) => (current.state === 'ready' ? current : { state: 'loading' }));
    setReloading(true);
    setSubmitError(null);
    const result = await call('queue.checkIn.prepare', {
      customerId,
      ...(asType ? { as: asType } : {}),
      ...(patientId ? { patientId, ...(patientKind ? { patientKind } : {}) } : {}),
    });
    setReloading(false);
    if (!result.ok) {
      setLoaded({ state: 'error', message: result.error.message });
      return;
    }
    const preparation = result.value;
    setLoaded({ state: 'ready', preparation });
    setInputs(Object.fromEntries(preparation.allotment.limits.map((limit) => [limit.limitId, toInput(limit.amount, limit.unit)])));
    resetConfirmation.current();
  }, [customerId]);

  useEffect(() => {
    void load(choice);
  }, [load, choice]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const preparation = loaded.state === 'ready' ? loaded.preparation : null;
  const caregiver = preparation?.customerType === 'caregiver';
  // The choice shows at once, before its allotment is looked up.
  const chosenAs = choice.as ?? preparation?.as;
  const chosenPatient = choice.patientId ? `${choice.patientKind ?? 'caregiver_patient'}:${choice.patientId}` : null;
  const allotment = preparation?.allotment ?? null;
  const offline = allotment?.status === 'offline';
  const manualNeeded = offline && allotment?.sellWhileTraceDown === true;
  const manualUnlocked = manualNeeded && confirmation.confirmed;

  const problems = useMemo(() => {
    const found: Record<string, string> = {};
    for (const limit of allotment?.limits ?? []) {
      const value = fromInput(inputs[limit.limitId] ?? '', limit.unit);
      if (value === null) found[limit.limitId] = `Enter a number of ${UNIT_SUFFIX[limit.unit]}.`;
      else if (value > limit.ceiling) found[limit.limitId] = `Above the limit of ${formatAllotment(limit.ceiling, limit.unit)}: an allotment can only be lowered.`;
    }
    return found;
  }, [allotment, inputs]);

  const canCheckIn =
    !!preparation && preparation.refusals.length === 0 && Object.keys(problems).length === 0 && (!manualNeeded || manualUnlocked) && !submitting && !reloading;

  const submit = async () => {
    if (!preparation || !canCheckIn) return;
    setSubmitting(true);
    setSubmitError(null);
    const result = await call('queue.checkIn', {
      commandId: newCommandId(),
      customerId,
      as: preparation.as,
      ...(preparation.patient ? { patientId: preparation.patient.id, patientKind: preparation.patient.kind } : {}),
      allotments: preparation.allotment.limits.map((limit) => ({ limitId: limit.limitId, amount: fromInput(inputs[limit.limitId] ?? '', limit.unit) ?? 0 })),
      ...(manualNeeded ? { manual: { confirmedCardId: confirmation.typed.trim(), acknowledgedWarnings: true as const } } : {}),
    });
    setSubmitting(false);
    if (!result.ok) {
      setSubmitError(result.error.message);
      return;
    }
    onCheckedIn?.(result.value);
    onClose();
  };

  const editable = (limit: QueueAllotment) =>
    preparation !== null && preparation.refusals.length === 0 && (!manualNeeded || manualUnlocked) && (limit.ceiling > 0 || offline);

  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="checkin-title">
      <form
        className="dialog checkin-dialog"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h2 id="checkin-title">Check in{preparation ? ` ${preparation.displayName}` : ''}</h2>
        {loaded.state === 'loading' || reloading ? (
          <p className="checkin-progress" role="status">
            <span className="spinner" aria-hidden="true" /> Checking the profile and looking up the purchase allotment…
          </p>
        ) : null}
        {loaded.state === 'error' ? <p className="error" role="alert">{loaded.message}</p> : null}
        {preparation ? (
          <>
            <p className="dialog-lead">
              {caregiver ? (preparation.patient ? `Caregiver for ${preparation.patient.displayName}` : preparation.as === 'caregiver' ? 'Caregiver' : `${TYPE_LABELS[preparation.as]}, for themselves`) : TYPE_LABELS[preparation.as]}
              {preparation.profileLabel ? ` · ${preparation.profileLabel}` : ''}
              {preparation.age !== null ? ` · age ${preparation.age}` : ''}
              {preparation.nestUnder ? ` · with caregiver ${preparation.nestUnder.displayName}` : ''}
            </p>
            {caregiver ? (
              <fieldset className="checkin-as checkin-for">
                <legend>Buying for</legend>
                {preparation.patients.map((patient) => (
                  <label key={`${patient.kind}:${patient.id}`} className="checkin-choice">
                    <input
                      type="radio"
                      name="checkin-for"
                      checked={chosenPatient === `${patient.kind}:${patient.id}`}
                      disabled={patient.problem !== null}
                      onChange={() => setChoice({ as: 'caregiver', patientId: patient.id, patientKind: patient.kind })}
                    />
                    {patient.displayName} <span className="muted">(card {patient.medicalLicence || '—'}{patient.kind === 'customer' ? ', own profile' : ''})</span>
                    {patient.problem ? <span className="error-text"> {patient.problem}</span> : null}
                  </label>
                ))}
                {preparation.options
                  .filter((option) => option !== 'caregiver')
                  .map((option) => (
                    <label key={option} className="checkin-choice">
                      <input type="radio" name="checkin-for" checked={!chosenPatient && chosenAs === option} onChange={() => setAs(option)} />
                      {option === 'medical' ? 'Themselves, on their own patient card' : `Themselves, ${TYPE_LABELS[option].toLowerCase()}`}
                    </label>
                  ))}
                <label className="checkin-choice">
                  <input type="radio" name="checkin-for" checked={!chosenPatient && chosenAs === 'caregiver'} onChange={() => setAs('caregiver')} />
                  {preparation.patients.length > 0 ? 'A patient chosen at the register' : 'Their patient, chosen at the register'}
                </label>
              </fieldset>
            ) : preparation.options.length > 1 ? (
              <fieldset className="checkin-as">
                <legend>Check in as</legend>
                {preparation.options.map((option) => (
                  <label key={option} className="checkin-choice">
                    <input type="radio" name="checkin-as" checked={preparation.as === option} onChange={() => setAs(option)} />
                    {TYPE_LABELS[option]}
                  </label>
                ))}
              </fieldset>
            ) : null}
            {preparation.refusals.length > 0 ? (
              <div className="checkin-refusals" role="alert">
                <strong>Cannot check in</strong>
                <ul>
                  {preparation.refusals.map((refusal) => (
                    <li key={refusal.code} data-code={refusal.code}>
                      {refusal.message}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            {preparation.warnings.length > 0 ? (
              <div className="checkin-warnings" role="note">
                {preparation.warnings.map((warning) => (
                  <p key={warning}>⚠ {warning}</p>
                ))}
              </div>
            ) : null}
            {preparation.notes ? (
              <div className="checkin-notes">
                <strong>Notes</strong>
                <p>{preparation.notes}</p>
              </div>
            ) : null}
            {preparation.refusals.length === 0 || ['offline', 'not_found', 'refused', 'unreadable'].includes(allotment?.status ?? '') ? (
              <section className="checkin-allotment" aria-labelledby="allotment-title">
                <h3 id="allotment-title">
                  Purchase allotment
                  {offline ? <span className="offline-mark">Offline</span> : null}
                  {allotment?.status === 'state_system' ? <span className="source-mark">{system}</span> : null}
                </h3>
                {allotment?.status === 'state_system' && allotment.fetchedAt ? (
                  <p className="muted">Remaining allotment from {system} ({formatDateTime(allotment.fetchedAt, timeZone)}). You may lower it, for example if the patient bought elsewhere today.</p>
                ) : null}
                {allotment?.status === 'legal_limits' && preparation.refusals.length === 0 ? <p className="muted">The maximum legal limits for this customer. You may lower any of them.</p> : null}
                {allotment?.status === 'not_required' || allotment?.status === 'not_found' || allotment?.status === 'refused' || allotment?.status === 'unreadable' ? (
                  <p className="muted">{allotment.message}</p>
                ) : null}
                {allotment?.status === 'unreadable' && allotment.stateAnswer ? (
                  <details className="checkin-state-answer" data-testid="state-answer">
                    <summary>What {system} sent (for a manager)</summary>
                    <dl>
                      {Object.entries(allotment.stateAnswer).map(([field, text]) => (
                        <div key={field}>
                          <dt>{field}</dt>
                          <dd>{text}</dd>
                        </div>
                      ))}
                    </dl>
                  </details>
                ) : null}
                {offline ? (
                  <div className="checkin-offline">
                    <p>
                      The state system did not answer: {allotment?.message}
                    </p>
                    {allotment?.lastKnown ? (
                      <p className="checkin-suggestion" data-testid="allotment-suggestion">
                        Last figure from the state system {formatAllotment(allotment.lastKnown.amountMg, 'mg')} on {formatDateTime(allotment.lastKnown.at, timeZone)}, less{' '}
                        {formatAllotment(allotment.lastKnown.soldSinceMg, 'mg')} sold to this patient on this register since: suggested{' '}
                        <strong>{formatAllotment(allotment.lastKnown.suggestedMg, 'mg')}</strong>. Confirm it with the patient.
                      </p>
                    ) : (
                      <p className="muted">The state system has not given this register a figure for this card before.</p>
                    )}
                    {manualNeeded ? (
                      <ConfirmMedicalId {...confirmation} />
                    ) : null}
                  </div>
                ) : null}
                {allotment && allotment.limits.length > 0 && preparation.refusals.length === 0 ? (
                  <div className="checkin-limits">
                    {allotment.limits.map((limit) => (
                      <label key={limit.limitId} className="checkin-limit">
                        <span>{limit.label}</span>
                        <span className="checkin-input">
                          <input
                            inputMode="decimal"
                            value={inputs[limit.limitId] ?? ''}
                            disabled={!editable(limit)}
                            aria-invalid={problems[limit.limitId] ? true : undefined}
                            onChange={(event) => setInputs((current) => ({ ...current, [limit.limitId]: event.target.value }))}
                          />
                          <span className="unit">{UNIT_SUFFIX[limit.unit]}</span>
                        </span>
                        <span className="muted">max {formatAllotment(limit.ceiling, limit.unit)}</span>
                        {problems[limit.limitId] && editable(limit) ? <span className="error-text">{problems[limit.limitId]}</span> : null}
                      </label>
                    ))}
                  </div>
                ) : null}
                {allotment?.status === 'not_found' ? <p className="allotment-zero">0.0000</p> : null}
              </section>
            ) : null}
          </>
        ) : null}
        {submitError ? <p className="error" role="alert">{submitError}</p> : null}
        <div className="row">
          <button type="submit" className="primary" disabled={!canCheckIn}>
            {submitting ? 'Checking in…' : 'Check in'}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
