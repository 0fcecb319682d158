/** The Register's sale dialogs: the receipt after a sale, a line discount, a void. */
import { useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { Receipt } from './Receipt';
import { ReturnResult, returnableQuantity } from './ReturnDialog';
import { money, parseCents } from './format';

type ReceiptView = CallResponse<'checkout.sale.get'>;

export function ReceiptPanel({ receipt, justReturned, onDone, onVoid, onReturn }: { receipt: ReceiptView; justReturned: boolean; onDone(): void; onVoid?: () => void; onReturn?: () => void }) {
  const returnable = receipt.status === 'completed' && receipt.lines.some((line) => returnableQuantity(line) > 0);
  return (
    <section className="receipt-panel" aria-label="Receipt">
      <div className="receipt-actions no-print">
        <button type="button" className="primary big" onClick={onDone} autoFocus>
          New sale
        </button>
        <button type="button" className="secondary big" onClick={() => window.print()}>
          Print receipt
        </button>
        {receipt.voidable && onVoid ? (
          <button type="button" className="secondary big" onClick={onVoid}>
            Void sale…
          </button>
        ) : null}
        {receipt.status === 'completed' && onReturn ? (
          <button type="button" className="secondary big" onClick={onReturn} title={returnable ? undefined : 'Everything on this sale was already returned'}>
            Return items…
          </button>
        ) : null}
      </div>
      {justReturned ? <ReturnResult receipt={receipt} /> : null}
      {receipt.changeCents > 0 && receipt.status === 'completed' && receipt.returns.length === 0 ? (
        <p className="change-due no-print" role="status">
          Change due: {money(receipt.changeCents)}
        </p>
      ) : null}
      <Receipt receipt={receipt} />
    </section>
  );
}

export function DiscountDialog({ name, onCancel, onApply }: { name: string; onCancel(): void; onApply(discount: { kind: 'percent'; basisPoints: number } | { kind: 'amount'; cents: number } | { kind: 'none' }, reason: string): void }) {
  const [kind, setKind] = useState<'percent' | 'amount'>('percent');
  const [value, setValue] = useState('10');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = () => {
    if (reason.trim().length < 3) return setProblem('Say why in a few words.');
    if (kind === 'percent') {
      const percent = Number(value);
      if (!Number.isFinite(percent) || percent <= 0 || percent > 100) return setProblem('A percentage between 0 and 100.');
      onApply({ kind: 'percent', basisPoints: Math.round(percent * 100) }, reason.trim());
    } else {
      const cents = parseCents(value);
      if (!cents) return setProblem('An amount like 5 or 4.50.');
      onApply({ kind: 'amount', cents }, reason.trim());
    }
  };
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="discount-title">
      <div className="dialog">
        <h2 id="discount-title">Discount on {name}</h2>
        <p className="dialog-lead">A line discount needs a manager.</p>
        <div className="segmented">
          <button type="button" className={kind === 'percent' ? 'primary' : 'secondary'} onClick={() => setKind('percent')}>
            Percent
          </button>
          <button type="button" className={kind === 'amount' ? 'primary' : 'secondary'} onClick={() => setKind('amount')}>
            Amount
          </button>
        </div>
        <label className="field">
          <span>{kind === 'percent' ? 'Percent off' : 'Dollars off'}</span>
          <input value={value} onChange={(event) => setValue(event.target.value)} aria-label="Discount" />
        </label>
        <label className="field">
          <span>Reason</span>
          <input value={reason} onChange={(event) => setReason(event.target.value)} aria-label="Reason" />
        </label>
        {problem ? <p className="error" role="alert">{problem}</p> : null}
        <div className="dialog-actions">
          <button type="button" className="secondary big" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="secondary big" onClick={() => onApply({ kind: 'none' }, 'removed')}>
            Remove discount
          </button>
          <button type="button" className="primary big" onClick={submit}>
            Apply
          </button>
        </div>
      </div>
    </div>
  );
}

export function VoidDialog({ onCancel, onVoid }: { onCancel(): void; onVoid(reason: string): void }) {
  const [reason, setReason] = useState('');
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="void-title">
      <div className="dialog">
        <h2 id="void-title">Void this sale</h2>
        <p className="dialog-lead">Everything goes back to inventory and the allotment; a manager approves. Only on the day of the sale.</p>
        <label className="field">
          <span>Reason</span>
          <input autoFocus value={reason} onChange={(event) => setReason(event.target.value)} aria-label="Reason" />
        </label>
        <div className="dialog-actions">
          <button type="button" className="secondary big" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="primary big" disabled={reason.trim().length < 3} onClick={() => onVoid(reason.trim())}>
            Void sale
          </button>
        </div>
      </div>
    </div>
  );
}

/** A sale the rules let through only with a manager's approval and a recorded reason. */
export function ApprovalReasonDialog({ message, onCancel, onReason }: { message: string; onCancel(): void; onReason(reason: string): void }) {
  const [reason, setReason] = useState('');
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="approval-reason-title">
      <div className="dialog">
        <h2 id="approval-reason-title">Manager approval needed</h2>
        <p className="dialog-lead">{message}</p>
        <label className="field">
          <span>Why is this sale approved?</span>
          <input autoFocus value={reason} onChange={(event) => setReason(event.target.value)} aria-label="Reason for approval" placeholder="e.g. the recommendation states 2 oz of concentrate a day" />
        </label>
        <div className="dialog-actions">
          <button type="button" className="secondary big" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="primary big" disabled={reason.trim().length < 3} onClick={() => onReason(reason.trim())}>
            Continue to approval
          </button>
        </div>
      </div>
    </div>
  );
}
