/**
 * Settings › Store: the store's name, licence number and time zone, and the tax rates the store
 * enters, each with its history. A new rate starts on a date (today or later); the one in force
 * ends the day before, so sales already made keep the rate they were charged.
 */
import { useEffect, useState } from 'react';
import type { StoreSettingsView } from '../../../../preload/api';
import { newCommandId } from '../../components/queue/commandId';
import { call } from '../../register';
import { formatPercent, parsePercent, RateFields, StoreFields, type RateDraft, type StoreDraft } from './storeFields';
import '../../styles/setup.css';

type Message = { tone: 'ok' | 'error'; text: string } | null;

function TaxRateRow({ tax, today, onSaved }: { tax: StoreSettingsView['taxes'][number]; today: string; onSaved(view: StoreSettingsView): void }) {
  const [adding, setAdding] = useState(false);
  const [draft, setDraft] = useState<RateDraft>({ percent: '', from: today });
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    const parsed = parsePercent(draft.percent);
    if (!parsed.ok) return setMessage({ tone: 'error', text: parsed.message });
    setBusy(true);
    const result = await call('store.settings.addTaxRate', { commandId: newCommandId(), settingKey: tax.settingKey, from: draft.from, ratePpm: parsed.ratePpm });
    setBusy(false);
    if (!result.ok) return setMessage({ tone: 'error', text: result.error.message });
    setAdding(false);
    setMessage({ tone: 'ok', text: `${formatPercent(parsed.ratePpm)} from ${draft.from} saved.` });
    onSaved(result.value);
  };

  return (
    <tr>
      <td>
        <strong>{tax.label}</strong>
        <span className="sync-sub">{tax.appliesTo.join(', ')}</span>
      </td>
      <td data-testid={`rate-current-${tax.settingKey}`}>{formatPercent(tax.current)}</td>
      <td>
        {tax.rates.length === 0 ? (
          <span className="error-text">Not entered: sales that need it are refused until it is.</span>
        ) : (
          <ul className="rate-history">
            {tax.rates.map((rate) => (
              <li key={rate.from} className={tax.current !== null && rate.from <= today && (rate.to === null || today <= rate.to) ? 'current' : undefined}>
                {formatPercent(rate.ratePpm)} from {rate.from}
                {rate.to ? ` to ${rate.to}` : ''}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        {adding ? (
          <div>
            <RateFields tax={tax} idPrefix="settings" draft={draft} onChange={setDraft} />
            <div className="row">
              <button type="button" className="primary" disabled={busy} onClick={() => void save()}>
                {busy ? 'Saving…' : 'Save rate'}
              </button>
              <button type="button" className="secondary" disabled={busy} onClick={() => setAdding(false)}>
                Cancel
              </button>
            </div>
          </div>
        ) : (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setDraft({ percent: '', from: today });
              setMessage(null);
              setAdding(true);
            }}
          >
            New rate
          </button>
        )}
        {message ? (
          <p role="status" className={message.tone === 'ok' ? 'ok' : 'error-text'}>
            {message.text}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

export function StoreSettingsPanel() {
  const [view, setView] = useState<StoreSettingsView | null>(null);
  const [draft, setDraft] = useState<StoreDraft | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void call('store.settings.get', {}).then((result) => {
      if (!live) return;
      if (!result.ok) return setMessage({ tone: 'error', text: result.error.message });
      setView(result.value);
      setDraft({ name: result.value.name, licenceNumber: result.value.licenceNumber, timeZone: result.value.timeZone });
    });
    return () => {
      live = false;
    };
  }, []);

  const save = async () => {
    if (!draft) return;
    setBusy(true);
    setMessage(null);
    const result = await call('store.settings.save', { commandId: newCommandId(), ...draft });
    setBusy(false);
    if (!result.ok) return setMessage({ tone: 'error', text: result.error.message });
    setView(result.value);
    setMessage({ tone: 'ok', text: 'Saved.' });
  };

  return (
    <section className="panel" aria-labelledby="store-settings-title" data-testid="store-settings">
      <h2 id="store-settings-title">Store</h2>
      {!view || !draft ? (
        message ? <p className="error">{message.text}</p> : <p>Loading…</p>
      ) : (
        <>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
          >
            <div className="setup-grid">
              <StoreFields draft={draft} timeZones={view.timeZones} onChange={setDraft} />
              <div className="field">
                <span>State rules</span>
                <strong>{view.jurisdictionName}</strong>
              </div>
            </div>
            <div className="row">
              <button type="submit" className="primary" disabled={busy}>
                {busy ? 'Saving…' : 'Save store details'}
              </button>
              {message ? (
                <span role="status" className={message.tone === 'ok' ? 'ok' : 'error-text'}>
                  {message.text}
                </span>
              ) : null}
            </div>
          </form>
          <h3>Tax rates the store enters</h3>
          <p className="muted">
            {view.jurisdictionName}&apos;s state taxes are built in. A sale uses the rate in force on its date ({view.today} today); a new rate starts today
            or later.
          </p>
          {view.taxes.length === 0 ? (
            <p>{view.jurisdictionName} has no taxes for the store to enter.</p>
          ) : (
            <table className="table store-rates">
              <thead>
                <tr>
                  <th scope="col">Tax</th>
                  <th scope="col">Today</th>
                  <th scope="col">Rates</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {view.taxes.map((tax) => (
                  <TaxRateRow key={tax.settingKey} tax={tax} today={view.today} onSaved={setView} />
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
