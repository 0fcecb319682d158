/**
 * Settings › Tablet (managers): turn the reception tablet on or off, pair a tablet with a one-time
 * code or QR code (with the certificate fingerprint to compare), unpair one, and (admins) edit the
 * membership agreement the tablet shows.
 */
import { useCallback, useEffect, useState } from 'react';
import { ulid } from 'ulid';
import { AGREEMENT_MAX_CHARS, type Employee, type TabletPairing, type TabletStatus } from '../../../../preload/api';
import { getClient } from '../../client';
import { formatDateTime } from '../../format';
import { call } from '../../register';
import '../../styles/tablet.css';

export function TabletPanel({ employee }: { employee: Employee }) {
  const [status, setStatus] = useState<TabletStatus | null>(null);
  const [pairing, setPairing] = useState<TabletPairing | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const result = await call('tablet.status', {});
    if (result.ok) setStatus(result.value);
    else setMessage({ ok: false, text: result.error.message });
  }, []);

  useEffect(() => {
    void load();
    return getClient().on('tablet.changed', (event) => {
      if (event.customerId === null) void load();
    });
  }, [load]);

  const setEnabled = async (enabled: boolean) => {
    setBusy(true);
    setMessage(null);
    const result = await call('tablet.setEnabled', { commandId: ulid(), enabled });
    setBusy(false);
    if (!result.ok) return setMessage({ ok: false, text: result.error.message });
    setStatus(result.value);
    if (!enabled) setPairing(null);
  };

  const startPairing = async () => {
    setMessage(null);
    const result = await call('tablet.startPairing', {});
    if (!result.ok) return setMessage({ ok: false, text: result.error.message });
    setPairing(result.value);
  };

  const unpair = async (deviceId: string, name: string) => {
    const result = await call('tablet.revoke', { commandId: ulid(), deviceId });
    if (!result.ok) return setMessage({ ok: false, text: result.error.message });
    setStatus(result.value);
    setMessage({ ok: true, text: `${name} is unpaired: it can no longer reach the register.` });
  };

  return (
    <section className="panel tablet-panel" aria-labelledby="tablet-title">
      <h2 id="tablet-title">Tablet</h2>
      <p className="muted">
        A tablet at reception shows the membership agreement for the customer to sign. It reaches this register over the store&apos;s network only
        while it is turned on here.
      </p>
      {status ? (
        <>
          <div className="row">
            <label className="tablet-switch">
              <input type="checkbox" checked={status.enabled} disabled={busy} onChange={(event) => void setEnabled(event.target.checked)} />
              <span>Reception tablet {status.enabled ? 'on' : 'off'}</span>
            </label>
          </div>
          {status.problem ? (
            <p className="error" role="alert">
              {status.problem}
            </p>
          ) : null}
          {status.enabled && status.address ? (
            <dl className="facts">
              <dt>Tablet address</dt>
              <dd data-testid="tablet-address">{status.address}</dd>
              <dt>Certificate fingerprint</dt>
              <dd className="tablet-fingerprint" data-testid="tablet-fingerprint">
                {status.fingerprint}
              </dd>
            </dl>
          ) : null}
          {status.enabled ? (
            <div className="tablet-pairing">
              <button type="button" className="primary" onClick={() => void startPairing()}>
                Pair a tablet
              </button>
              {pairing ? (
                <div className="tablet-code" role="group" aria-label="Pairing code">
                  <img src={pairing.qrDataUrl} alt="QR code to pair a tablet" width={200} height={200} />
                  <div>
                    <p>
                      On the tablet, scan the QR code, or open <strong>{pairing.url.split('#')[0]}</strong> and enter the code:
                    </p>
                    <p className="tablet-code-text" data-testid="pairing-code">
                      {pairing.code}
                    </p>
                    <p className="muted">
                      The tablet&apos;s browser warns about the certificate the first time. Before you accept it, check that the fingerprint it shows is{' '}
                      <span className="tablet-fingerprint">{pairing.fingerprint}</span>.
                    </p>
                    <p className="muted">The code works once, until {formatDateTime(pairing.expiresAt)}.</p>
                  </div>
                </div>
              ) : null}
            </div>
          ) : null}
          <h3>Paired tablets</h3>
          {status.devices.length === 0 ? (
            <p className="muted">No tablet is paired.</p>
          ) : (
            <table className="table" aria-label="Paired tablets">
              <thead>
                <tr>
                  <th scope="col">Tablet</th>
                  <th scope="col">Paired</th>
                  <th scope="col">Now</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {status.devices.map((device) => (
                  <tr key={device.id}>
                    <td>{device.name}</td>
                    <td>{formatDateTime(device.pairedAt)}</td>
                    <td>{device.connected ? <span className="ok">Connected</span> : <span className="muted">Not connected</span>}</td>
                    <td>
                      <button type="button" className="secondary" onClick={() => void unpair(device.id, device.name)}>
                        Unpair {device.name}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : (
        <p className="muted">Loading…</p>
      )}
      {message ? (
        <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      ) : null}
      <AgreementEditor canEdit={employee.role === 'admin'} />
    </section>
  );
}

function AgreementEditor({ canEdit }: { canEdit: boolean }) {
  const [text, setText] = useState<string | null>(null);
  const [saved, setSaved] = useState<{ text: string; updatedAt: number | null; updatedBy: string | null } | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    void call('tablet.agreement.get', {}).then((result) => {
      if (!result.ok) return setMessage({ ok: false, text: result.error.message });
      setSaved(result.value);
      setText(result.value.text);
    });
  }, []);

  const save = async () => {
    if (text === null) return;
    const result = await call('tablet.agreement.save', { commandId: ulid(), text });
    if (!result.ok) return setMessage({ ok: false, text: result.error.message });
    setSaved(result.value);
    setMessage({ ok: true, text: 'The membership agreement is saved: the next one sent to a tablet uses it.' });
  };

  return (
    <div className="tablet-agreement">
      <h3 id="agreement-title">Membership agreement</h3>
      <p className="muted">
        {'{name}'}, {'{date}'} and {'{store}'} are filled in with the customer&apos;s name, the day and the store&apos;s name when it is sent.
        {canEdit ? '' : ' Only an admin may change it.'}
      </p>
      {text !== null ? (
        <textarea
          aria-labelledby="agreement-title"
          value={text}
          readOnly={!canEdit}
          maxLength={AGREEMENT_MAX_CHARS}
          rows={12}
          onChange={(event) => setText(event.target.value)}
        />
      ) : null}
      {saved?.updatedAt ? (
        <p className="muted">
          Last changed {formatDateTime(saved.updatedAt)}
          {saved.updatedBy ? ` by ${saved.updatedBy}` : ''}.
        </p>
      ) : null}
      {canEdit ? (
        <button type="button" className="primary" disabled={text === null || text === saved?.text} onClick={() => void save()}>
          Save agreement
        </button>
      ) : null}
      {message ? (
        <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      ) : null}
    </div>
  );
}
