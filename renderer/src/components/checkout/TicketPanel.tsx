/** The open ticket on the Register: customer, notices, patient, allotment, lines, totals and payment. */
import { useEffect, useRef, useState } from 'react';
import { formatRatePercent, type CallResponse } from '../../../../preload/api';
import { call } from '../../register';
import { RewardsAtCheckout } from '../rewards/RewardsAtCheckout';
import { RestoredNotice } from './RestoredTickets';
import { AddPatient } from './AddPatient';
import { money, parseCents } from './format';

type Ticket = CallResponse<'checkout.ticket.get'>;
type ReceiptView = CallResponse<'checkout.sale.get'>;
type Product = CallResponse<'checkout.products.search'>[number];
type CustomerDetail = CallResponse<'customers.get'>;
type TenderKind = ReceiptView['tenders'][number]['kind'];

export interface TicketPanelProps {
  ticket: Ticket;
  detail: CustomerDetail | null;
  busy: boolean;
  traceDown: boolean;
  onScan(code: string): void;
  onAdd(product: Product): void;
  onQuantity(lineId: string, quantity: number): void;
  onRemove(lineId: string): void;
  onDiscount(lineId: string, name: string): void;
  onPatient(patient: Ticket['patients'][number]): void;
  onRefresh(): void;
  /** Open the Purchase Allotment pop-up. */
  onAllotment(): void;
  onDiscard(): void;
  onComplete(tenders: Array<{ kind: TenderKind; amountCents: number; reference?: string | null }>): void;
  /** The ticket changed outside these handlers (rewards points redeemed). */
  onTicket(ticket: Ticket): void;
}

