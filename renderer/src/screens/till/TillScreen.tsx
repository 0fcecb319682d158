/**
 * The till: open the drawer with a counted float, record drops, pick-ups, paid-ins and paid-outs,
 * open it without a sale (a manager approves), close it with a (blind) count, and the X and Z
 * reports. Sales themselves are rung on the Register screen; their cash lands here.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ApiError, CallResponse, Employee } from '../../../../preload/api';
import { ManagerOverrideDialog, type OverrideGrant } from '../../components/ManagerOverrideDialog';
import { newCommandId } from '../../components/queue/commandId';
import { money, parseDollars } from '../../components/till/format';
import { formatDateTime } from '../../format';
import { call } from '../../register';
import { CountGrid, countsToPayload, countsTotal, countsValid, type Counts } from './CountGrid';
import { PrinterPanel } from './PrinterPanel';
import { ReportPanel } from './ReportPanel';
import '../../styles/till.css';

type Session = CallResponse<'till.session.get'>;
type Config = CallResponse<'till.config.get'>['config'];
type MoveKind = 'drop' | 'pickup' | 'paid_in' | 'paid_out';

const MOVES: Array<{ value: MoveKind; label: string }> = [
  { value: 'drop', label: 'Drop to the safe' },
  { value: 'pickup', label: 'Pick-up by a manager' },
  { value: 'paid_in', label: 'Paid in' },
  { value: 'paid_out', label: 'Paid out' },
];

/** A call a manager must approve first: the core says which action in the error's detail. */
type Approval = { action: string; title: string; retry(grantId: string): Promise<void> };

function approvalOf(error: ApiError): string | null {
  const approval = error.detail?.approval;
  return error.code === 'forbidden' && typeof approval === 'string' ? approval : null;
}

