/** Form fields for the customer profile: big targets, labels, dates typed as 11/30/2017 or 11302017. */
import { useEffect, useId, useState, type ReactNode } from 'react';
import { parseDateEntry, showDate } from './dateEntry';

export function TextField(props: {
  label: string;
  value: string | null;
  onChange: (value: string) => void;
  type?: 'text' | 'email' | 'tel';
  required?: boolean;
  autoFocus?: boolean;
  wide?: boolean;
}) {
  const id = useId();
  return (
    <div className={`cu-field${props.wide ? ' cu-field-wide' : ''}`}>
      <label htmlFor={id}>
        {props.label}
        {props.required ? <span className="cu-required-mark" aria-hidden="true"> *</span> : null}
      </label>
      <input
        id={id}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        required={props.required}
        autoFocus={props.autoFocus}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </div>
  );
}

/**
 * A date typed as 11/30/2017 or 11302017 and confirmed with Enter (or by leaving the field).
 * Shows the date back as 11/30/2017; a wrong date is named at once and nothing is sent.
 */
export function DateField(props: { label: string; value: string | null; onChange: (iso: string | null) => void; required?: boolean }) {
  const id = useId();
  const [text, setText] = useState(showDate(props.value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText(showDate(props.value));
  }, [props.value]);
  const commit = () => {
    if (text.trim() === '') {
      setError(null);
      props.onChange(null);
      return;
    }
    const iso = parseDateEntry(text);
    if (!iso) {
      setError('Type the date as 11/30/2017 or 11302017.');
      return;
    }
    setError(null);
    setText(showDate(iso));
    props.onChange(iso);
  };
  return (
    <div className="cu-field">
      <label htmlFor={id}>
        {props.label}
        {props.required ? <span className="cu-required-mark" aria-hidden="true"> *</span> : null}
      </label>
      <input
        id={id}
        inputMode="numeric"
        placeholder="mm/dd/yyyy"
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => setText(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            commit();
          }
        }}
      />
      {error ? (
        <span id={`${id}-error`} className="error-text cu-field-error">
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function Toggle(props: { label: string; checked: boolean; onChange: (on: boolean) => void; hint?: string }) {
  return (
    <label className={`cu-toggle${props.checked ? ' cu-toggle-on' : ''}`}>
      <input type="checkbox" role="switch" checked={props.checked} onChange={(event) => props.onChange(event.target.checked)} />
      <span>{props.label}</span>
      {props.hint ? <span className="muted cu-toggle-hint">{props.hint}</span> : null}
    </label>
  );
}

export function Check(props: { label: string; checked: boolean; onChange: (on: boolean) => void; danger?: boolean }) {
  return (
    <label className={`cu-check${props.danger && props.checked ? ' cu-check-danger' : ''}`}>
      <input type="checkbox" checked={props.checked} onChange={(event) => props.onChange(event.target.checked)} />
      <span>{props.label}</span>
    </label>
  );
}

export function Section(props: { title: string; children: ReactNode; id?: string }) {
  const headingId = useId();
  return (
    <section className="cu-section" aria-labelledby={headingId} id={props.id}>
      <h2 id={headingId}>{props.title}</h2>
      <div className="cu-grid">{props.children}</div>
    </section>
  );
}

/** One choice among a few, as large radio buttons (a fieldset with a legend). */
export function Choice<T extends string>(props: { legend: string; value: T; options: Array<{ value: T; label: string }>; onChange: (value: T) => void }) {
  const name = useId();
  return (
    <fieldset className="cu-choice cu-field-wide">
      <legend>{props.legend}</legend>
      {props.options.map((option) => (
        <label key={option.value} className={`cu-toggle${option.value === props.value ? ' cu-toggle-on' : ''}`}>
          <input type="radio" name={name} value={option.value} checked={option.value === props.value} onChange={() => props.onChange(option.value)} />
          <span>{option.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
