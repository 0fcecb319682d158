/**
 * While the state system is down: the budtender types the medical ID from the patient's card (it
 * must match the profile) and accepts the two cautions before typing the allotment by hand.
 * Shared by check-in's and the register's Purchase Allotment pop-ups.
 *
 * Usage: const confirm = useMedicalIdConfirmation(cardId); <ConfirmMedicalId {...confirm} />;
 *        confirm.confirmed is true once the ID matches and both cautions are ticked.
 */
import { useState } from 'react';

const normalise = (card: string) => card.replace(/[\s-]/g, '').toUpperCase();

export interface MedicalIdConfirmation {
  cardId: string | null;
  typed: string;
  setTyped(value: string): void;
  ackWrongId: boolean;
  setAckWrongId(value: boolean): void;
  ackTooHigh: boolean;
  setAckTooHigh(value: boolean): void;
  matches: boolean;
  confirmed: boolean;
  reset(): void;
}

export function useMedicalIdConfirmation(cardId: string | null): MedicalIdConfirmation {
  const [typed, setTyped] = useState('');
  const [ackWrongId, setAckWrongId] = useState(false);
  const [ackTooHigh, setAckTooHigh] = useState(false);
  const matches = !!cardId && typed.trim() !== '' && normalise(typed) === normalise(cardId);
  return {
    cardId,
    typed,
    setTyped,
    ackWrongId,
    setAckWrongId,
    ackTooHigh,
    setAckTooHigh,
    matches,
    confirmed: matches && ackWrongId && ackTooHigh,
    reset() {
      setTyped('');
      setAckWrongId(false);
      setAckTooHigh(false);
    },
  };
}

export function ConfirmMedicalId(props: MedicalIdConfirmation & { autoFocus?: boolean }) {
  return (
    <div className="checkin-manual" data-testid="confirm-medical-id">
      <label>
        Type the medical ID from the patient&apos;s card to confirm it ({props.cardId ?? 'none'} in the profile)
        <input
          value={props.typed}
          onChange={(event) => props.setTyped(event.target.value)}
          autoComplete="off"
          aria-label="Confirm the medical ID"
          autoFocus={props.autoFocus}
        />
      </label>
      {props.typed && !props.matches ? <p className="error-text">This does not match the profile&apos;s medical ID: check the card and the profile.</p> : null}
      <label className="checkin-ack">
        <input type="checkbox" checked={props.ackWrongId} onChange={(event) => props.setAckWrongId(event.target.checked)} />
        A wrong medical ID makes the sale fail to post to the state system.
      </label>
      <label className="checkin-ack">
        <input type="checkbox" checked={props.ackTooHigh} onChange={(event) => props.setAckTooHigh(event.target.checked)} />
        Too high an allotment may let the sale exceed what the patient has left, and the sale then fails to post to the state system.
      </label>
    </div>
  );
}
