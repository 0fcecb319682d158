/**
 * The register's Purchase Allotment pop-up, for a patient whose allotment the state system keeps
 * (the same checks as check-in's pop-up): the state's figure when it answers; 0.0000 g and why
 * nothing can be sold when the card is not found or refused; and while the state system is down,
 * the red Offline mark and, when the store sells while it is down, the medical ID to confirm, the
 * two cautions and the allotment to type (at most the legal limit). The core checks all of it again.
 *
 * Usage: <AllotmentDialog ticket={ticket} busy={busy} onTicket={setTicket} onRefresh={...} onClose={...} />
 */
import { useEffect, useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { call } from '../../register';
import { useStatus } from '../../stores/app';
import { formatDateTime } from '../../format';
import { ConfirmMedicalId, useMedicalIdConfirmation } from '../allotment/ConfirmMedicalId';
import '../../styles/queue.css';

type Ticket = CallResponse<'checkout.ticket.get'>;

const grams = (mg: number) => `${(mg / 1000).toFixed(4)} g`;

/** Typed grams ("30", "12.5") in milligrams, or null. */
function parseGrams(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+(\.\d{0,4})?$|^\.\d{1,4}$/.test(trimmed)) return null;
  return Math.round(Number(trimmed) * 1000);
}

export interface AllotmentDialogProps {
  ticket: Ticket;
  busy: boolean;
  onTicket(ticket: Ticket): void;
  onRefresh(): void;
  onDiscard(): void;
  onClose(): void;
}

export function AllotmentDialog({ ticket, busy, onTicket, onRefresh, onDiscard, onClose }: AllotmentDialogProps) {
  const timeZone = useStatus((state) => (state.status?.state === 'ready' ? state.status.timeZone : undefined));
  const entry = ticket.allotmentEntry;
  const state = ticket.allotment.state;
  const confirmation = useMedicalIdConfirmation(entry?.cardId ?? null);
  const suggested = entry?.manual?.amountMg ?? entry?.lastKnown?.suggestedMg ?? null;
  const [typed, setTyped] = useState(suggested === null ? '' : (suggested / 1000).toFixed(4).replace(/\.?0+$/, ''));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  if (!entry) return null;
  const down = state === 'offline' || state === 'manual';
  const mayType = down && ticket.sellWhileTraceDown;
  const amountMg = parseGrams(typed);
  const amountProblem = amountMg === null ? 'Type the allotment in grams, like 30 or 12.5.' : amountMg > entry.ceilingMg ? `At most the legal limit of ${grams(entry.ceilingMg)}.` : null;

  const save = async () => {
    if (!confirmation.confirmed || amountMg === null || amountProblem) return;
    setSaving(true);
    setError(null);
    const result = await call('checkout.ticket.manualAllotment', {
      ticketId: ticket.ticketId,
      confirmedCardId: confirmation.typed.trim(),
      amountMg,
      acknowledgedWarnings: true,
    });
    setSaving(false);
    if (!result.ok) return setError(result.error.message);
    onTicket(result.value);
    onClose();
  };

  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="allotment-dialog-title">
      <form
        className="dialog checkin-dialog"
        data-testid="allotment-dialog"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <h2 id="allotment-dialog-title" className="allotment-dialog-title">
          Purchase allotment
          {down ? <span className="offline-mark">Offline</span> : null}
          {state === 'state_system' ? <span className="source-mark">State system</span> : null}
        </h2>
        <p className="dialog-lead">
          {entry.holderName} · medical ID {entry.cardId ?? 'none on file'}
        </p>
        {state === 'state_system' && entry.stateAmountMg !== null ? (
          <p>
            Remaining allotment from the state system
            {ticket.allotment.fetchedAt ? ` (${formatDateTime(ticket.allotment.fetchedAt, timeZone)})` : ''}: <strong data-testid="allotment-amount">{grams(entry.stateAmountMg)}</strong>
          </p>
        ) : null}
        {state === 'checking' ? (
          <p role="status">
            <span className="spinner" aria-hidden="true" /> Looking up the allotment in the state system…
          </p>
        ) : null}
        {state === 'not_found' || state === 'refused' ? (
          <>
            <p className="allotment-zero" data-testid="allotment-amount">
              0.0000 g
            </p>
            <div className="checkin-refusals" role="alert">
              <strong>Cannot sell to {entry.holderName}</strong>
              <p>{ticket.allotment.message}</p>
            </div>
          </>
        ) : null}
        {down ? (
          <div className="checkin-offline">
            <p>{state === 'manual' || !ticket.sellWhileTraceDown ? ticket.allotment.message : `${ticket.allotment.message} The sale is reported when it is back.`}</p>
            {!ticket.sellWhileTraceDown ? (
              <div className="checkin-refusals" role="alert">
                <strong>No medical sales now</strong>
                <p>{entry.blocked ?? 'This store does not sell to medical patients while the state system is down (Settings › Track & Trace).'}</p>
              </div>
            ) : null}
            {mayType && entry.manual ? (
              <p className="muted" data-testid="allotment-manual">
                Typed by {entry.manual.enteredByName ?? 'an employee'} {entry.manual.via === 'check_in' ? 'at check-in' : 'at the register'} on{' '}
                {formatDateTime(entry.manual.enteredAt, timeZone)}: {grams(entry.manual.amountMg)}. To change it, confirm the medical ID again.
              </p>
            ) : null}
            {mayType && entry.lastKnown ? (
              <p className="checkin-suggestion" data-testid="allotment-suggestion">
                Last figure from the state system {grams(entry.lastKnown.amountMg)} on {formatDateTime(entry.lastKnown.at, timeZone)}, less{' '}
                {grams(entry.lastKnown.soldSinceMg)} sold to this patient on this register since: suggested <strong>{grams(entry.lastKnown.suggestedMg)}</strong>. Confirm it
                with the patient.
              </p>
            ) : null}
            {mayType && !entry.lastKnown && !entry.manual ? <p className="muted">The state system has not given this register a figure for this card before: ask the patient.</p> : null}
            {mayType ? <ConfirmMedicalId {...confirmation} autoFocus /> : null}
            {mayType ? (
              <label className="checkin-limit">
                <span>Allotment left (usable cannabis)</span>
                <span className="checkin-input">
                  <input
                    inputMode="decimal"
                    aria-label="Allotment in grams"
                    value={typed}
                    disabled={!confirmation.confirmed}
                    aria-invalid={amountProblem ? true : undefined}
                    onChange={(event) => setTyped(event.target.value)}
                  />
                  <span className="unit">g</span>
                </span>
                <span className="muted">max {grams(entry.ceilingMg)}</span>
                {confirmation.confirmed && amountProblem ? <span className="error-text">{amountProblem}</span> : null}
              </label>
            ) : null}
          </div>
        ) : null}
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="row">
          {mayType ? (
            <button type="submit" className="primary" disabled={!confirmation.confirmed || amountProblem !== null || saving}>
              {saving ? 'Saving…' : 'Use this allotment'}
            </button>
          ) : null}
          {state !== 'state_system' && state !== 'manual' ? (
            <button type="button" className="secondary" disabled={busy} onClick={onRefresh}>
              Look up again
            </button>
          ) : null}
          {entry.blocked && !mayType ? (
            <button type="button" className="secondary" onClick={onDiscard}>
              Discard ticket
            </button>
          ) : null}
          <button type="button" className={state === 'state_system' ? 'primary' : 'secondary'} onClick={onClose}>
            {state === 'state_system' ? 'OK' : 'Close'}
          </button>
        </div>
      </form>
    </div>
  );
}
