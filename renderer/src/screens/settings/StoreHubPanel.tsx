/**
 * Settings › Store hub: pair this station with the store's hub (find it on the network or type its
 * address, the one-time code the hub shows, intake desk or register), see whether it is connected,
 * and forget it.
 */
import { useEffect, useState } from 'react';
import type { FoundHub, HubStatus } from '../../../../preload/api';
import { getClient } from '../../client';
import { newCommandId } from '../../components/queue/commandId';
import { formatDateTime } from '../../format';
import { call } from '../../register';
import { HubMergesSection } from './HubMergesSection';

type Message = { tone: 'ok' | 'error'; text: string } | null;

function describe(status: HubStatus): string {
  if (!status.paired) return 'This station works on its own: no store hub is paired.';
  const role = status.role === 'intake' ? 'intake desk' : 'register';
  if (status.connected) return `Connected to the store hub at ${status.address ?? ''} as ${status.deviceName ?? ''} (${role}).`;
  const since = status.offlineSince !== null ? ` since ${formatDateTime(status.offlineSince)}` : '';
  return `The store hub at ${status.address ?? ''} does not answer${since}. Sales go on here and reach the hub when it is back.`;
}

export function StoreHubPanel() {
  const [status, setStatus] = useState<HubStatus | null>(null);
  const [found, setFound] = useState<FoundHub[] | null>(null);
  const [address, setAddress] = useState('');
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<'register' | 'intake'>('register');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>(null);

  useEffect(() => {
    let live = true;
    void call('hub.status', {}).then((result) => {
      if (!live || !result.ok) return;
      setStatus(result.value);
      // Pairing again keeps the station's role unless changed.
      if (result.value.role) setRole(result.value.role);
    });
    const stop = getClient().on('hub.changed', (next) => setStatus(next));
    return () => {
      live = false;
      stop();
    };
  }, []);

  const find = async () => {
    setBusy(true);
    setFound(null);
    const result = await call('hub.discover', {});
    setBusy(false);
    if (!result.ok) return setMessage({ tone: 'error', text: result.error.message });
    setFound(result.value);
    if (result.value.length === 1) setAddress(result.value[0]!.address);
  };

  const pair = async () => {
    setBusy(true);
    setMessage(null);
    const result = await call('hub.pair', { commandId: newCommandId(), address, code, deviceName: name, role });
    setBusy(false);
    if (!result.ok) return setMessage({ tone: 'error', text: result.error.message });
    setStatus(result.value);
    setCode('');
    setMessage({ tone: 'ok', text: `Paired with the store hub as ${name}.` });
  };

  const forget = async () => {
    setBusy(true);
    const result = await call('hub.forget', { commandId: newCommandId() });
    setBusy(false);
    if (!result.ok) return setMessage({ tone: 'error', text: result.error.message });
    setStatus(result.value);
    setMessage({ tone: 'ok', text: 'This station no longer uses the store hub.' });
  };

  return (
    <section className="panel" aria-labelledby="hub-title" data-testid="store-hub-panel">
      <h2 id="hub-title">Store hub</h2>
      <p data-testid="hub-status">{status ? describe(status) : 'Loading…'}</p>
      {status?.paired && status.pending > 0 ? <p>{status.pending} change{status.pending === 1 ? '' : 's'} made here still to reach the hub.</p> : null}
      {status?.problem && !status.connected ? <p className="error-text">{status.problem}</p> : null}
      <div className="form-grid" style={{ display: 'grid', gap: 8, maxWidth: 520, marginBottom: 12 }}>
        <label htmlFor="hub-address">Hub address</label>
        <div className="row">
          <input id="hub-address" value={address} placeholder="192.168.1.20:47900" onChange={(e) => setAddress(e.target.value)} />
          <button type="button" disabled={busy} onClick={() => void find()}>
            Find on the network
          </button>
        </div>
        {found !== null ? (
          found.length === 0 ? (
            <p className="hint">No hub answered on this network: type the address shown on the hub PC.</p>
          ) : (
            <ul className="hint">
              {found.map((hub) => (
                <li key={hub.address}>
                  <button type="button" className="link" onClick={() => setAddress(hub.address)}>
                    {hub.name} ({hub.address})
                  </button>
                  {hub.fingerprint ? ` · key ${hub.fingerprint}` : ''}
                </li>
              ))}
            </ul>
          )
        ) : null}
        <label htmlFor="hub-code">Pairing code</label>
        <input id="hub-code" inputMode="numeric" autoComplete="off" value={code} placeholder="8 digits" onChange={(e) => setCode(e.target.value)} />
        <label htmlFor="hub-name">This station's name</label>
        <input id="hub-name" value={name} placeholder="Register 2" onChange={(e) => setName(e.target.value)} />
        <span>Role</span>
        <div className="row" role="radiogroup" aria-label="Role">
          <label>
            <input type="radio" name="hub-role" checked={role === 'register'} onChange={() => setRole('register')} /> Register
          </label>
          <label>
            <input type="radio" name="hub-role" checked={role === 'intake'} onChange={() => setRole('intake')} /> Intake desk
          </label>
        </div>
      </div>
      <div className="row">
        <button type="button" className="primary" disabled={busy || !address || !code || !name} onClick={() => void pair()}>
          {busy ? 'Working…' : status?.paired ? 'Pair again' : 'Pair with the hub'}
        </button>
        {status?.paired ? (
          <button type="button" disabled={busy} onClick={() => void forget()}>
            Forget the hub
          </button>
        ) : null}
      </div>
      {message ? <p className={message.tone === 'error' ? 'error-text' : 'ok-text'} role="status">{message.text}</p> : null}
      {status?.paired ? <HubMergesSection /> : null}
    </section>
  );
}
