/** Counting a drawer by bills and coins: how many of each, and the total as it is typed. */
import { denominationLabel, money } from '../../components/till/format';

export type Counts = Record<string, string>;

export function countsToPayload(counts: Counts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [denomination, text] of Object.entries(counts)) {
    const n = Number(text.trim() || '0');
    if (Number.isInteger(n) && n > 0) out[denomination] = n;
  }
  return out;
}

export function countsTotal(counts: Counts): number {
  return Object.entries(countsToPayload(counts)).reduce((total, [denomination, n]) => total + Number(denomination) * n, 0);
}

export function countsValid(counts: Counts): boolean {
  return Object.values(counts).every((text) => /^\d{0,6}$/.test(text.trim()));
}

export function CountGrid({ denominations, counts, onChange, label }: { denominations: number[]; counts: Counts; onChange(counts: Counts): void; label: string }) {
  return (
    <fieldset className="till-count">
      <legend>{label}</legend>
      <div className="till-count-grid">
        {denominations.map((cents) => (
          <label key={cents}>
            <span>{denominationLabel(cents)}</span>
            <input
              inputMode="numeric"
              aria-label={`${denominationLabel(cents)} count`}
              value={counts[String(cents)] ?? ''}
              onChange={(event) => onChange({ ...counts, [String(cents)]: event.target.value })}
            />
          </label>
        ))}
      </div>
      <p className="till-count-total">
        Counted: <strong data-testid="count-total">{money(countsTotal(counts))}</strong>
        {countsValid(counts) ? null : <span className="error-text"> Each count is a whole number.</span>}
      </p>
    </fieldset>
  );
}
