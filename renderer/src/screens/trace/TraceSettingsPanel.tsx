/**
 * Settings › Track & Trace: provider, address, company licence, username, password, location,
 * terminal, training mode, and "Test connection". The password is write-only: the core keeps it
 * sealed (safeStorage or a key file only this user can read) and never sends it back.
 *
 * Advanced (admin only): how this state's BioTrack behaves, so a store can match it without a new
 * release: the nonce policy, how a sale names the patient, and the reconcile delay.
 */
import { useEffect, useState } from 'react';
import { newCommandId } from '../../components/queue/commandId';
import { call } from '../../register';
import '../../styles/trace.css';
import type { TraceSettingsView } from './format';
import { MetrcFields, type Draft } from './MetrcFields';
import { TraceDownSetting } from '../../components/compliance/TraceDownSetting';

function toDraft(view: TraceSettingsView): Draft {
  return {
    provider: view.provider,
    useDemoSandbox: view.useDemoSandbox,
    endpoint: view.endpoint,
    licenseNumber: view.licenseNumber,
    username: view.username,
    password: '',
    location: view.location,
    terminalId: view.terminalId,
    training: view.training,
    nosession: view.nosession,
    vendorKey: '',
    userKey: '',
  };
}

type Advanced = TraceSettingsView['advanced'];

function AdvancedSection({ view, onSaved }: { view: TraceSettingsView; onSaved(view: TraceSettingsView): void }) {
  const [draft, setDraft] = useState<Advanced>(view.advanced);
  const [delay, setDelay] = useState(String(view.advanced.reconcileDelaySeconds));
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const locked = !view.canEditAdvanced;
  const save = async () => {
    const seconds = Number(delay);
    if (!Number.isInteger(seconds) || seconds < 5 || seconds > 3600) {
      setMessage({ tone: 'error', text: 'The check delay is a whole number of seconds from 5 to 3600.' });
      return;
    }
    setBusy(true);
    setMessage(null);
    const result = await call('trace.settings.advanced.save', { commandId: newCommandId(), ...draft, reconcileDelaySeconds: seconds });
    setBusy(false);
    if (!result.ok) return setMessage({ tone: 'error', text: result.error.message });
    onSaved(result.value);
    setMessage({ tone: 'ok', text: 'Saved. The sync worker restarted with these settings.' });
  };
  return (
    <details className="trace-advanced" data-testid="trace-advanced" open={view.canEditAdvanced}>
      <summary>Advanced: how this state&apos;s BioTrack behaves {locked ? '(an admin can change these)' : ''}</summary>
      <div className="trace-grid">
        <label className="field">
          <span>Nonce on each request</span>
          <select value={draft.noncePolicy} disabled={locked} onChange={(event) => setDraft({ ...draft, noncePolicy: event.target.value as Advanced['noncePolicy'] })}>
            <option value="fresh">A new one every time (recommended)</option>
            <option value="kept">The same one on every resend of a sale</option>
          </select>
        </label>
        <label className="field">
          <span>How a sale names the patient</span>
          <select value={draft.patientLink} disabled={locked} onChange={(event) => setDraft({ ...draft, patientLink: event.target.value as Advanced['patientLink'] })}>
            <option value="both">Card id and card key (recommended)</option>
            <option value="card_key">Card key from the card lookup only</option>
            <option value="card_id">Card id only</option>
          </select>
        </label>
        <label className="field">
          <span>Check an unanswered sale after (seconds)</span>
          <input value={delay} disabled={locked} inputMode="numeric" onChange={(event) => setDelay(event.target.value)} />
        </label>
      </div>
      <p className="muted">
        Keep the recommended values unless BioTrack support for your state says otherwise. &quot;The same one on every resend&quot; is safe only if your
        state&apos;s BioTrack answers a repeated nonce with its first answer.
      </p>
      {locked ? null : (
        <div className="row">
          <button type="button" className="secondary" disabled={busy} onClick={() => void save()}>
            {busy ? 'Saving…' : 'Save advanced settings'}
          </button>
          {message ? (
            <span role="status" className={message.tone === 'ok' ? 'ok' : 'error-text'} data-testid="trace-advanced-message">
              {message.text}
            </span>
          ) : null}
        </div>
      )}
    </details>
  );
}

