/**
 * The Register: scanner-first checkout. A ticket opens from the queue's selection, a licence
 * scan or a search; products come from scans (routed here by content), the scan field, or the
 * catalog search. The allotment meter is always on screen and a refused line says why.
 *
 * This file holds the screen's state and calls; its parts are in components/checkout/
 * (CustomerPicker, TicketPanel with the payment, SaleDialogs, RestoredTickets).
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
import { ReturnDialog } from '../../components/checkout/ReturnDialog';
import { Meter } from '../../components/checkout/Meter';
import { UnrestoredTickets } from '../../components/checkout/RestoredTickets';
import { CustomerPicker } from '../../components/checkout/CustomerPicker';
import { TicketPanel } from '../../components/checkout/TicketPanel';
import { AllotmentDialog } from '../../components/checkout/AllotmentDialog';
import { ApprovalReasonDialog, DiscountDialog, ReceiptPanel, VoidDialog } from '../../components/checkout/SaleDialogs';
import { useCardSwipe } from '../../components/rewards/cardSwipe';
import '../../styles/checkout.css';

type Ticket = CallResponse<'checkout.ticket.get'>;
type Refusal = NonNullable<CallResponse<'checkout.ticket.scan'>['refusal']>;
type ReceiptView = CallResponse<'checkout.sale.get'>;
type Product = CallResponse<'checkout.products.search'>[number];
type CustomerDetail = CallResponse<'customers.get'>;
type TenderKind = ReceiptView['tenders'][number]['kind'];

type Pending =
  | { kind: 'limit'; retry: (grantId: string | undefined, reason?: string) => Promise<void>; title: string; reasonRequired: boolean }
  | { kind: 'approvalReason'; retry: (grantId: string | undefined, reason?: string) => Promise<void>; title: string; message: string }
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
  /** The Purchase Allotment pop-up is open. */
  const [allotmentOpen, setAllotmentOpen] = useState(false);
  /** The receipt shown just after a return from it (the panel then says what was refunded). */
  const [returnedFrom, setReturnedFrom] = useState<string | null>(null);
  const employee = useSession((state) => (state.session?.state === 'active' ? state.session.employee : null));
  const isManager = employee?.permissions.includes('manager_override') ?? false;
  const selected = useSelectedCustomer((state) => state.entry);
  const clearSelected = useSelectedCustomer((state) => state.clear);
  const ticketRef = useRef<Ticket | null>(null);
  ticketRef.current = ticket;
  /** The ticket this screen opened last (a patient added straight to it sees the allotment pop-up). */
  const openedHere = useRef<string | null>(null);

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
    openedHere.current = result.value.ticketId;
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

  // The pop-up opens by itself whenever the allotment stops the sale (not found, refused, the state system down).
  // A patient added straight to the ticket (not checked in) sees it once the lookup answers, as at check-in.
  const allotmentKey = ticket ? `${ticket.ticketId}:${ticket.patient?.id ?? ''}:${ticket.allotment.state}:${ticket.allotmentEntry?.blocked ? 'blocked' : 'ok'}` : null;
  useEffect(() => {
    const current = ticketRef.current;
    const entry = current?.allotmentEntry;
    const direct = !!entry && current?.queueEntryId === null && openedHere.current === current.ticketId && current.allotment.state === 'state_system';
    setAllotmentOpen(!!entry?.blocked || direct);
  }, [allotmentKey]);

  useEffect(() => {
    setDetail(null);
    if (!ticket) return;
    void call('customers.get', { id: ticket.customer.id }).then((result) => result.ok && setDetail(result.value));
  }, [ticket?.customer.id]);

  const applyChange = (result: Awaited<ReturnType<typeof call<'checkout.ticket.scan'>>>, retry?: (grantId: string | undefined, reason?: string) => Promise<void>, title?: string) => {
    if (!result.ok) return fail(result.error.message);
    setTicket(result.value.ticket);
    setError(null);
    setRefusal(result.value.refusal);
    const refused = result.value.refusal;
    if (refused?.overridable && retry) {
      setPending({ kind: 'limit', retry, title: refused.reasonRequired ? refused.message : (title ?? 'Allow this line over the limit'), reasonRequired: refused.reasonRequired === true });
    }
    else setPending(null);
  };

  const scanCode = useCallback(async (code: string, grantId?: string, reason?: string) => {
    const current = ticketRef.current;
    if (!current) return fail('Open a ticket first: choose a customer from the queue, scan their ID or search.');
    const result = await call('checkout.ticket.scan', { ticketId: current.ticketId, code, ...(grantId ? { limitOverrideGrantId: grantId } : {}), ...(reason ? { approvalReason: reason } : {}) });
    applyChange(result, (grant, why) => scanCode(code, grant, why), `Allow ${code} over the limit (needs the customer's waiver or recommendation)`);
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
        void call('customers.lookupByLicence', { raw: scan.raw }).then(async (result) => {
          if (result.ok && result.value.kind === 'licence' && result.value.matches.length === 1) {
            // The card in hand is the fresher record: the profile takes its expiry first, so the ticket is judged on it.
            const customerId = result.value.matches[0]!.id;
            await call('customers.updateFromScan', { commandId: ulid(), customerId, raw: scan.raw });
            void open(customerId);
          }
          else if (result.ok && result.value.kind === 'licence') fail(result.value.matches.length === 0 ? 'No profile for this licence: create one in Customers first.' : 'Several profiles match this licence: search by name.');
        });
      }),
    [open],
  );

  const addProduct = async (product: Product, grantId?: string, reason?: string) => {
    if (!ticket) return;
    const result = await call('checkout.ticket.addProduct', { ticketId: ticket.ticketId, productId: product.id, ...(grantId ? { limitOverrideGrantId: grantId } : {}), ...(reason ? { approvalReason: reason } : {}) });
    applyChange(result, (grant, why) => addProduct(product, grant, why), `Allow ${product.name} over the limit`);
  };

  const setQuantity = async (lineId: string, quantity: number, grantId?: string, reason?: string) => {
    if (!ticket) return;
    if (quantity < 1) return removeLine(lineId);
    const result = await call('checkout.ticket.setQuantity', { ticketId: ticket.ticketId, lineId, quantity, ...(grantId ? { limitOverrideGrantId: grantId } : {}), ...(reason ? { approvalReason: reason } : {}) });
    applyChange(result, (grant, why) => setQuantity(lineId, quantity, grant, why), 'Allow this quantity over the limit');
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
    const result = await call('checkout.ticket.setPatient', { ticketId: ticket.ticketId, patient: { kind: patient.kind, id: patient.id, ...(patient.as ? { as: patient.as } : {}) } });
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
                  onClick={() =>
                    pending.reasonRequired
                      ? setPending({ kind: 'approvalReason', retry: pending.retry, title: pending.title, message: refusal.message })
                      : setApproval({ action: 'checkout.limitOverride', title: pending.title, then: (grant) => void pending.retry(grant.grantId) })
                  }
                >
                  {pending.reasonRequired ? 'Manager approval' : 'Manager override'}
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
            onAllotment={() => setAllotmentOpen(true)}
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
      {allotmentOpen && ticket?.allotmentEntry && !receipt ? (
        <AllotmentDialog
          key={`${ticket.ticketId}:${ticket.allotment.state}`}
          ticket={ticket}
          busy={busy}
          onTicket={setTicket}
          onRefresh={() => void refresh()}
          onDiscard={() => {
            setAllotmentOpen(false);
            void discard();
          }}
          onClose={() => setAllotmentOpen(false)}
        />
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
      {pending?.kind === 'approvalReason' ? (
        <ApprovalReasonDialog
          message={pending.message}
          onCancel={() => setPending(null)}
          onReason={(reason) => {
            const { retry } = pending;
            setPending(null);
            if (isManager) void retry(undefined, reason);
            else setApproval({ action: 'checkout.conversionApproval', title: `${pending.title} Reason: ${reason}`, then: (grant) => void retry(grant.grantId, reason) });
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
