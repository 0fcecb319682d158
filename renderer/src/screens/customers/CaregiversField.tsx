/**
 * A patient's caregivers on the profile form: the first in "Caregiver", more with "+ Add another
 * caregiver" where the state allows several (Illinois: up to 3, 2 for a patient under 18; the
 * jurisdiction file's figure). Past the cap the button says so instead of adding a line; the core
 * refuses a longer list on save in the same words.
 */
import { useState } from 'react';
import type { CustomerForm, CustomersConfig, CustomerSummary } from './types';

function ageOn(dateOfBirth: string, today: Date): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  let age = today.getFullYear() - year;
  if (today.getMonth() + 1 < month || (today.getMonth() + 1 === month && today.getDate() < day)) age -= 1;
  return age;
}

export function CaregiversField(props: {
  form: CustomerForm;
  config: CustomersConfig;
  caregivers: CustomerSummary[];
  onChange: (patch: Pick<CustomerForm, 'caregiverCustomerId' | 'otherCaregiverIds'>) => void;
}) {
  const { form, config, caregivers } = props;
  const [adding, setAdding] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const others = Array.isArray(form.otherCaregiverIds) ? form.otherCaregiverIds : [];
  const chosen = [form.caregiverCustomerId, ...others].filter((id): id is string => !!id);
  const age = ageOn(form.dateOfBirth, new Date());
  const minor = age !== null && age < 18 && config.maxCaregiversPerMinorPatient !== null;
  const cap = minor ? config.maxCaregiversPerMinorPatient : config.maxCaregiversPerPatient;
  const several = cap === null || cap > 1;

  const set = (ids: string[]) => {
    setRefusal(null);
    const unique = [...new Set(ids.filter(Boolean))];
    props.onChange({ caregiverCustomerId: unique[0] ?? null, otherCaregiverIds: unique.slice(1) });
  };
  const options = (current: string | null) =>
    caregivers
      .filter((caregiver) => caregiver.id === current || !chosen.includes(caregiver.id))
      .map((caregiver) => (
        <option key={caregiver.id} value={caregiver.id}>
          {caregiver.displayName} ({caregiver.caregiverId ?? 'no ID'})
        </option>
      ));

  return (
    <div className="cu-field cu-field-wide cu-caregivers">
      <label htmlFor="cu-caregiver">Caregiver (customers of type Caregiver)</label>
      <select
        id="cu-caregiver"
        value={form.caregiverCustomerId ?? ''}
        onChange={(event) => set([event.target.value, ...others])}
      >
        <option value="">No caregiver</option>
        {options(form.caregiverCustomerId)}
      </select>
      {others.map((id, index) => (
        <div key={id} className="cu-inline">
          <label htmlFor={`cu-caregiver-${index + 2}`}>Caregiver {index + 2}</label>
          <select
            id={`cu-caregiver-${index + 2}`}
            value={id}
            onChange={(event) => set([form.caregiverCustomerId ?? '', ...others.map((other, at) => (at === index ? event.target.value : other))])}
          >
            {options(id)}
          </select>
          <button type="button" className="secondary" onClick={() => set([form.caregiverCustomerId ?? '', ...others.filter((other) => other !== id)])}>
            Remove
          </button>
        </div>
      ))}
      {adding ? (
        <div className="cu-inline">
          <label htmlFor="cu-caregiver-new">Caregiver {chosen.length + 1}</label>
          <select
            id="cu-caregiver-new"
            value=""
            onChange={(event) => {
              setAdding(false);
              set([...chosen, event.target.value]);
            }}
          >
            <option value="">Choose a caregiver</option>
            {options(null)}
          </select>
        </div>
      ) : null}
      {several && form.caregiverCustomerId ? (
        <button
          type="button"
          className="cu-add-caregiver"
          onClick={() => {
            if (cap !== null && chosen.length >= cap) {
              setRefusal(`${config.jurisdictionName} allows at most ${cap} caregiver${cap === 1 ? '' : 's'} per patient${minor ? ' under 18' : ''}: remove one before adding another.`);
              return;
            }
            setAdding(true);
          }}
        >
          + Add another caregiver
        </button>
      ) : null}
      {refusal ? (
        <p className="error" role="alert">
          {refusal}
        </p>
      ) : null}
      {several && cap !== null ? (
        <p className="muted">
          {config.jurisdictionName}: up to {cap} caregiver{cap === 1 ? '' : 's'} per patient{minor ? ' under 18' : ''}.
        </p>
      ) : null}
    </div>
  );
}
