/**
 * Sync: every medical sale reported (or to be reported) to the state, with its state, attempts,
 * last error and the state system's id (BioTrack transaction, Metrc receipt), and for every sale the register could not settle by
 * itself, why and what a person can do. A manager resends a refused sale once its cause is fixed,
 * picks the right state sale when two match equally, or dismisses it with a reason; all audited.
 */
import { useCallback, useEffect, useState } from 'react';
import { MailOutboxPanel } from './MailOutboxPanel';
import type { Employee } from '../../../../preload/api';
import { ManagerOverrideDialog, type OverrideGrant } from '../../components/ManagerOverrideDialog';
import { newCommandId } from '../../components/queue/commandId';
import { getClient } from '../../client';
import { formatDateTime } from '../../format';
import { call } from '../../register';
import { useSession, useStatus } from '../../stores/app';
import { age, explain, kindLabel, money, stateLabel, type SyncCandidate, type SyncFilter, type SyncRow, type SyncStatus } from './format';
import '../../styles/trace.css';

const FILTERS: Array<{ value: SyncFilter; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'attention', label: 'Needs attention' },
  { value: 'waiting', label: 'Waiting' },
  { value: 'acknowledged', label: 'Reported' },
  { value: 'dismissed', label: 'Dismissed' },
];

type Pending = { kind: 'resend' | 'dismiss' | 'resolve'; row: SyncRow; reason?: string; remoteTxnId?: string | null };

const ACTION: Record<Pending['kind'], 'trace.sync.resend' | 'trace.sync.dismiss' | 'trace.sync.resolve'> = {
  resend: 'trace.sync.resend',
  dismiss: 'trace.sync.dismiss',
  resolve: 'trace.sync.resolve',
};
type Attempt = { at: number; step: string; outcome: string; detail: string | null; durationMs: number | null };

function StatusSummary({ status, now }: { status: SyncStatus; now: number }) {
  const connection = !status.configured ? 'Not set up' : status.online === true ? 'Online' : status.online === false ? 'Offline' : 'Checking…';
  const tone = !status.configured ? 'off' : status.online === true ? 'ok' : status.online === false ? 'bad' : 'warn';
  const attention = status.counts.rejected + status.counts.unknown + status.counts.needsPerson;
  return (
    <div className="sync-summary" data-testid="sync-summary">
      <div className={`sync-card tone-${tone}`}>
        <span className="sync-card-key">{status.provider}</span>
        <span className="sync-card-value">{connection}</span>
        <span className="sync-card-note">{status.lastContactAt ? `last answer ${formatDateTime(status.lastContactAt)}` : 'no answer yet'}</span>
      </div>
      <div className={`sync-card ${status.backlog > 0 ? 'tone-warn' : 'tone-ok'}`}>
        <span className="sync-card-key">Waiting to report</span>
        <span className="sync-card-value" data-testid="sync-backlog">{status.backlog}</span>
        <span className="sync-card-note">{status.oldestPendingAt ? `oldest waiting ${age(now - status.oldestPendingAt)}` : 'nothing waiting'}</span>
      </div>
      <div className={`sync-card ${attention > 0 ? 'tone-bad' : 'tone-ok'}`}>
        <span className="sync-card-key">Needs attention</span>
        <span className="sync-card-value" data-testid="sync-attention">{attention}</span>
        <span className="sync-card-note">
          {status.counts.rejected} refused · {status.counts.needsPerson} to decide · {status.counts.unknown} being checked
        </span>
      </div>
      <div className="sync-card tone-ok">
        <span className="sync-card-key">Reported</span>
        <span className="sync-card-value">{status.counts.acknowledged}</span>
        <span className="sync-card-note">{status.counts.dismissed} dismissed</span>
      </div>
    </div>
  );
}

function DismissDialog({ row, system, onCancel, onConfirm }: { row: SyncRow; system: string; onCancel(): void; onConfirm(reason: string): void }) {
  const [reason, setReason] = useState('');
  const tooShort = reason.trim().length < 5;
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="dismiss-title">
      <form
        className="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (!tooShort) onConfirm(reason.trim());
        }}
      >
        <h2 id="dismiss-title">Dismiss this {kindLabel[row.kind].toLowerCase()}?</h2>
        <p className="dialog-lead">
          It will not be reported to the state. {row.customerName ?? 'The customer'}, {money(row.totalCents)}, {formatDateTime(row.saleTime)}.
        </p>
        <label className="field">
          <span>Why (kept in the audit log)</span>
          <input autoFocus value={reason} onChange={(event) => setReason(event.target.value)} maxLength={300} placeholder={`e.g. entered in ${system} by hand`} />
        </label>
        <div className="row dialog-actions">
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="danger-button" disabled={tooShort}>
            Dismiss
          </button>
        </div>
      </form>
    </div>
  );
}

