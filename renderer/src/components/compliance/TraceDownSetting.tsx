/**
 * Settings › Track & Trace: whether this store sells to medical patients while the state system
 * is down. The state's rules give the default (and quote the rule it rests on); a manager may
 * choose otherwise. Check-in and the register both follow it. Every change is in the audit log.
 */
import { useEffect, useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { newCommandId } from '../queue/commandId';
import { call } from '../../register';
import '../../styles/compliance.css';

type Policy = CallResponse<'compliance.traceDown.get'>;
type Choice = 'default' | 'allow' | 'refuse';

export function TraceDownSetting() {
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  /** The choice just made, shown at once while it is saved. */
  const [picked, setPicked] = useState<Choice | null>(null);

  useEffect(() => {
    void call('compliance.traceDown.get', {}).then((result) => {
      if (result.ok) setPolicy(result.value);
      else setMessage({ ok: false, text: result.error.message });
    });
  }, []);

  const choose = async (choice: Choice) => {
    setBusy(true);
    setPicked(choice);
    setMessage(null);
    const result = await call('compliance.traceDown.save', { commandId: newCommandId(), allowed: choice === 'default' ? null : choice === 'allow' });
    setBusy(false);
    setPicked(null);
    if (!result.ok) return setMessage({ ok: false, text: result.error.message });
    setPolicy(result.value);
    setMessage({ ok: true, text: result.value.allowed ? 'Saved: medical sales continue while the state system is down.' : 'Saved: no medical sales while the state system is down.' });
  };

  if (!policy) return message ? <p className="error">{message.text}</p> : null;
  const current: Choice = picked ?? (policy.followsJurisdiction ? 'default' : policy.allowed ? 'allow' : 'refuse');
  const stateDefault = policy.jurisdiction.allowed ? 'sell, with the allotment typed by hand' : 'do not sell';
  return (
    <fieldset className="trace-down" data-testid="trace-down-setting">
      <legend>When the state system is down</legend>
      <p className="muted">Check-in and the register both follow this choice for medical patients. Adult-use sales are not affected.</p>
      <label className="field check">
        <input type="radio" name="trace-down" checked={current === 'default'} disabled={busy} onChange={() => void choose('default')} />
        <span>
          Follow the {policy.jurisdiction.name} default ({stateDefault})
        </span>
      </label>
      <label className="field check">
        <input type="radio" name="trace-down" checked={current === 'allow'} disabled={busy} onChange={() => void choose('allow')} />
        <span>Keep selling: the budtender confirms the medical ID and types the allotment; each sale is reported when the system is back</span>
      </label>
      <label className="field check">
        <input type="radio" name="trace-down" checked={current === 'refuse'} disabled={busy} onChange={() => void choose('refuse')} />
        <span>Stop medical sales until the state system answers again</span>
      </label>
      {policy.jurisdiction.rule ? (
        <blockquote className="trace-down-rule" data-testid="trace-down-rule">
          {policy.jurisdiction.rule}
        </blockquote>
      ) : null}
      {message ? (
        <p role="status" className={message.ok ? 'ok' : 'error-text'}>
          {message.text}
        </p>
      ) : null}
    </fieldset>
  );
}