export function TraceSettingsPanel() {
  const [view, setView] = useState<TraceSettingsView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState<'save' | 'test' | null>(null);

  useEffect(() => {
    void call('trace.settings.get', {}).then((result) => {
      if (result.ok) {
        setView(result.value);
        setDraft(toDraft(result.value));
      } else setMessage({ tone: 'error', text: result.error.message });
    });
  }, []);

  if (!draft || !view) {
    return (
      <section className="panel" aria-labelledby="trace-settings-title">
        <h2 id="trace-settings-title">Track &amp; Trace</h2>
        {message ? <p className="error">{message.text}</p> : <p>Loading…</p>}
      </section>
    );
  }

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft({ ...draft, [key]: value });
  const payload = () => ({ ...draft, password: draft.password || undefined, vendorKey: draft.vendorKey || undefined, userKey: draft.userKey || undefined });

  const save = async () => {
    setBusy('save');
    setMessage(null);
    const result = await call('trace.settings.save', { commandId: newCommandId(), ...payload() });
    setBusy(null);
    if (!result.ok) return setMessage({ tone: 'error', text: result.error.message });
    setView(result.value);
    setDraft(toDraft(result.value));
    setMessage({ tone: 'ok', text: 'Saved. The sync worker restarted with these settings.' });
  };

  const test = async () => {
    setBusy('test');
    setMessage(null);
    const result = await call('trace.testConnection', payload());
    setBusy(null);
    if (!result.ok) return setMessage({ tone: 'error', text: result.error.message });
    setMessage({ tone: result.value.ok ? 'ok' : 'error', text: result.value.message });
  };

  const enabled = draft.provider !== 'none';
  const usesSandbox = enabled && draft.useDemoSandbox;
  const metrc = draft.provider === 'metrc_v2';

  return (
    <section className="panel trace-settings" aria-labelledby="trace-settings-title" data-testid="trace-settings">
      <h2 id="trace-settings-title">Track &amp; Trace</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <div className="trace-grid">
          <label className="field">
            <span>Provider</span>
            <select
              value={draft.provider}
              data-testid="trace-provider"
              onChange={(event) => setDraft({ ...draft, provider: event.target.value as Draft['provider'], useDemoSandbox: false, endpoint: '', licenseNumber: '' })}
            >
              <option value="none">None (do not report)</option>
              {view.choices.map((choice) => (
                <option key={choice.id} value={choice.id}>
                  {choice.label}
                </option>
              ))}
            </select>
          </label>
          {metrc ? <MetrcFields view={view} draft={draft} set={set} /> : null}
          {!metrc && view.demoSandboxUrl ? (
            <label className="field check">
              <input type="checkbox" checked={draft.useDemoSandbox} disabled={!enabled} onChange={(event) => set('useDemoSandbox', event.target.checked)} />
              <span>Use the demo store&apos;s BioTrack sandbox ({view.demoSandboxUrl})</span>
            </label>
          ) : null}
          {metrc ? null : (
            <>
          <label className="field wide-field">
            <span>BioTrack address</span>
            <input
              value={draft.endpoint}
              disabled={!enabled || usesSandbox}
              placeholder="https://mcmonitoring.agr.illinois.gov/serverjson.asp"
              onChange={(event) => set('endpoint', event.target.value)}
            />
          </label>
          <label className="field">
            <span>Company licence number</span>
            <input value={draft.licenseNumber} disabled={!enabled} onChange={(event) => set('licenseNumber', event.target.value)} />
          </label>
          <label className="field">
            <span>Location (6 digits)</span>
            <input value={draft.location} disabled={!enabled} inputMode="numeric" maxLength={6} onChange={(event) => set('location', event.target.value)} />
          </label>
          <label className="field">
            <span>Username</span>
            <input value={draft.username} disabled={!enabled} autoComplete="off" onChange={(event) => set('username', event.target.value)} />
          </label>
          <label className="field">
            <span>Password</span>
            <input
              type="password"
              value={draft.password}
              disabled={!enabled}
              autoComplete="new-password"
              placeholder={view.hasPassword ? 'saved (type to replace)' : 'not set'}
              onChange={(event) => set('password', event.target.value)}
            />
          </label>
          <label className="field">
            <span>Terminal id</span>
            <input value={draft.terminalId} disabled={!enabled} onChange={(event) => set('terminalId', event.target.value)} />
          </label>
          <label className="field check">
            <input type="checkbox" checked={draft.training} disabled={!enabled} onChange={(event) => set('training', event.target.checked)} />
            <span>Training mode (BioTrack records nothing for real)</span>
          </label>
          <label className="field check">
            <input type="checkbox" checked={draft.nosession} disabled={!enabled} onChange={(event) => set('nosession', event.target.checked)} />
            <span>Send the login with every request (no session)</span>
          </label>
            </>
          )}
        </div>
        {view.provider === 'biotrack_v1' && !metrc ? <AdvancedSection view={view} onSaved={setView} /> : null}
        <p className="muted">
          {metrc ? 'The keys are' : 'The password is'} stored encrypted ({view.secretStorage === 'safeStorage' ? 'by the operating system' : 'with a key file only this user can read'}) and
          never shown again.
        </p>
        <div className="row">
          <button type="submit" className="primary" disabled={busy !== null}>
            {busy === 'save' ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="secondary" disabled={busy !== null || !enabled} onClick={() => void test()}>
            {busy === 'test' ? 'Testing…' : 'Test connection'}
          </button>
          {message ? (
            <span role="status" className={message.tone === 'ok' ? 'ok' : 'error-text'} data-testid="trace-settings-message">
              {message.text}
            </span>
          ) : null}
        </div>
      </form>
      <TraceDownSetting />
    </section>
  );
}