function Totals({ session }: { session: NonNullable<Session> }) {
  const t = session.totals;
  if (!t) return <p className="muted">The expected cash is shown after the closing count.</p>;
  const rows: Array<[string, number]> = [
    ['Float', t.floatCents],
    ['Cash sales', t.cashSalesCents],
    ['Cash refunds', -t.cashRefundsCents],
    ['Drops', -t.dropsCents],
    ['Pick-ups', -t.pickupsCents],
    ['Paid in', t.paidInCents],
    ['Paid out', -t.paidOutCents],
  ];
  return (
    <table className="table till-totals" data-testid="drawer-totals">
      <tbody>
        {rows.map(([label, cents]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td>{money(cents)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">Expected in the drawer</th>
          <td>
            <strong>{money(t.expectedCents)}</strong>
          </td>
        </tr>
      </tbody>
    </table>
  );
}

export function TillScreen({ employee }: { employee: Employee }) {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [config, setConfig] = useState<Config | null>(null);
  const [counts, setCounts] = useState<Counts>({});
  const [move, setMove] = useState<{ kind: MoveKind; amount: string; reason: string }>({ kind: 'drop', amount: '', reason: '' });
  const [noSaleReason, setNoSaleReason] = useState('');
  const [closing, setClosing] = useState(false);
  const [closed, setClosed] = useState<Session>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [approval, setApproval] = useState<Approval | null>(null);

  const load = useCallback(async () => {
    const [current, settings] = await Promise.all([call('till.session.get', {}), call('till.config.get', {})]);
    if (current.ok) setSession(current.value);
    else setMessage({ text: current.error.message, error: true });
    if (settings.ok) setConfig(settings.value.config);
  }, []);
  useEffect(() => void load(), [load]);

  const fail = (error: ApiError, retry: ((grantId: string) => Promise<void>) | null, title: string) => {
    const action = approvalOf(error);
    if (action && retry) {
      setMessage({ text: error.message, error: true });
      setApproval({ action, title, retry });
    } else setMessage({ text: error.message, error: true });
  };

  const openDrawer = async () => {
    const result = await call('till.session.open', { commandId: newCommandId(), counts: countsToPayload(counts) });
    if (!result.ok) return fail(result.error, null, '');
    setSession(result.value);
    setClosed(null);
    setCounts({});
    setMessage({ text: `Drawer open with a float of ${money(result.value.floatCents)}.`, error: false });
  };

  const record = async (grantId?: string): Promise<void> => {
    const cents = parseDollars(move.amount);
    if (cents === null || cents === 0) return setMessage({ text: 'Type the amount, e.g. 40 or 12.50.', error: true });
    if (move.reason.trim().length < 2) return setMessage({ text: 'Give a reason.', error: true });
    const result = await call('till.session.move', { commandId: newCommandId(), kind: move.kind, amountCents: cents, reason: move.reason.trim(), ...(grantId ? { grantId } : {}) });
    if (!result.ok) return fail(result.error, (grant) => record(grant), `${MOVES.find((m) => m.value === move.kind)!.label}: ${money(cents)} (${move.reason.trim()})`);
    setSession(result.value);
    setMessage({ text: `${MOVES.find((m) => m.value === move.kind)!.label}: ${money(cents)} recorded.`, error: false });
    setMove({ ...move, amount: '', reason: '' });
  };

  const noSale = () => {
    if (noSaleReason.trim().length < 2) return setMessage({ text: 'Say why the drawer opens without a sale.', error: true });
    setApproval({
      action: 'till.noSale',
      title: `Open the drawer without a sale: ${noSaleReason.trim()}`,
      retry: async (grantId) => {
        const result = await call('till.drawer.noSale', { commandId: newCommandId(), reason: noSaleReason.trim(), grantId });
        if (!result.ok) return setMessage({ text: result.error.message, error: true });
        setNoSaleReason('');
        setMessage({ text: 'The drawer opens (recorded as No sale).', error: false });
        void load();
      },
    });
  };

  const closeDrawer = async (grantId?: string): Promise<void> => {
    const result = await call('till.session.close', { commandId: newCommandId(), counts: countsToPayload(counts), ...(grantId ? { grantId } : {}) });
    if (!result.ok) return fail(result.error, (grant) => closeDrawer(grant), `Close the drawer counted at ${money(countsTotal(counts))}`);
    setClosed(result.value);
    setSession(null);
    setClosing(false);
    setCounts({});
    setMessage(null);
  };

  if (approval) {
    return (
      <ManagerOverrideDialog
        action={approval.action}
        title={approval.title}
        onApproved={(grant: OverrideGrant) => {
          const pending = approval;
          setApproval(null);
          void pending.retry(grant.grantId);
        }}
        onCancel={() => setApproval(null)}
      />
    );
  }

  const denominations = config?.denominations ?? [];
  const canMakeZ = employee.permissions.includes('manager_override');
  return (
    <div className="till-screen">
      <h1 id="page-title">Till</h1>
      {message ? (
        <p className={message.error ? 'error' : 'ok'} role="status">
          {message.text}
        </p>
      ) : null}
      <div className="till-columns">
        <div>
          {session === undefined ? <p>Loading…</p> : null}
          {session === null ? (
            <section className="panel" aria-labelledby="open-title">
              <h2 id="open-title">Open the drawer</h2>
              {closed ? (
                <div className="till-closed" data-testid="closed-summary">
                  <p>
                    Drawer closed. Counted <strong>{money(closed.countedCents ?? 0)}</strong>
                    {closed.totals ? <> against {money(closed.totals.expectedCents)} expected</> : null}:{' '}
                    <strong>
                      {(closed.overShortCents ?? 0) === 0 ? 'balanced' : `${money(Math.abs(closed.overShortCents ?? 0))} ${(closed.overShortCents ?? 0) > 0 ? 'over' : 'short'}`}
                    </strong>
                    .
                  </p>
                </div>
              ) : null}
              <CountGrid label="Count the float" denominations={denominations} counts={counts} onChange={setCounts} />
              <button type="button" className="primary" disabled={!countsValid(counts)} onClick={() => void openDrawer()}>
                Open drawer
              </button>
            </section>
          ) : null}
          {session ? (
            <>
              <section className="panel" aria-labelledby="drawer-title">
                <h2 id="drawer-title">Drawer open</h2>
                <p>
                  Opened {formatDateTime(session.openedAt)} by {session.openedByName}, float {money(session.floatCents)}.
                </p>
                <Totals session={session} />
              </section>
              {closing ? (
                <section className="panel" aria-labelledby="close-title">
                  <h2 id="close-title">Close the drawer</h2>
                  <CountGrid label="Count the drawer" denominations={denominations} counts={counts} onChange={setCounts} />
                  <div className="row">
                    <button type="button" className="primary" disabled={!countsValid(counts)} onClick={() => void closeDrawer()}>
                      Close drawer
                    </button>
                    <button type="button" className="secondary" onClick={() => setClosing(false)}>
                      Not now
                    </button>
                  </div>
                </section>
              ) : (
                <>
                  <section className="panel" aria-labelledby="move-title">
                    <h2 id="move-title">Cash in and out</h2>
                    <form
                      className="till-move"
                      onSubmit={(event) => {
                        event.preventDefault();
                        void record();
                      }}
                    >
                      <label>
                        What
                        <select value={move.kind} onChange={(event) => setMove({ ...move, kind: event.target.value as MoveKind })}>
                          {MOVES.map((m) => (
                            <option key={m.value} value={m.value}>
                              {m.label}
                            </option>
                          ))}
                        </select>
                      </label>
                      <label>
                        Amount ($)
                        <input inputMode="decimal" value={move.amount} onChange={(event) => setMove({ ...move, amount: event.target.value })} />
                      </label>
                      <label>
                        Reason
                        <input value={move.reason} onChange={(event) => setMove({ ...move, reason: event.target.value })} />
                      </label>
                      <button type="submit" className="primary">
                        Record
                      </button>
                    </form>
                    <div className="till-nosale">
                      <label>
                        No sale reason
                        <input value={noSaleReason} onChange={(event) => setNoSaleReason(event.target.value)} />
                      </label>
                      <button type="button" onClick={noSale}>
                        No sale (open drawer)
                      </button>
                    </div>
                  </section>
                  <button type="button" className="primary wide" onClick={() => setClosing(true)}>
                    Close the drawer…
                  </button>
                </>
              )}
            </>
          ) : null}
        </div>
        <div>
          <ReportPanel canMakeZ={canMakeZ} drawerOpen={Boolean(session)} />
          <PrinterPanel />
        </div>
      </div>
    </div>
  );
}
