/**
 * Return items from a past sale (issue 8): a quantity per line (at most what is still
 * returnable), a reason, and the refund tender. The core refuses anything beyond what is left;
 * the screen says so first. A budtender's return needs a manager's grant (parent's approval dialog).
 */
import { useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { ulid } from 'ulid';
import { call } from '../../register';
import { useStateSystemName } from '../../stores/stateSystem';
import { money } from './format';

type ReceiptView = CallResponse<'checkout.sale.get'>;
type ReceiptLine = ReceiptView['lines'][number];
type TenderKind = ReceiptView['tenders'][number]['kind'];

const TENDERS: Array<{ kind: TenderKind; label: string }> = [
  { kind: 'cash', label: 'Cash' },
  { kind: 'debit', label: 'Debit' },
  { kind: 'credit', label: 'Credit' },
  { kind: 'gift_card', label: 'Gift card' },
  { kind: 'other', label: 'Other' },
];

export function tenderLabel(kind: TenderKind): string {
  return TENDERS.find((entry) => entry.kind === kind)?.label ?? kind;
}

export function returnableQuantity(line: ReceiptLine): number {
  return Math.max(line.quantity - line.returnedQuantity, 0);
}

/** The refund the core will give for `quantity` of the line: the rest exactly when all that is left goes back. */
function lineRefundCents(line: ReceiptLine, quantity: number): number {
  if (quantity <= 0) return 0;
  if (quantity === returnableQuantity(line)) return line.netCents + line.taxCents - line.returnedCents;
  return Math.round((line.netCents * quantity) / line.quantity) + Math.round((line.taxCents * quantity) / line.quantity);
}

/** The tender that paid most of the sale: the refund goes back the way it came unless chosen otherwise. */
function mainTender(receipt: ReceiptView): TenderKind {
  const sorted = [...receipt.tenders].sort((a, b) => b.appliedCents - a.appliedCents);
  return sorted[0]?.kind ?? 'cash';
}

export interface ReturnDialogProps {
  receipt: ReceiptView;
  /** The logged-in employee lacks manager_override: ask a manager for a grant first. */
  needsApproval: boolean;
  requestApproval(title: string, then: (grantId: string) => void): void;
  onReturned(receipt: ReceiptView): void;
  onCancel(): void;
}

export function ReturnDialog({ receipt, needsApproval, requestApproval, onReturned, onCancel }: ReturnDialogProps) {
  const system = useStateSystemName();
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [tender, setTender] = useState<TenderKind>(() => mainTender(receipt));
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One commandId per dialog: a retry after a timeout is applied once.
  const [commandId] = useState(() => ulid());

  const nothingLeft = receipt.status !== 'completed' || receipt.lines.every((line) => returnableQuantity(line) === 0);
  const quantityOf = (line: ReceiptLine) => {
    const text = (quantities[line.saleLineId] ?? '').trim();
    return text === '' ? 0 : Number(text);
  };
  const setQuantity = (line: ReceiptLine, value: number | string) => {
    setProblem(null);
    setQuantities({ ...quantities, [line.saleLineId]: String(value) });
  };
  const chosen = receipt.lines.filter((line) => quantityOf(line) !== 0);
  const refund = chosen.reduce((sum, line) => {
    const quantity = quantityOf(line);
    return Number.isInteger(quantity) && quantity > 0 && quantity <= returnableQuantity(line) ? sum + lineRefundCents(line, quantity) : sum;
  }, 0);

  const submit = () => {
    if (busy) return;
    if (nothingLeft) return setProblem('Nothing is left to return on this sale.');
    for (const line of receipt.lines) {
      const quantity = quantityOf(line);
      if (!Number.isInteger(quantity) || quantity < 0) return setProblem(`Enter a whole number of ${line.name} to return (0 for none).`);
      const left = returnableQuantity(line);
      if (quantity > left) {
        return setProblem(
          left === 0
            ? `${line.name}: nothing is left to return (all ${line.quantity} already returned).`
            : `${line.name}: only ${left} of ${line.quantity} can still be returned${line.returnedQuantity > 0 ? ` (${line.returnedQuantity} already returned)` : ''}.`,
        );
      }
    }
    if (chosen.length === 0) return setProblem('Choose how many of an item come back: set a quantity on at least one line.');
    if (reason.trim().length < 3) return setProblem('Say why in a few words (the reason is kept in the audit log).');
    const lines = chosen.map((line) => ({ saleLineId: line.saleLineId, quantity: quantityOf(line) }));
    const send = async (grantId?: string) => {
      setBusy(true);
      const result = await call('checkout.sale.return', { commandId, saleId: receipt.saleId, lines, reason: reason.trim(), refundTender: tender, ...(grantId ? { grantId } : {}) });
      setBusy(false);
      if (!result.ok) return setProblem(result.error.message);
      onReturned(result.value);
    };
    if (needsApproval) requestApproval(`Return ${lines.length === 1 ? 'an item' : `${lines.length} items`} from receipt #${receipt.receiptNumber}, refund ${money(refund)}: ${reason.trim()}`, (grantId) => void send(grantId));
    else void send();
  };

  return (
    <div
      className="overlay"
      role="dialog"
      aria-modal="true"
      aria-labelledby="return-title"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
    >
      <form
        className="dialog return-dialog"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <h2 id="return-title">Return items · receipt #{receipt.receiptNumber}</h2>
        <p className="dialog-lead">
          Returned items go back to stock and the customer's allotment.
          {receipt.channel === 'medical' ? ` The refund is reported to ${system}.` : ''}
          {needsApproval ? ' A manager approves the return.' : ''}
        </p>
        {nothingLeft ? (
          <p className="error" role="alert" data-testid="return-nothing-left">
            {receipt.status === 'voided' ? 'This sale was voided: nothing is left to return.' : 'Everything on this sale has already been returned: nothing is left to return.'}
          </p>
        ) : null}
        <table className="return-lines">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Sold</th>
              <th scope="col">Left</th>
              <th scope="col">Return</th>
            </tr>
          </thead>
          <tbody>
            {receipt.lines.map((line) => {
              const left = returnableQuantity(line);
              const quantity = quantityOf(line);
              return (
                <tr key={line.saleLineId} data-testid="return-line">
                  <td>
                    {line.name}
                    <div className="line-sub">{money(line.netCents + line.taxCents)} with tax</div>
                  </td>
                  <td className="num">{line.quantity}</td>
                  <td className="num" data-testid="return-left">
                    {left}
                  </td>
                  <td>
                    {left === 0 ? (
                      <span className="line-sub">All returned</span>
                    ) : (
                      <div className="qty">
                        <button type="button" aria-label={`One fewer ${line.name}`} disabled={!Number.isFinite(quantity) || quantity <= 0} onClick={() => setQuantity(line, Math.max(quantity - 1, 0))}>
                          −
                        </button>
                        <input
                          className="return-qty"
                          inputMode="numeric"
                          aria-label={`Quantity of ${line.name} to return`}
                          aria-invalid={quantity > left}
                          value={quantities[line.saleLineId] ?? '0'}
                          onFocus={(event) => event.currentTarget.select()}
                          onChange={(event) => setQuantity(line, event.target.value.replace(/[^\d]/g, ''))}
                        />
                        <button type="button" aria-label={`One more ${line.name}`} disabled={!Number.isFinite(quantity) || quantity >= left} onClick={() => setQuantity(line, quantity + 1)}>
                          +
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <label className="field">
          <span>Reason (required)</span>
          <input value={reason} onChange={(event) => setReason(event.target.value)} aria-label="Reason for the return" placeholder="e.g. wrong strain, unopened" />
        </label>
        <div className="return-tender">
          <span id="return-tender-label">Refund to</span>
          <div role="radiogroup" aria-labelledby="return-tender-label">
            {TENDERS.map((entry) => (
              <button key={entry.kind} type="button" role="radio" aria-checked={tender === entry.kind} className={tender === entry.kind ? 'primary' : 'secondary'} onClick={() => setTender(entry.kind)}>
                {entry.label}
              </button>
            ))}
          </div>
        </div>
        {problem ? (
          <p className="error" role="alert" data-testid="return-problem">
            {problem}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="secondary big" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary big" disabled={busy || nothingLeft}>
            {busy ? 'Returning…' : refund > 0 ? `Return and refund ${money(refund)}` : 'Return items'}
          </button>
        </div>
      </form>
    </div>
  );
}

/** What the last return did: the refund and its tender, the stock back, and BioTrack's outbox state. */
export function ReturnResult({ receipt }: { receipt: ReceiptView }) {
  const system = useStateSystemName();
  const last = [...receipt.returns].reverse().find((entry) => entry.kind === 'return');
  if (!last) return null;
  return (
    <section className="return-result no-print" role="status" aria-label="Return done" data-testid="return-result">
      <p className="return-refund">
        Refund {money(last.refundCents)} by {tenderLabel(last.refundTender).toLowerCase()}
      </p>
      <p>
        Back in stock: {last.lines.map((line) => `${line.quantity} × ${line.name}`).join(', ')}
      </p>
      {last.trace ? (
        <p data-testid="return-trace">
          {system} refund: {traceText(last.trace.state, last.trace.remoteTxnId)}</p>
      ) : (
        <p>Adult-use sale: nothing to report to {system}.</p>
      )}
    </section>
  );
}

export function traceText(state: string, remoteTxnId: string | null): string {
  if (state === 'acknowledged') return `reported${remoteTxnId ? ` (${remoteTxnId})` : ''}`;
  if (state === 'pending' || state === 'in_flight') return 'queued, will be reported';
  return state.replace(/_/g, ' ');
}
