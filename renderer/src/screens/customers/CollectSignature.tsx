/**
 * Collect Signature on a profile: sends the membership agreement to a paired reception tablet,
 * then shows, live, "Waiting for signature" and what came back (the signed agreement, the contact
 * fields the customer filled, the emailed copy).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ulid } from 'ulid';
import type { SignatureRequestView, TabletDevice } from '../../../../preload/api';
import { getClient } from '../../client';
import { formatDateTime } from '../../format';
import { call } from '../../register';
import '../../styles/tablet.css';

const MAIL_WORDS = { pending: 'waiting to be sent', sending: 'being sent', sent: 'sent', failed: 'not sent: see the Sync screen' } as const;

export function CollectSignature(props: { customerId: string; canCollect: boolean; onChanged: () => void }) {
  const { customerId, onChanged } = props;
  const [request, setRequest] = useState<SignatureRequestView | null>(null);
  const [choosing, setChoosing] = useState<TabletDevice[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const lastState = useRef<string | null>(null);

  const load = useCallback(async () => {
    const result = await call('tablet.signatureOf', { customerId });
    if (!result.ok) return;
    setRequest(result.value);
    const state = result.value ? `${result.value.id}:${result.value.state}:${result.value.emailCopy?.state ?? ''}` : null;
    if (lastState.current !== null && state !== lastState.current) onChanged();
    lastState.current = state;
  }, [customerId, onChanged]);

  useEffect(() => {
    lastState.current = null;
    void load();
    const offTablet = getClient().on('tablet.changed', (event) => {
      if (event.customerId === customerId || event.customerId === null) void load();
    });
    const offMail = getClient().on('mail.changed', () => void load());
    return () => {
      offTablet();
      offMail();
    };
  }, [customerId, load]);

  const choose = async () => {
    setError(null);
    const result = await call('tablet.devices', {});
    if (!result.ok) return setError(result.error.message);
    if (result.value.length === 0) return setError('No tablet is paired, or the tablet is off: a manager pairs one in Settings › Tablet.');
    setChoosing(result.value);
  };

  const send = async (device: TabletDevice) => {
    setChoosing(null);
    const result = await call('tablet.collectSignature', { commandId: ulid(), customerId, deviceId: device.id });
    if (!result.ok) return setError(result.error.message);
    setRequest(result.value);
  };

  const takeBack = async () => {
    if (!request) return;
    const result = await call('tablet.cancelSignature', { commandId: ulid(), requestId: request.id });
    if (!result.ok) return setError(result.error.message);
    setRequest(result.value);
  };

  const waiting = request?.state === 'waiting';
  const signed = request?.state === 'signed';
  return (
    <div className={`signature-status ${waiting ? 'waiting' : signed ? 'signed' : ''}`} data-testid="signature-status">
      {props.canCollect && !waiting ? (
        <button type="button" onClick={() => void choose()}>
          ✍ Collect Signature
        </button>
      ) : null}
      {waiting ? (
        <>
          <span role="status">
            <strong>Waiting for signature</strong> on {request.deviceName}…
          </span>
          {props.canCollect ? (
            <button type="button" className="secondary" onClick={() => void takeBack()}>
              Take back
            </button>
          ) : null}
        </>
      ) : null}
      {signed && request.signedAt ? (
        <div role="status">
          <p className="ok">
            Membership agreement signed {formatDateTime(request.signedAt)} on {request.deviceName}.
          </p>
          {request.contactChanges.length > 0 ? (
            <ul aria-label="Filled in on the tablet">
              {request.contactChanges.map((change) => (
                <li key={change.field}>
                  {change.field}: {change.from ?? '(empty)'} → {change.to ?? '(empty)'}
                </li>
              ))}
            </ul>
          ) : null}
          {request.emailCopy ? (
            <p className="muted" data-testid="email-copy">
              Copy to {request.emailCopy.to}: {MAIL_WORDS[request.emailCopy.state]}.
            </p>
          ) : null}
        </div>
      ) : null}
      {!request && !props.canCollect ? <span className="muted">The membership agreement is not signed yet.</span> : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {choosing ? (
        <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="choose-tablet-title">
          <div className="dialog">
            <h2 id="choose-tablet-title">Send the membership agreement to</h2>
            <div className="row">
              {choosing.map((device) => (
                <button key={device.id} type="button" className="primary" onClick={() => void send(device)}>
                  {device.name}
                  {device.connected ? '' : ' (not connected)'}
                </button>
              ))}
              <button type="button" className="secondary" autoFocus onClick={() => setChoosing(null)}>
                Cancel
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </div>
  );
}