function Detail({ row, employee, system, onAct }: { row: SyncRow; employee: Employee; system: string; onAct(pending: Pending): void }) {
  const [attempts, setAttempts] = useState<Attempt[] | null>(null);
  const [candidates, setCandidates] = useState<SyncCandidate[]>([]);
  useEffect(() => {
    let live = true;
    void call('trace.sync.detail', { outboxId: row.id }).then((result) => {
      if (live && result.ok) {
        setAttempts(result.value.attempts);
        setCandidates(result.value.candidates);
      }
    });
    return () => {
      live = false;
    };
  }, [row.id, row.updatedAt]);
  const canResend = row.state === 'rejected';
  const canDismiss = row.state === 'rejected' || row.state === 'unknown' || row.state === 'pending' || row.state === 'needs_person';
  const needsApproval = !employee.permissions.includes('manager_override');
  const explanation = explain(row, system);
  return (
    <section className="panel sync-detail" aria-labelledby="sync-detail-title" data-testid="sync-detail">
      <h2 id="sync-detail-title">
        {kindLabel[row.kind]} · {row.customerName ?? 'unknown customer'} · {money(row.totalCents)}
      </h2>
      <dl className="facts">
        <dt>State</dt>
        <dd>
          <span className={`sync-badge state-${row.state}`}>{stateLabel[row.state]}</span>
        </dd>
        <dt>Patient card</dt>
        <dd>{row.cardId ?? '—'}</dd>
        <dt>When</dt>
        <dd>{formatDateTime(row.saleTime)}</dd>
        <dt>{system === 'Metrc' ? 'Metrc receipt' : `${system} transaction`}</dt>
        <dd>{row.remoteTxnId ?? 'not yet'}</dd>
        <dt>Attempts</dt>
        <dd>{row.attempts}</dd>
        {row.lastError ? (
          <>
            <dt>Last error</dt>
            <dd className={row.state === 'rejected' ? 'error-text' : undefined}>
              {row.lastError}
              {row.lastErrorCode ? ` (code ${row.lastErrorCode})` : ''}
            </dd>
          </>
        ) : null}
        {row.waitingFor ? (
          <>
            <dt>Waiting for</dt>
            <dd>{row.waitingFor}</dd>
          </>
        ) : null}
        {row.dismissedReason ? (
          <>
            <dt>Dismissed</dt>
            <dd>
              {row.dismissedReason}
              {row.dismissedByName ? ` (approved by ${row.dismissedByName})` : ''}
            </dd>
          </>
        ) : null}
      </dl>
      {explanation ? (
        <p className="hint" data-testid="sync-explanation">
          {explanation}
        </p>
      ) : null}
      {row.state === 'needs_person' && candidates.length > 0 ? (
        <>
          <h3>Sales in {system} that match this one</h3>
          <ul className="sync-candidates" data-testid="sync-candidates">
            {candidates.map((candidate) => (
              <li key={candidate.remoteTxnId} className="sync-candidate">
                <div>
                  <strong>
                    {system} sale {candidate.remoteTxnId}
                  </strong>
                  <span className="sync-sub">
                    recorded {candidate.time ? formatDateTime(candidate.time) : '—'} · register {candidate.terminalId ?? '—'} · card {candidate.cardId ?? '—'}
                  </span>
                  <span className="sync-sub">{candidate.lines.map((line) => `${line.quantity} × ${line.barcode} at ${money(line.unitPriceCents)}`).join('; ')}</span>
                </div>
                <button type="button" className="secondary" onClick={() => onAct({ kind: 'resolve', row, remoteTxnId: candidate.remoteTxnId })}>
                  This is the one{needsApproval ? ' (manager)' : ''}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <div className="row">
        {row.state === 'needs_person' ? (
          <button type="button" className="secondary" onClick={() => onAct({ kind: 'resolve', row, remoteTxnId: null })}>
            Check {system} again{needsApproval ? ' (manager)' : ''}
          </button>
        ) : null}
        {canResend ? (
          <button type="button" className="primary" onClick={() => onAct({ kind: 'resend', row })}>
            Resend{needsApproval ? ' (manager)' : ''}
          </button>
        ) : null}
        {canDismiss ? (
          <button type="button" className="danger-button" onClick={() => onAct({ kind: 'dismiss', row })}>
            Dismiss…{needsApproval ? ' (manager)' : ''}
          </button>
        ) : null}
      </div>
      <h3>History</h3>
      {attempts === null ? <p>Loading…</p> : null}
      {attempts && attempts.length === 0 ? <p className="muted">Not sent yet.</p> : null}
      {attempts && attempts.length > 0 ? (
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Step</th>
              <th scope="col">Outcome</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {attempts.map((attempt, index) => (
              <tr key={`${attempt.at}-${index}`}>
                <td>{formatDateTime(attempt.at)}</td>
                <td>{attempt.step}</td>
                <td>{attempt.outcome}</td>
                <td>{attempt.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function SyncScreen() {
  const session = useSession((state) => state.session);
  const employee = session && session.state !== 'logged_out' ? session.employee : null;
  const appStatus = useStatus((state) => state.status);
  const [filter, setFilter] = useState<SyncFilter>('all');
  const [search, setSearch] = useState('');
  const [rows, setRows] = useState<SyncRow[] | null>(null);
  const [total, setTotal] = useState(0);
  const [status, setStatus] = useState<SyncStatus | null>(null);
  /** The state system staff know: BioTrack or Metrc, as Settings › Track & Trace names it. */
  const system = status?.provider ?? 'BioTrack';
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [approval, setApproval] = useState<Pending | null>(null);
  const [now, setNow] = useState(Date.now());

  const load = useCallback(async () => {
    const result = await call('trace.sync.list', { filter, search: search.trim() || undefined, limit: 200 });
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setError(null);
    setRows(result.value.rows);
    setTotal(result.value.total);
    setStatus(result.value.status);
  }, [filter, search]);

  useEffect(() => {
    void load();
  }, [load]);

  // The worker's status events refresh the list (throttled in the core).
  useEffect(() => {
    const off = getClient().on('trace.syncChanged', (payload) => {
      setStatus(payload as SyncStatus);
      void load();
    });
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [load]);

  const perform = async (action: Pending, grantId?: string) => {
    setNotice(null);
    const result =
      action.kind === 'resend'
        ? await call('trace.sync.resend', { commandId: newCommandId(), outboxId: action.row.id, grantId })
        : action.kind === 'resolve'
          ? await call('trace.sync.resolve', { commandId: newCommandId(), outboxId: action.row.id, remoteTxnId: action.remoteTxnId ?? null, grantId })
          : await call('trace.sync.dismiss', { commandId: newCommandId(), outboxId: action.row.id, reason: action.reason ?? '', grantId });
    if (!result.ok) setError(result.error.message);
    else
      setNotice(
        action.kind === 'resend'
          ? 'Queued to send again.'
          : action.kind === 'resolve'
            ? action.remoteTxnId
              ? `Recorded as ${system} sale ${action.remoteTxnId}.`
              : `The register will check with ${system} again.`
            : 'Dismissed: it will not be reported.',
      );
    void load();
  };

  const start = (action: Pending) => {
    if (!employee) return;
    if (action.kind === 'dismiss' && action.reason === undefined) {
      setPending(action);
      return;
    }
    if (employee.permissions.includes('manager_override')) void perform(action);
    else setApproval(action);
  };

  const [demoCard, setDemoCard] = useState('');
  const queueDemoSale = async () => {
    const result = await call('trace.demo.enqueueSale', { commandId: newCommandId(), cardId: demoCard.trim() || undefined });
    if (!result.ok) setError(result.error.message);
    void load();
  };

  const selectedRow = rows?.find((row) => row.id === selected) ?? null;
  const trace = appStatus?.state === 'ready' ? appStatus.trace : null;

  return (
    <div className="screen sync-screen">
      <div className="sync-head">
        <h1>Sync</h1>
        {/* Test sales against the demo sandbox: the demo store only, and only for an admin setting it up. */}
        {status?.demo && employee?.permissions.includes('manage_staff') ? (
          <form
            className="row sync-demo"
            onSubmit={(event) => {
              event.preventDefault();
              void queueDemoSale();
            }}
          >
            <input aria-label="Demo patient card (optional)" placeholder="card id (optional)" value={demoCard} onChange={(event) => setDemoCard(event.target.value)} />
            <button type="submit" className="secondary">
              Queue a demo medical sale
            </button>
          </form>
        ) : null}
      </div>
      {status ? <StatusSummary status={status} now={now} /> : null}
      {status && !status.configured ? (
        <p className="error" role="alert">
          Track-and-trace is not set up: medical sales wait here until a manager sets it up in Settings › Track &amp; Trace.
        </p>
      ) : null}
      {status?.problem ? (
        <p className="error" role="alert" data-testid="sync-problem">
          {status.problem}
        </p>
      ) : null}
      {trace && trace.state === 'offline' ? (
        <p className="sync-offline" role="status">
          The state system is not answering. Sales keep being recorded here and will be reported, in order, when it answers again.
        </p>
      ) : null}
      <div className="row sync-filters" role="toolbar" aria-label="Filter sales">
        {FILTERS.map((option) => (
          <button
            key={option.value}
            type="button"
            className={`chip ${filter === option.value ? 'chip-on' : ''}`}
            aria-pressed={filter === option.value}
            onClick={() => setFilter(option.value)}
          >
            {option.label}
            {option.value === 'attention' && status ? ` (${status.counts.rejected + status.counts.unknown + status.counts.needsPerson})` : ''}
          </button>
        ))}
        <input
          type="search"
          className="sync-search"
          aria-label={`Search by customer, card, sale or ${system} id`}
          placeholder="Search customer, card, id…"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {notice ? (
        <p className="ok" role="status">
          {notice}
        </p>
      ) : null}
      <div className="sync-body">
        <div className="sync-list">
          {rows === null ? <p>Loading…</p> : null}
          {rows && rows.length === 0 ? <p className="muted">No medical sales {filter === 'all' ? 'yet' : 'in this view'}.</p> : null}
          {rows && rows.length > 0 ? (
            <table className="table sync-table" data-testid="sync-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Customer</th>
                  <th scope="col">What</th>
                  <th scope="col">State</th>
                  <th scope="col">Tries</th>
                  <th scope="col">{system} id</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr
                    key={row.id}
                    className={`sync-row ${row.id === selected ? 'selected' : ''}`}
                    tabIndex={0}
                    aria-selected={row.id === selected}
                    onClick={() => setSelected(row.id)}
                    onKeyDown={(event) => {
                      if (event.key === 'Enter' || event.key === ' ') {
                        event.preventDefault();
                        setSelected(row.id);
                      }
                    }}
                  >
                    <td>{formatDateTime(row.saleTime)}</td>
                    <td>
                      {row.customerName ?? '—'}
                      <span className="sync-sub">{row.cardId ?? ''}</span>
                    </td>
                    <td>
                      {kindLabel[row.kind]} {money(row.totalCents)}
                    </td>
                    <td>
                      <span className={`sync-badge state-${row.state}`}>{stateLabel[row.state]}</span>
                      {row.lastError && (row.state === 'rejected' || row.state === 'unknown' || row.state === 'pending' || row.state === 'needs_person') ? (
                        <span className="sync-sub sync-error">{row.lastError}</span>
                      ) : null}
                    </td>
                    <td>{row.attempts}</td>
                    <td>{row.remoteTxnId ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {rows && total > rows.length ? <p className="muted">Showing the newest {rows.length} of {total}. Search to narrow down.</p> : null}
        </div>
        {selectedRow && employee ? <Detail row={selectedRow} employee={employee} system={system} onAct={start} /> : null}
      </div>
      <MailOutboxPanel />
      {pending ? (
        <DismissDialog
          system={system}
          row={pending.row}
          onCancel={() => setPending(null)}
          onConfirm={(reason) => {
            setPending(null);
            start({ ...pending, reason });
          }}
        />
      ) : null}
      {approval ? (
        <ManagerOverrideDialog
          action={ACTION[approval.kind]}
          title={`${approval.kind === 'resend' ? 'Resend' : approval.kind === 'resolve' ? 'Settle' : 'Dismiss'} the ${kindLabel[approval.row.kind].toLowerCase()} of ${approval.row.customerName ?? 'this customer'} (${money(approval.row.totalCents)}) to the state.`}
          onCancel={() => setApproval(null)}
          onApproved={(grant: OverrideGrant) => {
            const action = approval;
            setApproval(null);
            void perform(action, grant.grantId);
          }}
        />
      ) : null}
    </div>
  );
}