export function TicketPanel(props: TicketPanelProps) {
  const { ticket, detail } = props;
  const [code, setCode] = useState('');
  const [products, setProducts] = useState<Product[]>([]);
  const [paying, setPaying] = useState(false);
  const scanField = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const text = code.trim();
    if (text.length < 2 || /^\d+$/.test(text)) return setProducts([]);
    const timer = setTimeout(() => {
      void call('checkout.products.search', { query: text, limit: 12 }).then((result) => result.ok && setProducts(result.value));
    }, 120);
    return () => clearTimeout(timer);
  }, [code]);
  useEffect(() => scanField.current?.focus(), [ticket.lines.length]);

  const warnings = detail ? [...detail.alerts] : [];
  return (
    <section className="ticket" aria-label="Ticket">
      <header className="ticket-head">
        <div>
          <h1 data-testid="ticket-customer">{ticket.customer.displayName}</h1>
          <p className="ticket-sub" data-testid="ticket-sub">
            {ticket.customer.customerType === 'caregiver'
              ? `Caregiver${ticket.patient ? (ticket.patient.self ? ' buying for themselves' : ` for ${ticket.patient.name}`) : ''}`
              : ticket.profileLabel}{' '}
            · {ticket.channel === 'medical' ? 'Medical sale' : 'Adult-use sale'}
            {ticket.patient?.self ? (ticket.patient.as === 'adult_use' ? '' : ` · own patient card ${ticket.patient.licence ?? ''}`) : ticket.customer.licence ? ` · card ${ticket.customer.licence}` : ''}
            {ticket.groups.length > 0 ? ` · groups: ${ticket.groups.join(', ')}` : ''}
            {ticket.groupDiscount ? ` · ${ticket.groupDiscount.label} off` : ''}
          </p>
        </div>
        <button type="button" className="secondary" onClick={props.onDiscard}>
          Discard ticket
        </button>
      </header>
      {warnings.length > 0 || detail?.form.notes ? (
        <div className="ticket-notes" role="note">
          {warnings.map((warning) => (
            <p key={warning} className="warning-text">
              ⚠ {warning}
            </p>
          ))}
          {detail?.form.warning1 || detail?.form.warning2 ? <p className="warning-text">⚠ This customer has a warning on their profile.</p> : null}
          {detail?.form.notes ? <p>Notes: {detail.form.notes}</p> : null}
        </div>
      ) : null}
      <RewardsAtCheckout ticket={ticket} onTicket={props.onTicket} />
      <RestoredNotice ticket={ticket} />
      {ticket.notices.map((notice) => (
        <p key={notice} className="notice">
          {notice}
        </p>
      ))}
      {props.traceDown && ticket.channel === 'medical' ? (
        <p className="notice warning-text" role="status">
          {ticket.sellWhileTraceDown
            ? 'The state system is not answering: this medical sale will be kept and reported when it is back.'
            : 'The state system is not answering: this store does not sell to medical patients until it is back (Settings › Track & Trace).'}
        </p>
      ) : null}
      {ticket.needsPatient || ticket.patients.length > 1 || (ticket.customer.customerType === 'caregiver' && ticket.lines.length === 0) ? (
        <div className="patients" role="group" aria-label="Patient">
          <p>{ticket.needsPatient ? 'Who is this caregiver buying for?' : 'Patient:'}</p>
          {ticket.patients.map((patient) => (
            <button
              key={`${patient.kind}:${patient.id}:${patient.as ?? ''}`}
              type="button"
              className={`tile ${ticket.patient?.id === patient.id && ticket.patient.as === patient.as ? 'chosen' : ''}`}
              disabled={patient.problem !== null}
              onClick={() => props.onPatient(patient)}
            >
              <span className="tile-name">{patient.self ? (patient.as === 'adult_use' ? 'For themselves, adult use' : 'For themselves') : patient.name}</span>
              <span className="tile-role">
                {patient.problem ?? (patient.as === 'adult_use' ? 'adult-use limits, no patient card' : `${patient.self ? 'own patient card' : 'card'} ${patient.licence ?? '—'}`)}
              </span>
            </button>
          ))}
          {ticket.lines.length === 0 ? <AddPatient ticket={ticket} onTicket={props.onTicket} /> : null}
        </div>
      ) : ticket.patient ? (
        <p className="ticket-sub">
          {ticket.patient.self ? (
            <>
              Buying for <strong>themselves</strong>
              {ticket.patient.as === 'adult_use' ? ', as an adult-use customer.' : ` on their own patient card ${ticket.patient.licence ?? ''}.`}
            </>
          ) : (
            <>
              Buying for <strong>{ticket.patient.name}</strong> (card {ticket.patient.licence}); caregiver card {ticket.customer.licence}.
            </>
          )}
        </p>
      ) : null}
      <div className={`allotment-status allotment-${ticket.allotment.state}`} role="status">
        <span>{ticket.allotment.message}</span>
        {ticket.allotmentEntry ? (
          <button type="button" className={ticket.allotmentEntry.blocked ? 'primary' : 'secondary'} onClick={props.onAllotment}>
            {ticket.allotment.state === 'offline' && ticket.sellWhileTraceDown ? 'Enter the allotment' : 'Purchase allotment'}
          </button>
        ) : null}
        {ticket.allotment.state !== 'not_required' ? (
          <button type="button" className="secondary" disabled={props.busy} onClick={props.onRefresh}>
            Look up again
          </button>
        ) : null}
      </div>

      <form
        className="scan-form"
        onSubmit={(event) => {
          event.preventDefault();
          const text = code.trim();
          if (!text) return;
          if (/^\d{8,16}$/.test(text)) props.onScan(text);
          else if (products[0]) props.onAdd(products[0]);
          setCode('');
        }}
      >
        <input
          ref={scanField}
          className="scan-input"
          value={code}
          onChange={(event) => setCode(event.target.value)}
          placeholder="Scan or type a barcode, or a product name"
          aria-label="Scan or search products"
          data-testid="scan-field"
        />
        <button type="submit" className="primary big">
          Add
        </button>
      </form>
      {products.length > 0 ? (
        <ul className="product-hits" aria-label="Products">
          {products.map((product) => (
            <li key={product.id}>
              <button type="button" className="product-tile" onClick={() => { props.onAdd(product); setCode(''); }}>
                <span className="tile-name">{product.name}</span>
                <span className="tile-role">
                  {money(product.priceCents)} · {product.onHand} on hand
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}

      <table className="lines" aria-label="Lines">
        <thead>
          <tr>
            <th>Product</th>
            <th>Qty</th>
            <th className="num">Price</th>
            <th className="num">Discount</th>
            <th className="num">Tax</th>
            <th className="num">Total</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {ticket.lines.length === 0 ? (
            <tr>
              <td colSpan={7} className="muted">
                {ticket.needsPatient ? 'Choose the patient, then scan products.' : 'Scan a product to start.'}
              </td>
            </tr>
          ) : null}
          {ticket.lines.map((line) => (
            <tr key={line.lineId} data-testid="ticket-line">
              <td>
                <strong>{line.name}</strong>
                <div className="line-sub">
                  {line.traceBarcode}
                  {line.overriddenLimits.length > 0 ? ' · over limit, approved by a manager' : ''}
                  {line.discountReason ? ` · ${line.discountReason}` : ''}
                </div>
              </td>
              <td>
                <div className="qty">
                  <button type="button" aria-label={`One less ${line.name}`} onClick={() => props.onQuantity(line.lineId, line.quantity - 1)}>
                    −
                  </button>
                  <span aria-label="Quantity">{line.quantity}</span>
                  <button type="button" aria-label={`One more ${line.name}`} onClick={() => props.onQuantity(line.lineId, line.quantity + 1)}>
                    +
                  </button>
                </div>
              </td>
              <td className="num">{money(line.grossCents)}</td>
              <td className="num">
                <button type="button" className="link" onClick={() => props.onDiscount(line.lineId, line.name)}>
                  {line.groupDiscountCents + line.lineDiscountCents > 0 ? `−${money(line.groupDiscountCents + line.lineDiscountCents)}` : 'Discount'}
                </button>
              </td>
              <td className="num" title={line.taxes.map((tax) => `${tax.label} ${formatRatePercent(tax.ratePpm)}: ${money(tax.cents)}`).join('\n')}>
                {money(line.taxCents)}
              </td>
              <td className="num">{money(line.totalCents)}</td>
              <td>
                <button type="button" className="secondary" aria-label={`Remove ${line.name}`} onClick={() => props.onRemove(line.lineId)}>
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="totals" data-testid="totals">
        <dl>
          <dt>Subtotal</dt>
          <dd>{money(ticket.totals.grossCents)}</dd>
          {ticket.totals.discountCents > 0 ? (
            <>
              <dt>Discounts</dt>
              <dd>−{money(ticket.totals.discountCents)}</dd>
            </>
          ) : null}
          {ticket.totals.taxSummary.map((tax) => (
            <FragmentRow key={tax.label} label={tax.label} value={money(tax.cents)} />
          ))}
          <dt className="grand">Total</dt>
          <dd className="grand" data-testid="ticket-total">
            {money(ticket.totals.totalCents)}
          </dd>
        </dl>
        {paying ? (
          <Payment total={ticket.totals.totalCents} busy={props.busy} onCancel={() => setPaying(false)} onComplete={props.onComplete} />
        ) : (
          <button type="button" className="primary pay" disabled={ticket.lines.length === 0} onClick={() => setPaying(true)}>
            Pay {money(ticket.totals.totalCents)}
          </button>
        )}
      </div>
    </section>
  );
}

function FragmentRow({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}

function Payment({ total, busy, onCancel, onComplete }: { total: number; busy: boolean; onCancel(): void; onComplete: TicketPanelProps['onComplete'] }) {
  const [tenders, setTenders] = useState<Array<{ kind: TenderKind; amountCents: number }>>([]);
  const paid = tenders.reduce((sum, tender) => sum + tender.amountCents, 0);
  const due = Math.max(total - paid, 0);
  const [amount, setAmount] = useState((due / 100).toFixed(2));
  const [problem, setProblem] = useState<string | null>(null);
  const cents = parseCents(amount);
  const change = Math.max(paid - total, 0);
  const add = (kind: TenderKind) => {
    if (cents === null || cents <= 0) return setProblem('Enter an amount like 50 or 42.50.');
    if (kind !== 'cash' && cents > due) return setProblem('A card pays at most what is due: only cash gives change.');
    setProblem(null);
    const next = [...tenders, { kind, amountCents: cents }];
    setTenders(next);
    const left = Math.max(total - next.reduce((sum, tender) => sum + tender.amountCents, 0), 0);
    setAmount((left / 100).toFixed(2));
  };
  return (
    <div className="payment" aria-label="Payment">
      <label className="field">
        <span>Amount</span>
        <input className="amount-input" inputMode="decimal" value={amount} onChange={(event) => setAmount(event.target.value)} aria-label="Amount tendered" />
      </label>
      <div className="quick-cash">
        {[20, 50, 100].map((bill) => (
          <button key={bill} type="button" className="secondary" onClick={() => setAmount(String(Math.max(bill, Math.ceil(due / 100))))}>
            ${Math.max(bill, Math.ceil(due / 100))}
          </button>
        ))}
      </div>
      <div className="tender-buttons">
        {(['cash', 'debit', 'credit', 'other'] as const).map((kind) => (
          <button key={kind} type="button" className="secondary big" disabled={busy || due === 0} onClick={() => add(kind)}>
            {kind === 'cash' ? 'Cash' : kind === 'debit' ? 'Debit' : kind === 'credit' ? 'Credit' : 'Other'}
          </button>
        ))}
      </div>
      {problem ? <p className="error" role="alert">{problem}</p> : null}
      <ul className="tenders">
        {tenders.map((tender, index) => (
          <li key={index}>
            {tender.kind}: {money(tender.amountCents)}{' '}
            <button type="button" className="link" onClick={() => setTenders(tenders.filter((_, i) => i !== index))}>
              remove
            </button>
          </li>
        ))}
      </ul>
      <p className="due" data-testid="due">
        {due > 0 ? `Due ${money(due)}` : `Change ${money(change)}`}
      </p>
      <div className="payment-actions">
        <button type="button" className="secondary big" onClick={onCancel}>
          Back
        </button>
        <button type="button" className="primary big" disabled={busy || due > 0} onClick={() => onComplete(tenders)}>
          {busy ? 'Completing…' : 'Complete sale'}
        </button>
      </div>
    </div>
  );
}
