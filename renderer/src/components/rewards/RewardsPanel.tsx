/**
 * The profile's Rewards card: points (a ledger: every change listed with the balance after it),
 * the connected rewards card with Connect Card / Replace Card, points adjusted by hand with a
 * manager's PIN, and the customer's status and location tags.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ulid } from 'ulid';
import type { CallResponse } from '../../../../preload/api';
import { getClient } from '../../client';
import { formatDateTime } from '../../format';
import { call } from '../../register';
import { useStatus } from '../../stores/app';
import { ManagerOverrideDialog, type OverrideGrant } from '../ManagerOverrideDialog';
import { useScans } from '../devices/scanStore';
import { useCardSwipeStore } from './cardSwipe';
import '../../styles/rewards.css';

type Account = CallResponse<'rewards.account'>;
type Tag = Account['tags'][number];
type LedgerEntry = Account['ledger'][number];

export function dollars(cents: number): string {
  const sign = cents < 0 ? '−' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100).toLocaleString()}.${String(abs % 100).padStart(2, '0')}`;
}

const kindLabels: Record<LedgerEntry['kind'], string> = { earn: 'Earned on a sale', redeem: 'Redeemed on a sale', adjust: 'Adjusted by hand', reverse: 'Sale voided', return: 'Items returned' };

function describeEntry(entry: LedgerEntry): string {
  if (entry.kind === 'adjust') return `${kindLabels.adjust}: ${entry.reason ?? ''}${entry.approvedByName ? ` (approved by ${entry.approvedByName})` : ''}`;
  if (entry.kind === 'earn' && entry.cents !== null) return `${kindLabels.earn} of ${dollars(entry.cents)}`;
  if (entry.kind === 'redeem' && entry.cents !== null) return `${kindLabels.redeem}: ${dollars(entry.cents)} off`;
  return entry.reason ?? kindLabels[entry.kind];
}

export function RewardsPanel({ customerId, customerName, onChanged }: { customerId: string; customerName: string; onChanged?: () => void }) {
  const timeZone = useStatus((state) => (state.status?.state === 'ready' ? state.status.timeZone : undefined));
  const [account, setAccount] = useState<Account | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [cardDialog, setCardDialog] = useState<'connect' | 'replace' | null>(null);
  const [adjusting, setAdjusting] = useState(false);
  const [editingTags, setEditingTags] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    const result = await call('rewards.account', { customerId, ledgerLimit: 20 });
    if (result.ok) {
      setAccount(result.value);
      setError(null);
    } else setError(result.error.message);
  }, [customerId]);

  useEffect(() => {
    void load();
    return getClient().on('rewards.changed', (event) => {
      if (event.customerId === null || event.customerId === customerId) void load();
    });
  }, [load, customerId]);

  const done = (message: string) => {
    setNotice(message);
    void load();
    onChanged?.();
  };

  return (
    <section className="panel rw-panel" aria-labelledby="rewards-title" data-testid="rewards-card">
      <h2 id="rewards-title">Rewards</h2>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {!account && !error ? <p className="muted">Loading points…</p> : null}
      {account ? (
        <>
          <div className="rw-balance">
            <span className="rw-points" data-testid="rewards-balance">
              {account.balance.toLocaleString()} points
            </span>
            <span className="muted">
              worth {dollars(account.balanceValueCents)}
              {account.rules.enabled ? '' : ' · rewards are switched off'}
            </span>
          </div>
          <div className="rw-card-row">
            <div data-testid="rewards-card-status">
              {account.card ? (
                <>
                  <strong>Card ending {account.card.cardNumber.slice(-4)}</strong>
                  <span className="muted"> · connected {formatDateTime(account.card.connectedAt, timeZone)}</span>
                </>
              ) : (
                <span className="muted">No rewards card connected.</span>
              )}
              {account.replacedCards.length > 0 ? (
                <div className="muted rw-small">
                  Replaced (no longer work): {account.replacedCards.map((card) => `ending ${card.cardNumber.slice(-4)}`).join(', ')}
                </div>
              ) : null}
            </div>
            <button type="button" className="primary" onClick={() => setCardDialog(account.card ? 'replace' : 'connect')}>
              {account.card ? 'Replace Card' : 'Connect Card'}
            </button>
          </div>
          {notice ? (
            <p className="ok" role="status">
              {notice}
            </p>
          ) : null}
          <div className="rw-actions">
            <button type="button" className="secondary" onClick={() => setAdjusting(true)}>
              Adjust points
            </button>
            <button type="button" className="secondary" onClick={() => setEditingTags((open) => !open)} aria-expanded={editingTags}>
              {editingTags ? 'Close tags' : 'Edit tags'}
            </button>
          </div>
          <TagsView tags={account.tags} />
          {editingTags ? (
            <TagsEditor
              customerId={customerId}
              current={account.tags}
              onSaved={() => {
                setEditingTags(false);
                done('Tags saved.');
              }}
            />
          ) : null}
          <h3>Points history</h3>
          {account.ledger.length === 0 ? (
            <p className="muted">No points yet.</p>
          ) : (
            <table className="table rw-ledger" aria-label="Points history">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col" className="rw-num">
                    Points
                  </th>
                  <th scope="col" className="rw-num">
                    Balance
                  </th>
                </tr>
              </thead>
              <tbody>
                {account.ledger.map((entry) => (
                  <tr key={entry.id}>
                    <td>{formatDateTime(entry.at, timeZone)}</td>
                    <td>{describeEntry(entry)}</td>
                    <td className={`rw-num ${entry.points < 0 ? 'rw-minus' : 'rw-plus'}`}>{entry.points > 0 ? `+${entry.points}` : `${entry.points}`}</td>
                    <td className="rw-num">{entry.balanceAfter}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
      {cardDialog ? (
        <CardDialog
          mode={cardDialog}
          customerId={customerId}
          customerName={customerName}
          oldEnding={account?.card?.cardNumber.slice(-4) ?? null}
          onDone={(ending) => {
            setCardDialog(null);
            done(cardDialog === 'connect' ? `Card ending ${ending} connected.` : `Card replaced: ending ${ending} works from now on; the old card no longer does.`);
          }}
          onCancel={() => setCardDialog(null)}
        />
      ) : null}
      {adjusting && account ? (
        <AdjustDialog
          customerId={customerId}
          customerName={customerName}
          balance={account.balance}
          onDone={(result) => {
            setAdjusting(false);
            done(`Points adjusted: ${result.oldBalance} → ${result.newBalance}.`);
          }}
          onCancel={() => setAdjusting(false)}
        />
      ) : null}
    </section>
  );
}

function TagsView({ tags }: { tags: Tag[] }) {
  if (tags.length === 0) return <p className="muted rw-small">No status or location tags.</p>;
  return (
    <ul className="rw-tags" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag.id} className={`rw-tag rw-tag-${tag.kind}`}>
          <span className="rw-tag-kind">{tag.kind === 'status' ? 'Status' : 'Location'}</span> {tag.name}
        </li>
      ))}
    </ul>
  );
}

function TagsEditor({ customerId, current, onSaved }: { customerId: string; current: Tag[]; onSaved: () => void }) {
  const [lists, setLists] = useState<Tag[] | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set(current.map((tag) => tag.id)));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void call('rewards.config', {}).then((result) => (result.ok ? setLists(result.value.tags) : setError(result.error.message)));
  }, []);
  const save = async () => {
    const result = await call('rewards.setCustomerTags', { commandId: ulid(), customerId, tagIds: [...chosen] });
    if (result.ok) onSaved();
    else setError(result.error.message);
  };
  // Tags archived since they were given stay listed until someone unticks them.
  const options = [...(lists ?? []), ...current.filter((tag) => !lists?.some((t) => t.id === tag.id))];
  return (
    <div className="rw-tags-editor">
      {lists === null && !error ? <p className="muted">Loading the tag lists…</p> : null}
      {(['status', 'location'] as const).map((kind) => (
        <fieldset key={kind}>
          <legend>{kind === 'status' ? 'Status tags' : 'Location tags'}</legend>
          {options.filter((tag) => tag.kind === kind).length === 0 ? <p className="muted rw-small">None yet: a manager adds them in Settings.</p> : null}
          {options
            .filter((tag) => tag.kind === kind)
            .map((tag) => (
              <label key={tag.id} className="rw-check">
                <input
                  type="checkbox"
                  checked={chosen.has(tag.id)}
                  onChange={(event) => {
                    const next = new Set(chosen);
                    if (event.target.checked) next.add(tag.id);
                    else next.delete(tag.id);
                    setChosen(next);
                  }}
                />
                {tag.name}
                {tag.archived ? ' (archived)' : ''}
              </label>
            ))}
        </fieldset>
      ))}
      {error ? <p className="error" role="alert">{error}</p> : null}
      <button type="button" className="primary" onClick={() => void save()}>
        Save tags
      </button>
    </div>
  );
}

/** Connect Card / Replace Card: a swipe fills and submits at once; typing the 16 digits works too. */
export function CardDialog(props: {
  mode: 'connect' | 'replace';
  customerId: string;
  customerName: string;
  oldEnding: string | null;
  onDone: (ending: string) => void;
  onCancel: () => void;
}) {
  const [number, setNumber] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const commandId = useRef(ulid());
  const pending = useScans((state) => state.pending);
  const title = props.mode === 'connect' ? 'Connect Card' : 'Replace Card';

  useEffect(() => {
    useCardSwipeStore.getState().setCapturing(true);
    return () => useCardSwipeStore.getState().setCapturing(false);
  }, []);

  const submit = useCallback(
    async (cardNumber: string) => {
      setBusy(true);
      setError(null);
      const name = props.mode === 'connect' ? 'rewards.connectCard' : 'rewards.replaceCard';
      const result = await call(name, { commandId: commandId.current, customerId: props.customerId, cardNumber });
      setBusy(false);
      if (result.ok) props.onDone(result.value.cardNumber.slice(-4));
      else {
        // A refused card is not applied: a different card may be tried under a new command.
        commandId.current = ulid();
        setError(result.error.message);
      }
    },
    [props],
  );

  useEffect(() => {
    if (pending?.kind !== 'card') return;
    const scan = useScans.getState().take('card');
    if (!scan) return;
    setNumber(scan.cardNumber);
    void submit(scan.cardNumber);
  }, [pending, submit]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') props.onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [props]);

  const digits = number.replace(/[\s-]/g, '');
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="rw-card-title">
      <div className="dialog">
        <h2 id="rw-card-title">{title}</h2>
        <p className="dialog-lead">
          {props.mode === 'connect'
            ? `Swipe ${props.customerName}'s rewards card on the reader now, or type the 16 digits printed on it.`
            : `Swipe the NEW card for ${props.customerName}. The card ending ${props.oldEnding ?? '????'} stops working; the points and history stay.`}
        </p>
        <p className="rw-waiting" role="status">
          {busy ? 'Connecting the card…' : 'Waiting for a swipe…'}
        </p>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (!/^\d{16}$/.test(digits)) {
              setError('A rewards card number is 16 digits: swipe the card, or type the 16 digits printed on it.');
              return;
            }
            void submit(digits);
          }}
        >
          <label htmlFor="rw-card-number">Card number</label>
          <input
            id="rw-card-number"
            className="rw-card-input"
            inputMode="numeric"
            autoComplete="off"
            autoFocus
            maxLength={19 + 4}
            value={number}
            placeholder="16 digits"
            onChange={(event) => setNumber(event.target.value)}
          />
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="rw-dialog-buttons">
            <button type="submit" className="primary" disabled={busy}>
              {title}
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

