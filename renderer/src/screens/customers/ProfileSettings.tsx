/**
 * Settings › Customer profiles (managers): which fields every profile must hold besides the ones the
 * law needs (shown required, in red, on the profile), and the automatic "senior" group (its age,
 * or off). Saved as one audited change.
 */
import { useEffect, useState } from 'react';
import { ulid } from 'ulid';
import type { CallResponse } from '../../../../preload/api';
import { call } from '../../register';

type CustomerSettings = CallResponse<'customers.settings.get'>;
type RequirableField = CustomerSettings['requiredFields'][number];

const FIELD_NAMES: Record<RequirableField, string> = {
  phone: 'Phone',
  email: 'Email',
  address: 'Address of record (street, city, state, ZIP)',
  identificationExpires: 'Identification expiration',
  middleName: 'Middle name',
};

export function ProfileSettings() {
  const [saved, setSaved] = useState<CustomerSettings | null>(null);
  const [required, setRequired] = useState<RequirableField[]>([]);
  const [seniorOn, setSeniorOn] = useState(true);
  const [seniorAge, setSeniorAge] = useState('65');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const show = (settings: CustomerSettings) => {
    setSaved(settings);
    setRequired(settings.requiredFields);
    setSeniorOn(settings.seniorGroup.enabled);
    setSeniorAge(String(settings.seniorGroup.age));
  };

  useEffect(() => {
    void call('customers.settings.get', {}).then((result) => (result.ok ? show(result.value) : setMessage({ ok: false, text: result.error.message })));
  }, []);

  const save = async () => {
    if (!/^\d{2,3}$/.test(seniorAge.trim())) return setMessage({ ok: false, text: 'Senior age: enter a whole number of years, e.g. 65.' });
    const result = await call('customers.settings.save', {
      commandId: ulid(),
      settings: { requiredFields: required, seniorGroup: { enabled: seniorOn, age: Number(seniorAge) } },
    });
    if (!result.ok) return setMessage({ ok: false, text: result.error.message });
    show(result.value);
    setMessage({ ok: true, text: 'Customer profile settings saved.' });
  };

  return (
    <section className="panel" aria-labelledby="profile-settings-title">
      <h2 id="profile-settings-title">Customer profiles</h2>
      {!saved && !message ? <p className="muted">Loading…</p> : null}
      {saved ? (
        <form
          className="cu-settings"
          aria-label="Customer profile settings"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <fieldset className="cu-settings-group">
            <legend>Required on every profile (besides what the law needs)</legend>
            {(Object.keys(FIELD_NAMES) as RequirableField[]).map((field) => (
              <label key={field} className="cu-check">
                <input
                  type="checkbox"
                  checked={required.includes(field)}
                  onChange={(event) => setRequired((current) => (event.target.checked ? [...current, field] : current.filter((f) => f !== field)))}
                />
                <span>{FIELD_NAMES[field]}</span>
              </label>
            ))}
          </fieldset>
          <fieldset className="cu-settings-group">
            <legend>Senior group</legend>
            <label className="cu-check">
              <input type="checkbox" checked={seniorOn} onChange={(event) => setSeniorOn(event.target.checked)} />
              <span>Customers join “senior” by themselves at an age</span>
            </label>
            {seniorOn ? (
              <label className="cu-field">
                <span>Senior from age</span>
                <input inputMode="numeric" value={seniorAge} onChange={(event) => setSeniorAge(event.target.value)} aria-label="Senior from age" />
              </label>
            ) : null}
          </fieldset>
          <button type="submit" className="primary">
            Save profile settings
          </button>
          {message ? (
            <p className={message.ok ? 'muted' : 'error'} role={message.ok ? 'status' : 'alert'}>
              {message.text}
            </p>
          ) : null}
        </form>
      ) : message ? (
        <p className="error" role="alert">
          {message.text}
        </p>
      ) : null}
    </section>
  );
}
