/**
 * The Register: scanner-first checkout. A ticket opens from the queue's selection, a licence
 * scan or a search; products come from scans (routed here by content), the scan field, or the
 * catalog search. The allotment meter is always on screen and a refused line says why.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { ulid } from 'ulid';
import { call } from '../../register';
import { getClient } from '../../client';
import { useSession, useStatus } from '../../stores/app';
import { useSelectedCustomer } from '../../components/queue/selectedCustomer';
import { useScans } from '../../components/devices/scanStore';
import { ManagerOverrideDialog, type OverrideGrant } from '../../components/ManagerOverrideDialog';
import { Receipt } from '../../components/checkout/Receipt';
import { ReturnDialog, ReturnResult, returnableQuantity } from '../../components/checkout/ReturnDialog';
import { Meter } from '../../components/checkout/Meter';
import { RestoredNotice, UnrestoredTickets } from '../../components/checkout/RestoredTickets';
import { money } from '../../components/checkout/format';
import { useCardSwipe } from '../../components/rewards/cardSwipe';
import { RewardsAtCheckout } from '../../components/rewards/RewardsAtCheckout';
import '../../styles/checkout.css';

type Ticket = CallResponse<'checkout.ticket.get'>;
type Refusal = NonNullable<CallResponse<'checkout.ticket.scan'>['refusal']>;
type ReceiptView = CallResponse<'checkout.sale.get'>;
type Product = CallResponse<'checkout.products.search'>[number];
type CustomerHit = CallResponse<'customers.search'>['results'][number];
type CustomerDetail = CallResponse<'customers.get'>;
type TenderKind = ReceiptView['tenders'][number]['kind'];

type Pending =
  | { kind: 'limit'; retry: (grantId: string) => Promise<void>; title: string }
  | { kind: 'discount'; lineId: string; name: string }
  | { kind: 'void'; saleId: string }
  | { kind: 'return'; receipt: ReceiptView };

export function RegisterScreen() {
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [receipt, setReceipt] = useState<ReceiptView | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const [approval, setApproval] = useState<{ action: string; title: string; then: (grant: OverrideGrant) => void } | null>(null);
  const [detail, setDetail] = useState<CustomerDetail | null>(null);
  /** The receipt shown just after a return from it (the panel then says what was refunded). */
  const [returnedFrom, setReturnedFrom] = useState<string | null>(null);
  const employee = useSession((state) => (state.session?.state === 'active' ? state.session.employee : null));
  const isManager = employee?.permissions.includes('manager_override') ?? false;
  const selected = useSelectedCustomer((state) => state.entry);
  const clearSelected = useSelectedCustomer((state) => state.clear);
  const ticketRef = useRef<Ticket | null>(null);
  ticketRef.current = ticket;

  const fail = (message: string) => {
    setError(message);
    setRefusal(null);
  };

  const open = useCallback(async (customerId: string, queueEntryId?: string) => {
    setBusy(true);
    setError(null);
    setRefusal(null);
    setReceipt(null);
    const result = await call('checkout.ticket.open', { saleCommandId: ulid(), customerId, ...(queueEntryId ? { queueEntryId } : {}) });
    setBusy(false);
    if (!result.ok) return fail(result.error.message);
    setTicket(result.value);
  }, []);

  // Resume a ticket left open on this register (screen reload), else open the queue's selection.
  useEffect(() => {
    void call('checkout.ticket.list', {}).then((result) => {
      if (result.ok && result.value.length > 0 && !ticketRef.current) setTicket(result.value[0]!);
    });
  }, []);
  useEffect(() => {
    if (!selected) return;
    clearSelected();
    void open(selected.customerId, selected.id);
  }, [selected, clearSelected, open]);

  // A rewards card swiped here opens its customer's ticket (rewards, issue 9).
  const openSwiped = useCallback(
    (customerId: string) => {
      if (ticketRef.current) setError('Finish or discard the open ticket before opening another customer by their card.');
      else void open(customerId);
    },
    [open],
  );
  useCardSwipe(openSwiped);

  useEffect(() => {
    setDetail(null);
    if (!ticket) return;
    void call('customers.get', { id: ticket.customer.id }).then((result) => result.ok && setDetail(result.value));
  }, [ticket?.customer.id]);

  const applyChange = (result: Awaited<ReturnType<typeof call<'checkout.ticket.scan'>>>, retry?: (grantId: string) => Promise<void>, title?: string) => {
    if (!result.ok) return fail(result.error.message);
    setTicket(result.value.ticket);
    setError(null);
    setRefusal(result.value.refusal);
    if (result.value.refusal?.overridable && retry) setPending({ kind: 'limit', retry, title: title ?? 'Allow this line over the limit' });
    else setPending(null);
  };

  const scanCode = useCallback(async (code: string, grantId?: string) => {
    const current = ticketRef.current;
    if (!current) return fail('Open a ticket first: choose a customer from the queue, scan their ID or search.');
    const result = await call('checkout.ticket.scan', { ticketId: current.ticketId, code, ...(grantId ? { limitOverrideGrantId: grantId } : {}) });
    applyChange(result, (grant) => scanCode(code, grant), `Allow ${code} over the limit (needs the customer's waiver or recommendation)`);
  }, []);

  // Product scans routed here by content, whatever has focus; licence scans open the customer.
  const pendingScan = useScans((state) => state.pending);
  useEffect(() => {
    if (pendingScan?.kind !== 'product') return;
    const scan = useScans.getState().take('product');
    if (scan) void scanCode(scan.code);
  }, [pendingScan, scanCode]);
  useEffect(
    () =>
      getClient().on('scan.received', (scan) => {
        if (scan.kind !== 'licence' || ticketRef.current) return;
        void call('customers.lookupByLicence', { raw: scan.raw }).then((result) => {
          if (result.ok && result.value.kind === 'licence' && result.value.matches.length === 1) void open(result.value.matches[0]!.id);
          else if (result.ok && result.value.kind === 'licence') fail(result.value.matches.length === 0 ? 'No profile for this licence: create one in Customers first.' : 'Several profiles match this licence: search by name.');
        });
      }),
    [open],
  );

  const addProduct = async (product: Product, grantId?: string) => {
    if (!ticket) return;
    const result = await call('checkout.ticket.addProduct', { ticketId: ticket.ticketId, productId: product.id, ...(grantId ? { limitOverrideGrantId: grantId } : {}) });
    applyChange(result, (grant) => addProduct(product, grant), `Allow ${product.name} over the limit`);
  };

  const setQuantity = async (lineId: string, quantity: number, grantId?: string) => {
    if (!ticket) return;
    if (quantity < 1) return removeLine(lineId);
    const result = await call('checkout.ticket.setQuantity', { ticketId: ticket.ticketId, lineId, quantity, ...(grantId ? { limitOverrideGrantId: grantId } : {}) });
    applyChange(result, (grant) => setQuantity(lineId, quantity, grant), 'Allow this quantity over the limit');
  };

  const removeLine = async (lineId: string) => {
    if (!ticket) return;
    const result = await call('checkout.ticket.removeLine', { ticketId: ticket.ticketId, lineId });
    if (!result.ok) return fail(result.error.message);
    setTicket(result.value);
    setRefusal(null);
  };

  const refresh = async () => {
    if (!ticket) return;
    setBusy(true);
    const result = await call('checkout.ticket.refreshAllotment', { ticketId: ticket.ticketId });
    setBusy(false);
    if (!result.ok) return fail(result.error.message);
    setTicket(result.value);
  };

  const choosePatient = async (patient: Ticket['patients'][number]) => {
    if (!ticket) return;
    const result = await call('checkout.ticket.setPatient', { ticketId: ticket.ticketId, patient: { kind: patient.kind, id: patient.id } });
    if (!result.ok) return fail(result.error.message);
    setTicket(result.value);
  };

  const discard = async () => {
    if (!ticket) return;
    await call('checkout.ticket.discard', { ticketId: ticket.ticketId });
    setTicket(null);
    setRefusal(null);
    setError(null);
  };

  const complete = async (tenders: Array<{ kind: TenderKind; amountCents: number; reference?: string | null }>) => {
    if (!ticket) return;
    setBusy(true);
    const result = await call('checkout.sale.complete', { commandId: ticket.saleCommandId, ticketId: ticket.ticketId, tenders });
    setBusy(false);
    if (!result.ok) return fail(result.error.message);
    setReceipt(result.value);
    setTicket(null);
    setRefusal(null);
    setError(null);
  };

  const traceState = useStatus((state) => (state.status?.state === 'ready' ? state.status.trace.state : null));

  return (
    <div className="register" data-testid="register">
      <div className="register-main">
        <UnrestoredTickets />
        {error ? (
          <p className="error register-alert" role="alert">
            {error}
          </p>
        ) : null}
        {refusal ? (
          <div className="refusal register-alert" role="alert" data-testid="refusal">
            <strong>{refusal.message}</strong>
            <div className="refusal-actions">
              {refusal.overridable && pending?.kind === 'limit' ? (
                <button
                  type="button"
                  className="secondary big"
                  onClick={() => setApproval({ action: 'checkout.limitOverride', title: pending.title, then: (grant) => void pending.retry(grant.grantId) })}
                >
                  Manager override
                </button>
              ) : null}
              <button type="button" className="secondary big" onClick={() => setRefusal(null)}>
                OK
              </button>
            </div>
          </div>
        ) : null}
        {receipt ? (
          <ReceiptPanel
            receipt={receipt}
            justReturned={returnedFrom === receipt.saleId}
            onDone={() => {
              setReceipt(null);
              setReturnedFrom(null);
            }}
            onVoid={() => setPending({ kind: 'void', saleId: receipt.saleId })}
            onReturn={() => setPending({ kind: 'return', receipt })}
          />
        ) : ticket ? (
          <TicketPanel
            ticket={ticket}
            detail={detail}
            busy={busy}
            traceDown={traceState === 'offline'}
            onScan={(code) => void scanCode(code)}
            onAdd={(product) => void addProduct(product)}
            onQuantity={(lineId, quantity) => void setQuantity(lineId, quantity)}
            onRemove={(lineId) => void removeLine(lineId)}
            onDiscount={(lineId, name) => setPending({ kind: 'discount', lineId, name })}
            onPatient={(patient) => void choosePatient(patient)}
            onRefresh={() => void refresh()}
            onDiscard={() => void discard()}
            onComplete={(tenders) => void complete(tenders)}
            onTicket={setTicket}
          />
        ) : (
          <CustomerPicker busy={busy} onOpen={(id) => void open(id)} onReceipt={setReceipt} />
        )}
      </div>
      {ticket ? (
        <aside className="register-side" aria-label="Allotment">
          <Meter ticket={ticket} />
        </aside>
      ) : null}
      {pending?.kind === 'discount' && ticket ? (
        <DiscountDialog
          name={pending.name}
          onCancel={() => setPending(null)}
          onApply={(discount, reason) => {
            const send = async (grantId?: string) => {
              const result = await call('checkout.ticket.discountLine', { ticketId: ticket.ticketId, lineId: pending.lineId, discount, reason, ...(grantId ? { grantId } : {}) });
              if (!result.ok) return fail(result.error.message);
              setTicket(result.value);
              setPending(null);
            };
            if (isManager || discount.kind === 'none') void send();
            else setApproval({ action: 'checkout.discount', title: `Discount on ${pending.name}: ${reason}`, then: (grant) => void send(grant.grantId) });
          }}
        />
      ) : null}
      {pending?.kind === 'void' ? (
        <VoidDialog
          onCancel={() => setPending(null)}
          onVoid={(reason) => {
            const send = async (grantId?: string) => {
              const result = await call('checkout.sale.void', { commandId: ulid(), saleId: pending.saleId, reason, ...(grantId ? { grantId } : {}) });
              setPending(null);
              if (!result.ok) return fail(result.error.message);
              setReceipt(result.value);
            };
            if (isManager) void send();
            else setApproval({ action: 'checkout.void', title: `Void this sale: ${reason}`, then: (grant) => void send(grant.grantId) });
          }}
        />
      ) : null}
      {pending?.kind === 'return' ? (
        <ReturnDialog
          receipt={pending.receipt}
          needsApproval={!isManager}
          requestApproval={(title, then) => setApproval({ action: 'checkout.return', title, then: (grant) => then(grant.grantId) })}
          onCancel={() => setPending(null)}
          onReturned={(next) => {
            setPending(null);
            setError(null);
            setReceipt(next);
            setReturnedFrom(next.saleId);
          }}
        />
      ) : null}
      {approval ? (
        <ManagerOverrideDialog
          action={approval.action}
          title={approval.title}
          onCancel={() => setApproval(null)}
          onApproved={(grant) => {
            const next = approval.then;
            setApproval(null);
            next(grant);
          }}
        />
      ) : null}
    </div>
  );
}