/** Points by hand: the amount and the reason, then a manager's tile and PIN. */
function AdjustDialog(props: {
  customerId: string;
  customerName: string;
  balance: number;
  onDone: (result: { oldBalance: number; newBalance: number }) => void;
  onCancel: () => void;
}) {
  const [pointsText, setPointsText] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [approving, setApproving] = useState(false);
  const commandId = useRef(ulid());
  const points = Number(pointsText.replace(/[\s,+]/g, ''));

  const check = (): string | null => {
    if (!/^[+-]?\d[\d,]*$/.test(pointsText.trim()) || !Number.isInteger(points) || points === 0) return 'Enter the points to add (e.g. 50) or take away (e.g. -50).';
    if (props.balance + points < 0) return `The customer has ${props.balance} points: take away at most ${props.balance}.`;
    if (reason.trim().length < 3) return 'Say why the points change (at least 3 characters).';
    return null;
  };

  const onApproved = async (grant: OverrideGrant) => {
    setApproving(false);
    const result = await call('rewards.adjust', { commandId: commandId.current, customerId: props.customerId, points, reason: reason.trim(), grantId: grant.grantId });
    if (result.ok) props.onDone(result.value);
    else {
      commandId.current = ulid();
      setError(result.error.message);
    }
  };

  if (approving) {
    return (
      <ManagerOverrideDialog
        action="rewards.adjust"
        title={`Adjust ${props.customerName}'s points: ${props.balance} → ${props.balance + points} (${points > 0 ? '+' : ''}${points}). Reason: ${reason.trim()}`}
        onApproved={(grant) => void onApproved(grant)}
        onCancel={() => setApproving(false)}
      />
    );
  }
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="rw-adjust-title">
      <div className="dialog">
        <h2 id="rw-adjust-title">Adjust points</h2>
        <p className="dialog-lead">
          {props.customerName} has {props.balance} points. A manager approves every change with their PIN.
        </p>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const problem = check();
            setError(problem);
            if (!problem) setApproving(true);
          }}
        >
          <label htmlFor="rw-adjust-points">Points to add (negative to take away)</label>
          <input id="rw-adjust-points" inputMode="numeric" autoFocus autoComplete="off" value={pointsText} onChange={(event) => setPointsText(event.target.value)} placeholder="e.g. 50 or -50" />
          <label htmlFor="rw-adjust-reason">Reason</label>
          <input id="rw-adjust-reason" autoComplete="off" maxLength={200} value={reason} onChange={(event) => setReason(event.target.value)} placeholder="e.g. Goodwill after a wrong price" />
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
