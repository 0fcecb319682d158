import { useEffect, useState } from 'react';
import type { ApiError, Permission } from '../../../preload/api';
import { call } from '../register';
import { PinPad } from './PinPad';

export interface OverrideGrant {
  grantId: string;
  approverId: string;
  approverName: string;
}

export interface ManagerOverrideDialogProps {
  /** What is being approved, shown to the approver and recorded in the audit log. */
  action: string;
  /** Plain words for the person, e.g. "Adjust Jane Doe's points". */
  title: string;
  permission?: Permission;
  onApproved(grant: OverrideGrant): void;
  onCancel(): void;
}

type Approver = { id: string; name: string; role: string };

/**
 * Manager override: employees with the permission appear as tiles; one is chosen and enters
 * their PIN. The core returns a single-use grant that the action then consumes.
 */
export function ManagerOverrideDialog({ action, title, permission = 'manager_override', onApproved, onCancel }: ManagerOverrideDialogProps) {
  const [approvers, setApprovers] = useState<Approver[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Approver | null>(null);
  /** A PIN was typed before anyone was picked. */
  const [pickFirst, setPickFirst] = useState(false);

  useEffect(() => {
    void call('staff.approvers', { permission }).then((result) => {
      if (result.ok) setApprovers(result.value);
      else setLoadError(result.error.message);
    });
  }, [permission]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onCancel();
      // Digits typed before anyone is picked would go nowhere: say so, and keep none of them
      // (the PIN is checked against the person picked, never used to find one).
      else if (!chosen && /^[0-9]$/.test(event.key)) {
        event.preventDefault();
        setPickFirst(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel, chosen]);

  const choose = (approver: Approver | null) => {
    setPickFirst(false);
    setChosen(approver);
  };

  const submit = async (pin: string): Promise<ApiError | null> => {
    if (!chosen) return { code: 'invalid_message', message: 'Choose who approves first.' };
    const result = await call('staff.override', { approverId: chosen.id, pin, permission, action });
    if (!result.ok) return result.error;
    onApproved(result.value);
    return null;
  };

  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="override-title">
      <div className="dialog">
        <h2 id="override-title">Manager approval</h2>
        <p className="dialog-lead">{title}</p>
        {loadError ? <p className="error" role="alert">{loadError}</p> : null}
        {approvers === null && !loadError ? <p>Loading who can approve…</p> : null}
        {approvers && approvers.length === 0 ? (
          <p className="error" role="alert">Nobody on this register can approve this: ask an admin to give a manager the permission.</p>
        ) : null}
        {!chosen && approvers && approvers.length > 0 ? (
          <p className={pickFirst ? 'error' : 'muted'} role={pickFirst ? 'alert' : undefined} data-testid="override-pick-first">
            {pickFirst
              ? 'Pick who approves first: tap your name, then enter your PIN. The digits typed so far were not kept.'
              : 'Tap your name, then enter your PIN.'}
          </p>
        ) : null}
        {!chosen && approvers && approvers.length > 0 ? (
          <div className="tiles" role="list" aria-label="Who approves">
            {approvers.map((approver) => (
              <button key={approver.id} type="button" role="listitem" className="tile" onClick={() => choose(approver)}>
                <span className="tile-name">{approver.name}</span>
                <span className="tile-role">{approver.role}</span>
              </button>
            ))}
          </div>
        ) : null}
        {chosen ? (
          <>
            <p>
              <strong>{chosen.name}</strong>, enter your PIN to approve.{' '}
              <button type="button" className="link" onClick={() => choose(null)}>
                Choose someone else
              </button>
            </p>
            <PinPad key={chosen.id} label={`${chosen.name}'s PIN`} submitLabel="Approve" onSubmit={submit} />
          </>
        ) : null}
        <button type="button" className="secondary wide" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
