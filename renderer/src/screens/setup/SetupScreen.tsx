/**
 * The first screen of a new register: set up the store (its name, licence, state, time zone, the
 * tax rates it enters, and its first admin), then connect track-and-trace; or open the demo store.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { formatRatePercent, type CallResponse, type JurisdictionChoice } from '../../../../preload/api';
import { newCommandId } from '../../components/queue/commandId';
import { call } from '../../register';
import { useSession } from '../../stores/app';
import { useSetupFlow } from '../../stores/setup';
import { TraceSettingsPanel } from '../trace/TraceSettingsPanel';
import { parsePercent, RateFields, StoreFields, type RateDraft, type StoreDraft } from '../settings/storeFields';
import { storeToday } from './storeToday';
import '../../styles/setup.css';

type Options = CallResponse<'setup.options'>;

function ratesFor(jurisdiction: JurisdictionChoice | undefined, today: string): Record<string, RateDraft> {
  const drafts: Record<string, RateDraft> = {};
  for (const tax of jurisdiction?.taxes ?? []) {
    drafts[tax.settingKey] = { percent: tax.suggestedRatePpm === null ? '' : formatRatePercent(tax.suggestedRatePpm).replace(/%$/, ''), from: today };
  }
  return drafts;
}

function ChooseStep({ options, onSetUp }: { options: Options; onSetUp(): void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const openDemo = async (code: string) => {
    setBusy(code);
    setError(null);
    const result = await call('setup.openDemo', { jurisdiction: code });
    setBusy(null);
    if (!result.ok) setError(result.error.message);
    // On success the core says the store is ready and the login screen follows.
  };
  return (
    <div className="setup-choices">
      <section className="panel setup-choice" aria-labelledby="setup-own-title">
        <h2 id="setup-own-title">Set up my store</h2>
        <p>Your store&apos;s name, licence and state, its tax rates and its first admin. Products, stock and employees follow in Settings.</p>
        <button type="button" className="primary wide" onClick={onSetUp}>
          Set up my store
        </button>
      </section>
      <section className="panel setup-choice" aria-labelledby="setup-demo-title">
        <h2 id="setup-demo-title">Open the demo store</h2>
        <p>Made-up products, customers and employees to practise on. Its PINs are printed in the guide, so never use it for real sales.</p>
        <div className="row">
          {options.demos.map((demo) => (
            <button key={demo.code} type="button" className="secondary" disabled={busy !== null} onClick={() => void openDemo(demo.code)}>
              {busy === demo.code ? 'Opening…' : `Demo: ${options.jurisdictions.find((j) => j.code === demo.code)?.name ?? demo.code}`}
            </button>
          ))}
        </div>
        {error ? <p className="error" role="alert">{error}</p> : null}
      </section>
    </div>
  );
}

function StoreStep({ options, onBack }: { options: Options; onBack(): void }) {
  const setSession = useSession((state) => state.setSession);
  const setStep = useSetupFlow((state) => state.set);
  const [jurisdiction, setJurisdiction] = useState('');
  const [store, setStore] = useState<StoreDraft>({ name: '', licenceNumber: '', timeZone: options.suggestedTimeZone });
  const [rates, setRates] = useState<Record<string, RateDraft>>({});
  const [admin, setAdmin] = useState({ name: '', pin: '', again: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = options.jurisdictions.find((item) => item.code === jurisdiction);
  // The rates' first day is the store's date, in the time zone chosen for it (not the PC's).
  const todayIn = (timeZone: string) => storeToday(Date.now(), timeZone, options.today);
  const today = todayIn(store.timeZone);

  const choose = (code: string) => {
    setJurisdiction(code);
    setRates(ratesFor(options.jurisdictions.find((item) => item.code === code), today));
  };

  const changeStore = (next: StoreDraft) => {
    const before = todayIn(store.timeZone);
    const after = todayIn(next.timeZone);
    if (before !== after) {
      setRates((current) => Object.fromEntries(Object.entries(current).map(([key, draft]) => [key, draft.from === before ? { ...draft, from: after } : draft])));
    }
    setStore(next);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!chosen) return setError('Choose the state your store is in.');
    if (!store.name.trim()) return setError('Enter the store name.');
    if (!store.licenceNumber.trim()) return setError("Enter the store's licence number.");
    const taxRates = [];
    for (const tax of chosen.taxes) {
      const draft = rates[tax.settingKey] ?? { percent: '', from: today };
      const parsed = parsePercent(draft.percent);
      if (!parsed.ok) return setError(`${tax.label}: ${parsed.message}`);
      if (!draft.from) return setError(`${tax.label}: enter the date the rate applies from.`);
      taxRates.push({ settingKey: tax.settingKey, from: draft.from, ratePpm: parsed.ratePpm });
    }
    if (!admin.name.trim()) return setError('Enter the name of the first admin (you, probably).');
    if (!/^\d{4,8}$/.test(admin.pin)) return setError('The admin PIN is 4 to 8 digits.');
    if (admin.pin !== admin.again) return setError('The two PINs differ: type the same PIN twice.');
    setBusy(true);
    const result = await call('setup.createStore', {
      commandId: newCommandId(),
      store: { ...store, jurisdiction: chosen.code },
      taxRates,
      admin: { name: admin.name, pin: admin.pin },
    });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    setStep('trace');
    setSession(result.value);
  };

  return (
    <form className="setup-form" onSubmit={(event) => void submit(event)} aria-labelledby="setup-store-title">
      <section className="panel">
        <h2 id="setup-store-title">Your store</h2>
        <div className="setup-grid">
          <label className="field">
            <span>State</span>
            <select value={jurisdiction} onChange={(event) => choose(event.target.value)}>
              <option value="" disabled>
                Choose a state
              </option>
              {options.jurisdictions.map((item) => (
                <option key={item.code} value={item.code}>
                  {item.name}
                </option>
              ))}
            </select>
          </label>
          <StoreFields draft={store} timeZones={options.timeZones} onChange={changeStore} />
        </div>
        {chosen ? <p className="muted">Track-and-trace in {chosen.name}: {chosen.traceSystem}. You connect it in the next step.</p> : null}
      </section>
      {chosen ? (
        <section className="panel" aria-labelledby="setup-taxes-title">
          <h2 id="setup-taxes-title">Tax rates your store enters</h2>
          <p className="muted">
            {chosen.name}&apos;s state taxes are built in. These depend on your store&apos;s address: enter each one (0 if it does not apply). You can add new
            rates later in Settings › Store.
          </p>
          {chosen.taxes.map((tax) => (
            <RateFields
              key={tax.settingKey}
              tax={tax}
              idPrefix="setup"
              draft={rates[tax.settingKey] ?? { percent: '', from: today }}
              onChange={(draft) => setRates({ ...rates, [tax.settingKey]: draft })}
            />
          ))}
        </section>
      ) : null}
      <section className="panel" aria-labelledby="setup-admin-title">
        <h2 id="setup-admin-title">First admin</h2>
        <p className="muted">The admin adds employees and changes settings. Choose a PIN nobody could guess (not 1234, 1111 or a year).</p>
        <div className="setup-grid">
          <label className="field">
            <span>Name</span>
            <input value={admin.name} maxLength={80} onChange={(event) => setAdmin({ ...admin, name: event.target.value })} />
          </label>
          <label className="field">
            <span>PIN (4 to 8 digits)</span>
            <input
              type="password"
              inputMode="numeric"
              autoComplete="new-password"
              maxLength={8}
              value={admin.pin}
              onChange={(event) => setAdmin({ ...admin, pin: event.target.value.replace(/\D/g, '') })}
            />
          </label>
          <label className="field">
            <span>PIN again</span>
            <input
              type="password"
              inputMode="numeric"
              autoComplete="new-password"
              maxLength={8}
              value={admin.again}
              onChange={(event) => setAdmin({ ...admin, again: event.target.value.replace(/\D/g, '') })}
            />
          </label>
        </div>
      </section>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Setting up…' : 'Set up my store'}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={onBack}>
          Back
        </button>
      </div>
    </form>
  );
}

function TraceStep() {
  const setStep = useSetupFlow((state) => state.set);
  const setSession = useSession((state) => state.setSession);
  const finish = async () => {
    const result = await call('session.logout', {});
    setStep('done');
    if (result.ok) setSession(result.value);
  };
  return (
    <>
      <p className="setup-lead">
        Your store is set up. Connect it to the state&apos;s track-and-trace system: fill in the account the state gave your store, test the connection,
        and save. You can also do this later in Settings › Track &amp; Trace.
      </p>
      <TraceSettingsPanel />
      <div className="row">
        <button type="button" className="primary" onClick={() => void finish()}>
          Finish and go to the login screen
        </button>
      </div>
    </>
  );
}

export function SetupScreen() {
  const flow = useSetupFlow((state) => state.step);
  const [options, setOptions] = useState<Options | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [step, setStep] = useState<'choose' | 'store'>('choose');

  useEffect(() => {
    if (flow === 'trace') return;
    let live = true;
    void call('setup.options', {}).then((result) => {
      if (!live) return;
      if (result.ok) setOptions(result.value);
      else setError(result.error.message);
    });
    return () => {
      live = false;
    };
  }, [flow]);

  return (
    <main className="setup" aria-labelledby="setup-title">
      <div className="setup-page">
        <h1 id="setup-title">{flow === 'trace' ? 'Connect track-and-trace' : step === 'store' ? 'Set up your store' : 'Welcome to Dispensary Register'}</h1>
        {flow === 'trace' ? (
          <TraceStep />
        ) : (
          <>
            {error ? <p className="error" role="alert">{error}</p> : null}
            {!options && !error ? <p>Loading…</p> : null}
            {options && step === 'choose' ? <ChooseStep options={options} onSetUp={() => setStep('store')} /> : null}
            {options && step === 'store' ? <StoreStep options={options} onBack={() => setStep('choose')} /> : null}
          </>
        )}
      </div>
    </main>
  );
}
