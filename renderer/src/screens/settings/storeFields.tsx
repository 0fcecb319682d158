/**
 * The store form's parts, shared by the setup screen and Settings › Store: the store's name,
 * licence number and time zone, and a tax rate typed as a percentage with the date it starts.
 */
import { formatRatePercent, parseRatePercent, type StoreTax } from '../../../../preload/api';

export interface StoreDraft {
  name: string;
  licenceNumber: string;
  timeZone: string;
}

/** "8.625" or "8.625%" → 86_250 parts per million, exactly (no floating point); an error in staff words otherwise. */
export function parsePercent(text: string): { ok: true; ratePpm: number } | { ok: false; message: string } {
  const cleaned = text.trim().replace(/%$/, '').trim().replace(',', '.');
  if (cleaned === '') return { ok: false, message: 'Enter a rate (0 if this tax does not apply here).' };
  const parsed = parseRatePercent(cleaned);
  if (!parsed.ok && parsed.message.startsWith('Enter the rate')) {
    return { ok: false, message: `"${text}" is not a rate: write it like 8.625 (at most four decimals).` };
  }
  return parsed;
}

export function formatPercent(ratePpm: number | null): string {
  if (ratePpm === null) return 'not entered';
  return formatRatePercent(ratePpm);
}

/** Which sales a tax applies to and the legal limits, in one line under its name. */
export function taxHint(tax: StoreTax): string {
  const limits = [
    tax.maxRatePpm !== null ? `at most ${formatPercent(tax.maxRatePpm)}` : null,
    tax.stepRatePpm !== null ? `in steps of ${formatPercent(tax.stepRatePpm)}` : null,
  ].filter(Boolean);
  return [`Applies to: ${tax.appliesTo.join(', ')}`, limits.length > 0 ? limits.join(', ') : null].filter(Boolean).join(' · ');
}

export function StoreFields({
  draft,
  timeZones,
  onChange,
  disabled,
}: {
  draft: StoreDraft;
  timeZones: string[];
  onChange(draft: StoreDraft): void;
  disabled?: boolean;
}) {
  return (
    <>
      <label className="field">
        <span>Store name (on receipts)</span>
        <input value={draft.name} disabled={disabled} maxLength={80} onChange={(event) => onChange({ ...draft, name: event.target.value })} />
      </label>
      <label className="field">
        <span>Licence number</span>
        <input
          value={draft.licenceNumber}
          disabled={disabled}
          maxLength={60}
          onChange={(event) => onChange({ ...draft, licenceNumber: event.target.value })}
        />
      </label>
      <label className="field">
        <span>Time zone</span>
        <select value={draft.timeZone} disabled={disabled} onChange={(event) => onChange({ ...draft, timeZone: event.target.value })}>
          {timeZones.map((zone) => (
            <option key={zone} value={zone}>
              {zone.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}

export interface RateDraft {
  percent: string;
  from: string;
}

/** One tax's rate and the date it starts, as two fields under the tax's name. */
export function RateFields({ tax, draft, onChange, idPrefix }: { tax: StoreTax; draft: RateDraft; onChange(draft: RateDraft): void; idPrefix: string }) {
  const id = `${idPrefix}-${tax.settingKey.replace(/\W/g, '-')}`;
  return (
    <fieldset className="rate-fields">
      <legend>{tax.label}</legend>
      <p className="muted rate-hint">{taxHint(tax)}</p>
      <div className="row">
        <label className="field" htmlFor={`${id}-rate`}>
          <span>Rate (%)</span>
          <input
            id={`${id}-rate`}
            className="rate-input"
            inputMode="decimal"
            value={draft.percent}
            aria-label={`${tax.label} rate (%)`}
            onChange={(event) => onChange({ ...draft, percent: event.target.value })}
          />
        </label>
        <label className="field" htmlFor={`${id}-from`}>
          <span>From</span>
          <input
            id={`${id}-from`}
            type="date"
            value={draft.from}
            aria-label={`${tax.label} from`}
            onChange={(event) => onChange({ ...draft, from: event.target.value })}
          />
        </label>
      </div>
    </fieldset>
  );
}