function CustomerPicker({ busy, onOpen, onReceipt }: { busy: boolean; onOpen(id: string): void; onReceipt(receipt: ReceiptView): void }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<CustomerHit[]>([]);
  const [recent, setRecent] = useState<CallResponse<'checkout.sale.recent'>>([]);
  useEffect(() => {
    void call('checkout.sale.recent', { limit: 8 }).then((result) => result.ok && setRecent(result.value));
  }, []);
  useEffect(() => {
    if (query.trim().length < 2) return setResults([]);
    const timer = setTimeout(() => {
      void call('customers.search', { field: 'name', query, limit: 8 }).then((result) => result.ok && setResults(result.value.results));
    }, 150);
    return () => clearTimeout(timer);
  }, [query]);
  return (
    <section className="panel register-picker">
      <h1>Register</h1>
      <p className="lead">Choose a customer in the Queue, scan their ID, or search by name.</p>
      <label className="field">
        <span>Customer name</span>
        <input autoFocus value={query} onChange={(event) => setQuery(event.target.value)} placeholder="e.g. Rosa Delgado" aria-label="Search customers" />
      </label>
      <ul className="register-hits">
        {results.map((hit) => (
          <li key={hit.id}>
            <button type="button" className="tile wide" disabled={busy || hit.banned} onClick={() => onOpen(hit.id)}>
              <span className="tile-name">{hit.displayName}</span>
              <span className="tile-role">
                {hit.customerType.replace(/_/g, ' ')} · born {hit.dateOfBirth}
                {hit.banned ? ' · BANNED' : ''}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {recent.length > 0 ? (
        <>
          <h2>Recent sales</h2>
          <ul className="register-recent">
            {recent.map((sale) => (
              <li key={sale.saleId}>
                <button
                  type="button"
                  className="link"
                  onClick={() => void call('checkout.sale.get', { saleId: sale.saleId }).then((result) => result.ok && onReceipt(result.value))}
                >
                  #{sale.receiptNumber} · {sale.customerName} · {money(sale.totalCents)} {sale.status === 'voided' ? '(voided)' : ''}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

interface TicketPanelProps {
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
  onDiscard(): void;
  onComplete(tenders: Array<{ kind: TenderKind; amountCents: number; reference?: string | null }>): void;
  /** The ticket changed outside these handlers (rewards points redeemed). */
  onTicket(ticket: Ticket): void;
}

function TicketPanel(props: TicketPanelProps) {
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
          <p className="ticket-sub">
            {ticket.profileLabel} · {ticket.channel === 'medical' ? 'Medical sale' : 'Adult-use sale'}
            {ticket.customer.licence ? ` · card ${ticket.customer.licence}` : ''}
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
          The state system is not answering: this medical sale will be kept and reported when it is back.
          {ticket.sellWhileTraceDown ? '' : ` ${ticket.jurisdiction} rules say sales stop while the state system is down: follow the store's procedure.`}
        </p>
      ) : null}
      {ticket.needsPatient || ticket.patients.length > 1 ? (
        <div className="patients" role="group" aria-label="Patient">
          <p>{ticket.needsPatient ? 'Who is this caregiver buying for?' : 'Patient:'}</p>
          {ticket.patients.map((patient) => (
            <button
              key={`${patient.kind}:${patient.id}`}
              type="button"
              className={`tile ${ticket.patient?.id === patient.id ? 'chosen' : ''}`}
              disabled={patient.problem !== null}
              onClick={() => props.onPatient(patient)}
            >
              <span className="tile-name">{patient.name}</span>
              <span className="tile-role">{patient.problem ?? `card ${patient.licence ?? '—'}`}</span>
            </button>
          ))}
        </div>
      ) : ticket.patient ? (
        <p className="ticket-sub">
          Buying for <strong>{ticket.patient.name}</strong> (card {ticket.patient.licence}); caregiver card {ticket.customer.licence}.
        </p>
      ) : null}
      <div className={`allotment-status allotment-${ticket.allotment.state}`} role="status">
        <span>{ticket.allotment.message}</span>
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
              <td className="num" title={line.taxes.map((tax) => `${tax.label} ${tax.basisPoints / 100}%: ${money(tax.cents)}`).join('\n')}>
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

function parseCents(text: string): number | null {
  const match = /^\s*\$?(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
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

function ReceiptPanel({ receipt, justReturned, onDone, onVoid, onReturn }: { receipt: ReceiptView; justReturned: boolean; onDone(): void; onVoid?: () => void; onReturn?: () => void }) {
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

function DiscountDialog({ name, onCancel, onApply }: { name: string; onCancel(): void; onApply(discount: { kind: 'percent'; basisPoints: number } | { kind: 'amount'; cents: number } | { kind: 'none' }, reason: string): void }) {
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

function VoidDialog({ onCancel, onVoid }: { onCancel(): void; onVoid(reason: string): void }) {
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
