/** Adjust stock (a change with a reason) or count it (what is on the shelf): a manager approves each. */
import { useState } from 'react';
import type { ProductView } from '../../../../preload/api';
import { ManagerOverrideDialog, type OverrideGrant } from '../../components/ManagerOverrideDialog';
import { newCommandId } from '../../components/queue/commandId';
import { call } from '../../register';

export function StockDialog(props: {
  kind: 'adjust' | 'count';
  product: ProductView;
  reasons: Array<{ id: string; label: string }>;
  onDone(product: ProductView): void;
  onCancel(): void;
}) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState(props.reasons[0]?.id ?? 'correction');
  const [note, setNote] = useState('');
  const [approving, setApproving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const number = /^-?\d{1,7}$/.test(amount.trim()) ? Number(amount.trim()) : null;
  const { product } = props;
  const after = number === null ? null : props.kind === 'count' ? number : product.onHand + number;

  const check = (): string | null => {
    if (number === null) return props.kind === 'count' ? 'Enter how many are on the shelf, e.g. 12.' : 'Enter how many to add (e.g. 2) or take away (e.g. -2).';
    if (props.kind === 'count' && number < 0) return 'A count cannot be negative.';
    if (props.kind === 'adjust' && number === 0) return 'Enter how many to add (e.g. 2) or take away (e.g. -2).';
    return null;
  };

  const approved = async (grant: OverrideGrant) => {
    setApproving(false);
    const base = { commandId: newCommandId(), productId: product.id, note: note.trim() === '' ? null : note.trim(), grantId: grant.grantId };
    const result =
      props.kind === 'count'
        ? await call('catalogue.adjust', { ...base, kind: 'count', counted: number ?? 0 })
        : await call('catalogue.adjust', { ...base, kind: 'adjust', quantityDelta: number ?? 0, reason: reason as 'correction' });
    if (!result.ok) return setError(result.error.message);
    props.onDone(result.value.product);
  };

  if (approving) {
    const what =
      props.kind === 'count'
        ? `Count ${product.name}: ${number} on the shelf (the register has ${product.onHand}).`
        : `Adjust ${product.name}: ${product.onHand} → ${after} (${number! > 0 ? '+' : ''}${number}), ${props.reasons.find((r) => r.id === reason)?.label ?? reason}.`;
    return <ManagerOverrideDialog action="catalogue.adjust" title={what} onApproved={(grant) => void approved(grant)} onCancel={() => setApproving(false)} />;
  }
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="ct-stock-title">
      <div className="dialog">
        <h2 id="ct-stock-title">{props.kind === 'count' ? 'Count stock' : 'Adjust stock'}</h2>
        <p className="dialog-lead">
          {product.name}: {product.onHand} on hand{product.packageLabel ? ` (package ${product.packageLabel})` : ''}.
        </p>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const problem = check();
            setError(problem);
            if (!problem) setApproving(true);
          }}
        >
          <label htmlFor="ct-amount">{props.kind === 'count' ? 'Counted on the shelf' : 'Change (e.g. -2 or 5)'}</label>
          <input id="ct-amount" inputMode="numeric" value={amount} autoFocus onChange={(e) => setAmount(e.target.value)} />
          {props.kind === 'adjust' ? (
            <>
              <label htmlFor="ct-reason">Reason</label>
              <select id="ct-reason" value={reason} onChange={(e) => setReason(e.target.value)}>
                {props.reasons.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.label}
                  </option>
                ))}
              </select>
            </>
          ) : null}
          <label htmlFor="ct-note">Note (optional)</label>
          <input id="ct-note" value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} />
          {after !== null && check() === null ? <p className="muted">On hand after: {after}</p> : null}
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="rw-dialog-buttons">
            <button type="submit" className="primary">
              Ask a manager to approve
            </button>
            <button type="button" className="secondary" onClick={props.onCancel}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
